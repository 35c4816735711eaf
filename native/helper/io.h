/* read/write that survive EINTR and descriptors someone else made
 * non-blocking (Node may hand us socketpairs in O_NONBLOCK mode). */
#ifndef BERTH_IO_H
#define BERTH_IO_H

#include <stddef.h>
#include <sys/types.h>

/* Returns bytes read, 0 at EOF, -1 with errno set. */
ssize_t io_read(int fd, void *buf, size_t len);

/* Returns 0 when everything was written, -1 with errno set. */
int io_write_all(int fd, const void *buf, size_t len);

/* Writes what a non-blocking fd takes now, from buf + *off up to len,
 * advancing *off. Returns 0 once all is written, 1 when the fd would block
 * (poll for POLLOUT), -1 with errno set on failure (EIO for a 0 write). */
int io_write_some(int fd, const void *buf, size_t len, size_t *off);

/* Closes *fd unless it is -1 (a failure goes to stderr) and sets it to -1,
 * so it is safe to call twice. */
void io_close(int *fd);

#endif
