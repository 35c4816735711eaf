/* run with tty=1: the container's terminal. The init opens it from the
 * container's own devpts (so /dev/pts/0 names it inside) and hands the
 * master to the monitor, which logs what the terminal writes and writes
 * attached stdin into it. */
#ifndef BERTH_CONSOLE_H
#define BERTH_CONSOLE_H

#include "report.h"

/* In the init, after pivot_root: a new terminal becomes its controlling
 * terminal and fds 0-2; the master goes over sock, then sock is closed. */
int console_setup(int sock, struct failure *f);

/* In the monitor, after `started`: the master the init sent (non-blocking,
 * close-on-exec). Closes sock. */
int console_receive(int *sock, int *master, struct failure *f);

#endif
