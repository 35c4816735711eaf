#include "ttyrelay.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "io.h"
#include "report.h"

#define OUT_CHUNK 16384
#define TTY_EOF '\x04'

void relay_init(struct relay *r, int in_fd, int master, int out_fd)
{
	memset(r, 0, sizeof(*r));
	r->in_fd = in_fd;
	r->master = master;
	r->out_fd = out_fd;
}

void relay_events(const struct relay *r, struct pollfd *in, struct pollfd *master)
{
	/* One buffer of input at a time: stdin waits while it is pending. */
	*in = (struct pollfd){ .fd = r->in_done || r->in_len ? -1 : r->in_fd, .events = POLLIN };
	*master = (struct pollfd){ .fd = r->out_done ? -1 : r->master,
				   .events = (short)(POLLIN | (r->in_len ? POLLOUT : 0)) };
}

static void flush_input(struct relay *r)
{
	int rc = io_write_some(r->master, r->in_buf, r->in_len, &r->in_off);

	if (rc > 0)
		return;
	/* The terminal is gone; so is the point of more input. */
	if (rc < 0)
		r->in_done = true;
	r->in_len = r->in_off = 0;
}

static void read_input(struct relay *r)
{
	ssize_t n = io_read(r->in_fd, r->in_buf, sizeof(r->in_buf));

	if (n < 0)
		diag("exec: read stdin: %s", strerror(errno));
	if (n <= 0) {
		/* The end of stdin is typed as the terminal's EOF (^D), as an
		 * attach client's close is (PROTOCOL.md, "Attach"). */
		r->in_done = true;
		r->in_buf[0] = TTY_EOF;
		r->in_len = 1;
		r->in_off = 0;
		flush_input(r);
		return;
	}
	r->in_len = (size_t)n;
	r->in_off = 0;
	flush_input(r);
}

/* Returns false when nothing more is there for now. */
static bool copy_output(struct relay *r)
{
	char buf[OUT_CHUNK];
	ssize_t n = read(r->master, buf, sizeof(buf));

	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return false;
	if (n <= 0) {
		/* EIO: every slave fd is closed. */
		r->out_done = true;
		return false;
	}
	if (!r->out_broken && io_write_all(r->out_fd, buf, (size_t)n) < 0) {
		diag("exec: write stdout: %s; dropping further output", strerror(errno));
		r->out_broken = true;
	}
	return true;
}

void relay_handle(struct relay *r, const struct pollfd *in, const struct pollfd *master)
{
	if (in->fd >= 0 && in->revents)
		read_input(r);
	if (master->fd >= 0 && (master->revents & (POLLIN | POLLHUP | POLLERR)))
		copy_output(r);
	if (master->fd >= 0 && (master->revents & POLLOUT))
		flush_input(r);
}

void relay_drain(struct relay *r)
{
	while (!r->out_done && copy_output(r))
		;
}
