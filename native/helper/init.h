/* init=1: a minimal init (like tini / docker-init) built into the helper.
 * The container's PID 1 stays helper code and runs the command as PID 2. */
#ifndef BERTH_INIT_H
#define BERTH_INIT_H

#include "report.h"

/* Forks the command (execve'd by exec_command; a failure is written to
 * report_fd as a struct failure), forwards SIGTERM, SIGINT, SIGHUP,
 * SIGQUIT, SIGUSR1, SIGUSR2 and SIGWINCH to it, reaps every child and
 * exits with its status (128+signal when killed). Returns only if the
 * fork itself fails. */
int init_run(char *const *argv, char *const *envp, int report_fd, struct failure *f);

#endif
