/* One descriptor over a unix socket (SCM_RIGHTS): the container's init
 * hands the monitor its terminal's master. */
#ifndef BERTH_FDPASS_H
#define BERTH_FDPASS_H

#include "report.h"

int fdpass_send(int sock, int fd, const char *step, struct failure *f);

/* *fd gets the descriptor (close-on-exec); EOF without one is ENODATA. */
int fdpass_receive(int sock, int *fd, const char *step, struct failure *f);

#endif
