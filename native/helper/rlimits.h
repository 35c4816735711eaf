/* Resource limits: `rlimit=<name>:<soft>:<hard>` records (names as in
 * ulimit and Docker's --ulimit), applied before capabilities are dropped. */
#ifndef BERTH_RLIMITS_H
#define BERTH_RLIMITS_H

#include "report.h"
#include "spec.h"

/* Parses every record into a zero-terminated array (resource -1 ends it). */
int rlimits_parse(const struct strlist *records, struct rlimit_entry **out, struct failure *f);

/* setrlimit for each entry; NULL or an empty array keeps what was inherited. */
int rlimits_apply(const struct rlimit_entry *limits, struct failure *f);

#endif
