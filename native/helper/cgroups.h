/* Removing a container's cgroups once it is gone, and reading its OOM
 * counter. The engine creates them; cgjoin.h joins them. */
#ifndef BERTH_CGROUPS_H
#define BERTH_CGROUPS_H

#include <stddef.h>

#include "report.h"
#include "spec.h"

/* rmdir each dir; EBUSY (the kernel is still letting go of the last
 * task) is retried for a while; problems go to stderr. */
void cgroups_remove(const struct strlist *dirs, const char *id);

/* Whether any of `files` (cgroup v2 memory.events or v1
 * memory.oom_control) counts an OOM kill. */
int cgroups_oom_killed(const struct strlist *files, const char *id);

#endif
