/* `mount=<kind>\t<source>\t<target>\t<options>` records, parsed up front so
 * a bad option is a parse-spec error. */
#ifndef BERTH_MOUNTSPEC_H
#define BERTH_MOUNTSPEC_H

#include "report.h"
#include "spec.h"

/* Splits the records in place (their tabs become NULs) into an array of
 * records->len entries; NULL when there are none. */
int mountspec_parse(const struct strlist *records, struct mount_entry **out,
		    struct failure *f);

#endif
