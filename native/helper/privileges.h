/* The command's privileges, set in one fixed order just before execve:
 * rlimits, capabilities, user, no_new_privs, seccomp. */
#ifndef BERTH_PRIVILEGES_H
#define BERTH_PRIVILEGES_H

#include "report.h"
#include "spec.h"
#include "user.h"

/* Runs as (still fully privileged) root; afterwards the process is `id`
 * with the capabilities of `sec` and, unless unconfined, the filter. */
int privileges_apply(const struct security *sec, const struct rlimit_entry *rlimits,
		     const struct identity *id, struct failure *f);

#endif
