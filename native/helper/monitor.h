/* The helper's life after `started`: drain output into the log, forward
 * signals, watch the lifeline, reap the init, record how it ended. */
#ifndef BERTH_MONITOR_H
#define BERTH_MONITOR_H

#include <signal.h>

#include "attach.h"
#include "container.h"
#include "report.h"
#include "spec.h"

/* Returns the helper's exit status. attach listens already (or has no
 * socket); the monitor gives it the container's stdin and terminal, and
 * closes it before recording the exit. */
int monitor_run(const struct spec *s, struct container *c, struct attach *attach, int sigfd,
		int log_fd);

/* Finishes an owner-less container: remove s->orphan_cleanup if set. */
void monitor_orphan_cleanup(const struct spec *s);

#endif
