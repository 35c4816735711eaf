#include "report.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "io.h"

int fail(struct failure *f, const char *step, int err, const char *fmt, ...)
{
	va_list ap;
	int n;

	f->step = step;
	f->err = err;
	va_start(ap, fmt);
	n = vsnprintf(f->msg, sizeof(f->msg), fmt, ap);
	va_end(ap);
	if (n < 0)
		n = 0;
	if (err != 0 && (size_t)n < sizeof(f->msg))
		snprintf(f->msg + n, sizeof(f->msg) - (size_t)n, ": %s", strerror(err));
	return -1;
}

/* Tabs and newlines would break the line-and-field framing of events. */
static void sanitize(char *s)
{
	for (; *s; s++)
		if (*s == '\t' || *s == '\n' || *s == '\r')
			*s = ' ';
}

size_t failure_line(const struct failure *f, char *buf, size_t size)
{
	char msg[sizeof(f->msg)];
	int n;

	memcpy(msg, f->msg, sizeof(msg));
	msg[sizeof(msg) - 1] = '\0';
	sanitize(msg);
	n = snprintf(buf, size, "error\t%s\t%d\t%s\n",
		     f->step ? f->step : "unknown", f->err, msg);
	if (n < 0)
		return 0;
	if ((size_t)n >= size) {
		/* Truncated: keep the line terminated so the framing holds. */
		buf[size - 2] = '\n';
		return size - 1;
	}
	return (size_t)n;
}

/* A dead reader on fd 4 is not fatal: the lifeline tells us the owner is
 * gone, and the exit file still records the outcome. */
void report_raw(const char *line, size_t len)
{
	if (io_write_all(STATUS_FD, line, len) < 0 && errno != EPIPE)
		diag("status pipe: %s", strerror(errno));
}

void failure_send(int fd, const struct failure *f)
{
	/* The record is smaller than PIPE_BUF, so the write is atomic. If it
	 * fails the reader is gone and there is no one left to tell. */
	if (io_write_all(fd, f, sizeof(*f)) < 0)
		return;
}

int failure_receive(int fd, struct failure *f)
{
	struct failure child;
	size_t got = 0;

	while (got < sizeof(child)) {
		ssize_t n = io_read(fd, (char *)&child + got, sizeof(child) - got);

		if (n < 0)
			return fail(f, "exec", errno, "read the exec report pipe");
		if (n == 0)
			break;
		got += (size_t)n;
	}
	if (got == 0)
		return 0;
	if (got != sizeof(child))
		return fail(f, "exec", EPROTO, "short setup report (%zu bytes)", got);
	*f = child;
	f->msg[sizeof(f->msg) - 1] = '\0';
	return -1;
}

void report_failure(const struct failure *f)
{
	char line[sizeof(f->msg) + 64];
	size_t len = failure_line(f, line, sizeof(line));

	report_raw(line, len);
}

static void report_fmt(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void report_fmt(const char *fmt, ...)
{
	char line[128];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (n > 0 && (size_t)n < sizeof(line))
		report_raw(line, (size_t)n);
}

void report_pid(pid_t pid)
{
	report_fmt("pid\t%d\n", (int)pid);
}

void report_started(void)
{
	report_fmt("started\n");
}

void report_exit(int code, int sig, int oom)
{
	if (oom < 0)
		report_fmt("exit\t%d\t%d\n", code, sig);
	else
		report_fmt("exit\t%d\t%d\t%d\n", code, sig, oom);
}

void report_ack(int err)
{
	report_fmt("ack\t%d\n", err);
}

void diag(const char *fmt, ...)
{
	char line[1200];
	va_list ap;
	int n;

	n = snprintf(line, sizeof(line), "berth-helper: ");
	va_start(ap, fmt);
	n += vsnprintf(line + n, sizeof(line) - (size_t)n - 1, fmt, ap);
	va_end(ap);
	if ((size_t)n > sizeof(line) - 2)
		n = sizeof(line) - 2;
	line[n++] = '\n';
	/* Best effort: there is nowhere left to report a broken stderr. */
	if (io_write_all(STDERR_FILENO, line, (size_t)n) < 0)
		return;
}
