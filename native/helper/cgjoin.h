/* Putting a new process into the container's cgroups without the kernel's
 * slow path. A write of a pid to cgroup.procs takes the global threadgroup
 * lock, whose write side waits for an RCU grace period: 1–10 ms on every
 * container start and exec. Two ways around it: clone3(CLONE_INTO_CGROUP)
 * places the child in a cgroup2 cgroup at birth, and a single-threaded
 * process that moves itself through a v1 `tasks` file takes no global lock.
 * The fds are opened before any setns, while the host paths resolve. */
#ifndef BERTH_CGJOIN_H
#define BERTH_CGJOIN_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "report.h"
#include "spec.h"

struct cgjoin {
	/* The cgroup2 directory (O_PATH) for CLONE_INTO_CGROUP, or -1. */
	int v2_dir;
	/* Its cgroup.procs, for when clone3 could not place the child. */
	int v2_procs;
	/* `tasks` of each v1 directory. */
	int *v1_tasks;
	size_t v1_len;
	/* In the child: whether clone3 already placed it in the v2 cgroup. */
	bool v2_placed;
};

/* Opens what joining `dirs` takes; *j is safe to close on failure. */
int cgjoin_open(const struct strlist *dirs, struct cgjoin *j, struct failure *f);

/* Fork-like clone with namespace `flags` (a new process, the same stack
 * copied), born in the v2 cgroup where the kernel can: 0 in the child. */
pid_t cgjoin_clone(struct cgjoin *j, unsigned long flags, struct failure *f);

/* In the child, still single-threaded: moves itself into the rest. */
int cgjoin_enter(const struct cgjoin *j, struct failure *f);

void cgjoin_close(struct cgjoin *j);

#endif
