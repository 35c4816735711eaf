#include "io.h"

#include <errno.h>
#include <poll.h>
#include <string.h>
#include <unistd.h>

#include "report.h"

/* The descriptor's file status flags may be shared with the process that
 * passed it, so we wait with poll() instead of clearing O_NONBLOCK. */
static int wait_ready(int fd, short events)
{
	struct pollfd p = { .fd = fd, .events = events };

	for (;;) {
		if (poll(&p, 1, -1) >= 0)
			return 0;
		if (errno != EINTR)
			return -1;
	}
}

ssize_t io_read(int fd, void *buf, size_t len)
{
	for (;;) {
		ssize_t n = read(fd, buf, len);

		if (n >= 0)
			return n;
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN || wait_ready(fd, POLLIN) < 0)
			return -1;
	}
}

int io_write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len > 0) {
		ssize_t n = write(fd, p, len);

		if (n > 0) {
			p += n;
			len -= (size_t)n;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN && wait_ready(fd, POLLOUT) == 0)
			continue;
		if (n == 0)
			errno = EIO;
		return -1;
	}
	return 0;
}

int io_write_some(int fd, const void *buf, size_t len, size_t *off)
{
	while (*off < len) {
		ssize_t n = write(fd, (const char *)buf + *off, len - *off);

		if (n > 0) {
			*off += (size_t)n;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return 1;
		if (n == 0)
			errno = EIO;
		return -1;
	}
	return 0;
}

void io_close(int *fd)
{
	if (*fd >= 0 && close(*fd) < 0)
		diag("close fd %d: %s", *fd, strerror(errno));
	*fd = -1;
}
