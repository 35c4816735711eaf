/* The few cgroup operations the helper does itself: joining (exec) and
 * removing (after the container is gone). The engine creates them. */
#ifndef BERTH_CGROUPS_H
#define BERTH_CGROUPS_H

#include <stddef.h>

#include "report.h"
#include "spec.h"

/* Opens <dir>/cgroup.procs of every dir into fds (dirs->len slots, -1
 * where not opened); done before any setns, while the paths resolve. */
int cgroups_open_procs(const struct strlist *dirs, int *fds, struct failure *f);

/* Moves the caller into each cgroup through those fds. */
int cgroups_enter(const int *fds, size_t n, struct failure *f);

/* rmdir each dir; EBUSY (the kernel is still letting go of the last
 * task) is retried for a while; problems go to stderr. */
void cgroups_remove(const struct strlist *dirs, const char *id);

/* Whether any of `files` (cgroup v2 memory.events or v1
 * memory.oom_control) counts an OOM kill. */
int cgroups_oom_killed(const struct strlist *files, const char *id);

#endif
