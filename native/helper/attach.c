#include "attach.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "io.h"
#include "pty.h"

#define BACKLOG 16
/* What a terminal's line discipline takes as end of input (^D). */
#define TTY_EOF '\x04'

void attach_init(struct attach *a, const char *id)
{
	a->id = id;
	a->name = NULL;
	a->dir_fd = a->listen_fd = a->tty = a->sink = a->owner = -1;
	a->stdin_err = EBADF;
	a->len = a->off = 0;
	for (int i = 0; i < ATTACH_CLIENTS; i++)
		a->clients[i] = (struct attach_client){ .fd = -1 };
}

/* sun_path holds 108 bytes, a container's directory may need more. */
static int open_dir(struct attach *a, const char *path, struct failure *f)
{
	char dir[PATH_MAX];
	const char *slash = strrchr(path, '/');

	if (path[0] != '/' || !slash || slash[1] == '\0' || (size_t)(slash - path) >= sizeof(dir))
		return fail(f, "attach", EINVAL, "attach socket %s: not an absolute file path", path);
	memcpy(dir, path, (size_t)(slash - path));
	dir[slash - path] = '\0';
	a->name = slash + 1;
	a->dir_fd = open(dir[0] ? dir : "/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (a->dir_fd < 0)
		return fail(f, "attach", errno, "open %s", dir[0] ? dir : "/");
	/* A socket left by an earlier run of the container (its monitor killed). */
	if (unlinkat(a->dir_fd, a->name, 0) < 0 && errno != ENOENT)
		return fail(f, "attach", errno, "remove stale %s", path);
	return 0;
}

int attach_listen(struct attach *a, const char *path, struct failure *f)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	int n;

	if (open_dir(a, path, f) < 0)
		return -1;
	n = snprintf(addr.sun_path, sizeof(addr.sun_path), "/proc/self/fd/%d/%s", a->dir_fd, a->name);
	if (n < 0 || (size_t)n >= sizeof(addr.sun_path))
		return fail(f, "attach", ENAMETOOLONG, "attach socket name %s", a->name);
	a->listen_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (a->listen_fd < 0)
		return fail(f, "attach", errno, "socket for %s", path);
	if (bind(a->listen_fd, (struct sockaddr *)&addr, sizeof(addr)) < 0)
		return fail(f, "attach", errno, "bind %s", path);
	if (listen(a->listen_fd, BACKLOG) < 0)
		return fail(f, "attach", errno, "listen on %s", path);
	return 0;
}

int attach_set_stdio(struct attach *a, int in_fd, int master, bool open_stdin,
		     struct failure *f)
{
	a->sink = in_fd;
	if (master < 0)
		return 0;
	a->tty = fcntl(master, F_DUPFD_CLOEXEC, 3);
	if (a->tty < 0)
		return fail(f, "tty", errno, "dup the terminal's master");
	if (open_stdin)
		a->sink = a->tty;
	return 0;
}

void attach_events(const struct attach *a, struct pollfd *slots)
{
	bool pending = a->off < a->len, room = false;

	for (int i = 0; i < ATTACH_CLIENTS; i++) {
		/* One chunk of stdin at a time: clients wait while it is pending. */
		int fd = pending ? -1 : a->clients[i].fd;

		room |= a->clients[i].fd < 0;
		slots[2 + i] = (struct pollfd){ .fd = fd, .events = POLLIN };
	}
	/* A full table leaves newcomers in the backlog. */
	slots[0] = (struct pollfd){ .fd = room ? a->listen_fd : -1, .events = POLLIN };
	slots[1] = (struct pollfd){ .fd = pending ? a->sink : -1, .events = POLLOUT };
}

static void drop(struct attach *a, int i)
{
	io_close(&a->clients[i].fd);
	a->clients[i] = (struct attach_client){ .fd = -1 };
	if (a->owner == i)
		a->owner = -1;
}

/* Nine bytes rarely find a full buffer; a client that does not read its
 * acknowledgements loses its connection rather than stall the monitor. */
static void ack(struct attach *a, int i, int err)
{
	unsigned char frame[FRAME_HDR + 4] = { FRAME_ACK };
	ssize_t n;

	frame_put_u32(frame + 1, 4);
	frame_put_u32(frame + FRAME_HDR, (uint32_t)err);
	do
		n = send(a->clients[i].fd, frame, sizeof(frame), MSG_NOSIGNAL | MSG_DONTWAIT);
	while (n < 0 && errno == EINTR);
	if (n == (ssize_t)sizeof(frame))
		return;
	if (n < 0 && errno != EPIPE && errno != ECONNRESET)
		diag("%s: attach: acknowledge to client %d: %s", a->id, i, strerror(errno));
	drop(a, i);
}

