/* The exec helper after `started`: relay the terminal, forward signals,
 * watch the lifeline, reap the command and report how it ended. */
#ifndef BERTH_EXECWAIT_H
#define BERTH_EXECWAIT_H

#include <sys/types.h>

#include "spec.h"

/* master is the pty master with tty=1, else -1. Returns the helper's
 * exit status (0 once `exit` is reported). */
int exec_wait(const struct spec *s, pid_t pid, int sigfd, int master);

#endif
