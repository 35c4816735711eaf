/* tty=1 (run and exec): a pseudo-terminal from the container's own devpts. */
#ifndef BERTH_PTY_H
#define BERTH_PTY_H

#include "report.h"

/* Opens /dev/ptmx (after joining the container's mount namespace) and the
 * peer through the master fd (TIOCGPTPEER: no /dev/pts path lookup). The
 * master is non-blocking. */
int pty_open(int *master, int *slave, struct failure *f);

/* In the child: new session, the slave as controlling terminal and as
 * fds 0, 1 and 2. */
int pty_attach(int slave, struct failure *f);

/* Sets the terminal's size (TIOCSWINSZ on the master); the kernel sends
 * SIGWINCH to its foreground process group. Returns 0 or an errno. */
int pty_resize(int master, unsigned cols, unsigned rows);

#endif