/* Closing the pipe is the container's EOF; a terminal gets ^D instead,
 * as if typed (its master stays open for output). */
static int close_stdin(struct attach *a)
{
	int err = 0;

	if (a->sink < 0)
		return a->stdin_err;
	if (a->sink == a->tty) {
		if (write(a->sink, &(char){ TTY_EOF }, 1) < 0)
			err = errno;
		a->sink = -1;
	} else {
		io_close(&a->sink);
	}
	a->stdin_err = EPIPE;
	return err;
}

static void flush(struct attach *a)
{
	int err = 0, rc = io_write_some(a->sink, a->buf, a->len, &a->off);

	if (rc > 0)
		return;
	if (rc < 0) {
		/* EPIPE: the container closed its stdin (or ended). */
		err = errno;
		if (a->sink != a->tty)
			io_close(&a->sink);
		a->sink = -1;
		a->stdin_err = err;
	}
	a->len = a->off = 0;
	if (a->owner >= 0 && a->owner_ends)
		ack(a, a->owner, err);
	a->owner = -1;
}

static int control(struct attach *a, const struct frame_reader *r)
{
	unsigned cols = frame_get_u16(r->arg), rows = frame_get_u16(r->arg + 2);

	if (r->type == FRAME_CLOSE)
		return close_stdin(a);
	if (a->tty < 0)
		return ENOTTY;
	if (cols == 0 || rows == 0)
		return EINVAL;
	return pty_resize(a->tty, cols, rows);
}

static void on_client(struct attach *a, int i)
{
	struct attach_client *c = &a->clients[i];
	size_t n;

	switch (frame_read(&c->in, c->fd, a->buf, sizeof(a->buf), &n)) {
	case FRAME_AGAIN:
		return;
	case FRAME_EOF:
		drop(a, i);
		return;
	case FRAME_ERROR:
		if (errno != ECONNRESET)
			diag("%s: attach: client %d: %s", a->id, i, strerror(errno));
		drop(a, i);
		return;
	case FRAME_CONTROL:
		ack(a, i, control(a, &c->in));
		return;
	case FRAME_PAYLOAD:
		break;
	}
	/* Without a stdin the bytes are read and dropped, then refused. */
	a->len = a->sink >= 0 ? n : 0;
	a->off = 0;
	a->owner = i;
	a->owner_ends = c->in.left == 0;
	if (a->sink < 0 && a->owner_ends) {
		a->owner = -1;
		ack(a, i, a->stdin_err);
		return;
	}
	flush(a);
}

static void on_listen(struct attach *a)
{
	int fd = accept4(a->listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

	if (fd < 0) {
		if (errno != EAGAIN && errno != EINTR && errno != ECONNABORTED)
			diag("%s: attach: accept: %s", a->id, strerror(errno));
		return;
	}
	for (int i = 0; i < ATTACH_CLIENTS; i++) {
		if (a->clients[i].fd < 0) {
			a->clients[i] = (struct attach_client){ .fd = fd };
			return;
		}
	}
	io_close(&fd);
}

void attach_handle(struct attach *a, const struct pollfd *slots)
{
	if (slots[0].fd >= 0 && slots[0].revents)
		on_listen(a);
	if (slots[1].fd >= 0 && slots[1].revents)
		flush(a);
	for (int i = 0; i < ATTACH_CLIENTS; i++)
		if (slots[2 + i].fd >= 0 && slots[2 + i].revents && a->clients[i].fd >= 0 &&
		    a->off >= a->len)
			on_client(a, i);
}

void attach_close(struct attach *a)
{
	for (int i = 0; i < ATTACH_CLIENTS; i++)
		drop(a, i);
	if (a->sink != a->tty)
		io_close(&a->sink);
	a->sink = -1;
	io_close(&a->tty);
	io_close(&a->listen_fd);
	if (a->dir_fd >= 0 && unlinkat(a->dir_fd, a->name, 0) < 0 && errno != ENOENT)
		diag("%s: attach: remove socket %s: %s", a->id, a->name, strerror(errno));
	io_close(&a->dir_fd);
}
