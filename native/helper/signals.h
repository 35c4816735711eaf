/* The signals every helper process that stands for a command (monitor,
 * init, exec) passes on to it, plus SIGCHLD. */
#ifndef BERTH_SIGNALS_H
#define BERTH_SIGNALS_H

#include <signal.h>

/* SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGWINCH and
 * SIGCHLD; -1 with errno set on failure. */
int signals_watched(sigset_t *set);

#endif
