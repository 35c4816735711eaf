#include "monitor.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "attach.h"
#include "cgroups.h"
#include "cleanup.h"
#include "io.h"

#define FRAME_HEADER 13
#define FRAME_PAYLOAD (64 * 1024)

enum { P_SIGNAL, P_STDOUT, P_STDERR, P_LIFELINE, P_ATTACH, P_COUNT = P_ATTACH + ATTACH_SLOTS };

struct monitor {
	const struct spec *spec;
	struct container *c;
	struct attach *attach;
	struct pollfd fds[P_COUNT];
	int log_fd;
	bool reaped;
	bool lifeline_broken;
	bool log_broken;
	int status;
	struct timespec finished;
	unsigned char *frame;
};

static uint64_t now_ns(void)
{
	struct timespec ts;

	/* CLOCK_REALTIME cannot fail with a valid clock id and pointer. */
	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void put_le(unsigned char *p, uint64_t v, int bytes)
{
	for (int i = 0; i < bytes; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

/* A full disk must not stall the container, so a failing log is reported
 * once and output is then drained and dropped. */
static void log_frame(struct monitor *m, int stream, size_t len, uint64_t ts)
{
	m->frame[0] = (unsigned char)stream;
	put_le(m->frame + 1, ts, 8);
	put_le(m->frame + 9, len, 4);
	if (m->log_broken || io_write_all(m->log_fd, m->frame, FRAME_HEADER + len) == 0)
		return;
	m->log_broken = true;
	diag("%s: write log %s: %s; dropping further output", m->spec->id,
	     m->spec->log, strerror(errno));
}

static void close_slot(struct monitor *m, int slot)
{
	if (m->fds[slot].fd >= 0 && close(m->fds[slot].fd) < 0)
		diag("%s: close fd %d: %s", m->spec->id, m->fds[slot].fd, strerror(errno));
	/* poll() skips negative descriptors. */
	m->fds[slot].fd = -1;
}

static void drain(struct monitor *m, int slot, int stream)
{
	ssize_t n = io_read(m->fds[slot].fd, m->frame + FRAME_HEADER, FRAME_PAYLOAD);

	if (n > 0) {
		log_frame(m, stream, (size_t)n, now_ns());
		return;
	}
	/* A terminal's master says EIO once every slave fd is closed. */
	if (n < 0 && errno != EIO)
		diag("%s: read container stream %d: %s", m->spec->id, stream, strerror(errno));
	close_slot(m, slot);
}

static void kill_init(struct monitor *m, int sig)
{
	/* Until it is reaped the pid cannot be reused, so this is race-free. */
	if (!m->reaped && kill(m->c->pid, sig) < 0 && errno != ESRCH)
		diag("%s: kill %d with %d: %s", m->spec->id, (int)m->c->pid, sig, strerror(errno));
}

static void reap(struct monitor *m)
{
	pid_t r;

	do
		r = waitpid(m->c->pid, &m->status, WNOHANG);
	while (r < 0 && errno == EINTR);
	if (r == m->c->pid) {
		clock_gettime(CLOCK_REALTIME, &m->finished);
		m->reaped = true;
	} else if (r < 0) {
		diag("%s: waitpid %d: %s", m->spec->id, (int)m->c->pid, strerror(errno));
	}
}

static void on_signal(struct monitor *m)
{
	struct signalfd_siginfo si;
	ssize_t n = io_read(m->fds[P_SIGNAL].fd, &si, sizeof(si));

	if (n != (ssize_t)sizeof(si)) {
		diag("%s: read signalfd: %s", m->spec->id, n < 0 ? strerror(errno) : "short read");
		return;
	}
	if (si.ssi_signo == SIGCHLD)
		reap(m);
	else
		kill_init(m, (int)si.ssi_signo);
}

/* Bytes after the go byte carry no meaning yet; only EOF matters. */
static void on_lifeline(struct monitor *m)
{
	char buf[64];
	ssize_t n = io_read(m->fds[P_LIFELINE].fd, buf, sizeof(buf));

	if (n > 0)
		return;
	close_slot(m, P_LIFELINE);
	m->lifeline_broken = true;
	kill_init(m, SIGKILL);
}

static void dispatch(struct monitor *m)
{
	if (m->fds[P_SIGNAL].revents)
		on_signal(m);
	if (m->fds[P_STDOUT].revents)
		drain(m, P_STDOUT, 1);
	if (m->fds[P_STDERR].revents)
		drain(m, P_STDERR, 2);
	if (m->fds[P_LIFELINE].revents)
		on_lifeline(m);
	attach_handle(m->attach, &m->fds[P_ATTACH]);
}

static int write_exitfile(const struct monitor *m, int code, int sig, int oom,
			  struct failure *f)
{
	char tmp[PATH_MAX], body[160];
	long long ms = (long long)m->finished.tv_sec * 1000 + m->finished.tv_nsec / 1000000;
	int len = snprintf(body, sizeof(body),
			   "{\"exitCode\":%d,\"signal\":%d,\"finishedAtMs\":%lld,\"oomKilled\":%s}",
			   code, sig, ms, oom ? "true" : "false");
	int fd;

	if (snprintf(tmp, sizeof(tmp), "%s.tmp", m->spec->exitfile) >= (int)sizeof(tmp))
		return fail(f, "write-exitfile", ENAMETOOLONG, "%s.tmp", m->spec->exitfile);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return fail(f, "write-exitfile", errno, "open %s", tmp);
	if (io_write_all(fd, body, (size_t)len) < 0) {
		int err = errno;

		close(fd);
		return fail(f, "write-exitfile", err, "write %s", tmp);
	}
	if (close(fd) < 0)
		return fail(f, "write-exitfile", errno, "close %s", tmp);
	if (rename(tmp, m->spec->exitfile) < 0)
		return fail(f, "write-exitfile", errno, "rename %s to %s", tmp, m->spec->exitfile);
	return 0;
}

/* The OOM counter is read, and the cgroups removed, before the exit is
 * recorded: whoever sees the exit finds the cgroups gone. */
static int finish(struct monitor *m)
{
	struct failure f = { 0 };
	int code, sig = 0, oom;

	if (WIFSIGNALED(m->status)) {
		sig = WTERMSIG(m->status);
		code = 128 + sig;
	} else {
		code = WEXITSTATUS(m->status);
	}
	oom = cgroups_oom_killed(&m->spec->oom_events, m->spec->id);
	cgroups_remove(&m->spec->cgroup_cleanup, m->spec->id);
	if (write_exitfile(m, code, sig, oom, &f) < 0) {
		report_failure(&f);
		return 1;
	}
	report_exit(code, sig, oom);
	return 0;
}

void monitor_orphan_cleanup(const struct spec *s)
{
	struct failure f = { 0 };

	/* Nobody reads fd 4 any more, so problems go to stderr. */
	if (s->orphan_cleanup && cleanup_tree(s->orphan_cleanup, &f) < 0)
		diag("%s: %s: %s", s->id, f.step, f.msg);
}

static void init_fds(struct monitor *m, int sigfd)
{
	for (int i = 0; i < P_COUNT; i++)
		m->fds[i] = (struct pollfd){ .fd = -1, .events = POLLIN };
	m->fds[P_SIGNAL].fd = sigfd;
	m->fds[P_STDOUT].fd = m->c->out_fd;
	m->fds[P_STDERR].fd = m->c->err_fd;
	/* With a terminal everything the container writes comes through its
	 * master, logged as stdout (as Docker does); the pipes are unused. */
	if (m->c->tty_fd >= 0) {
		io_close(&m->c->out_fd);
		io_close(&m->c->err_fd);
		m->fds[P_STDOUT].fd = m->c->tty_fd;
		m->fds[P_STDERR].fd = -1;
	}
	/* The monitor now owns (and closes) the stream descriptors. */
	m->c->out_fd = m->c->err_fd = m->c->tty_fd = -1;
	if (m->spec->lifeline)
		m->fds[P_LIFELINE].fd = SPEC_FD;
}

/* Output can outlive the init only briefly: when a PID namespace's init
 * dies the kernel kills everything else in it, closing the pipes. */
static bool done(const struct monitor *m)
{
	return m->reaped && m->fds[P_STDOUT].fd < 0 && m->fds[P_STDERR].fd < 0;
}

/* poll() on a few descriptors only fails for lack of memory; give up on
 * the streams but still reap, so the end is recorded. */
static void poll_failed(struct monitor *m)
{
	diag("%s: poll: %s", m->spec->id, strerror(errno));
	kill_init(m, SIGKILL);
	while (waitpid(m->c->pid, &m->status, 0) < 0 && errno == EINTR)
		;
	clock_gettime(CLOCK_REALTIME, &m->finished);
	m->reaped = true;
}

static void loop(struct monitor *m)
{
	while (!done(m)) {
		attach_events(m->attach, &m->fds[P_ATTACH]);
		if (poll(m->fds, P_COUNT, -1) >= 0) {
			dispatch(m);
			continue;
		}
		if (errno != EINTR) {
			poll_failed(m);
			return;
		}
	}
}

int monitor_run(const struct spec *s, struct container *c, struct attach *attach, int sigfd,
		int log_fd)
{
	struct monitor m = { .spec = s, .c = c, .attach = attach, .log_fd = log_fd };
	struct failure f;
	int rc;

	m.frame = malloc(FRAME_HEADER + FRAME_PAYLOAD);
	if (!m.frame) {
		fail(&f, "monitor", ENOMEM, "log frame buffer");
		report_failure(&f);
		container_abort(c);
		return 1;
	}
	/* The stdin pipe now belongs to the attach socket. */
	if (attach_set_stdio(attach, c->in_fd, c->tty_fd, s->open_stdin, &f) < 0) {
		report_failure(&f);
		container_abort(c);
		free(m.frame);
		return 1;
	}
	c->in_fd = -1;
	init_fds(&m, sigfd);
	loop(&m);
	/* Gone before the exit is recorded: whoever sees the exit finds no socket. */
	attach_close(attach);
	rc = finish(&m);
	for (int i = P_STDOUT; i < P_ATTACH; i++)
		close_slot(&m, i);
	free(m.frame);
	if (m.lifeline_broken)
		monitor_orphan_cleanup(s);
	return rc;
}
