#include "execwait.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include "frame.h"
#include "io.h"
#include "pty.h"
#include "report.h"
#include "ttyrelay.h"

enum { W_SIGNAL, W_LIFELINE, W_STDIN, W_MASTER, W_COUNT };

struct waiter {
	const struct spec *s;
	pid_t pid;
	int sigfd;
	bool lifeline;
	bool tty;
	bool reaped;
	bool bad_frames; /* a malformed control frame: only EOF still matters */
	int status;
	int master;
	struct frame_reader control;
	struct relay relay;
	struct pollfd fds[W_COUNT];
};

static void kill_command(struct waiter *w, int sig)
{
	/* Not reaped yet, so the pid is still ours: no race. */
	if (!w->reaped && kill(w->pid, sig) < 0 && errno != ESRCH)
		diag("%s: kill %d with %d: %s", w->s->id, (int)w->pid, sig, strerror(errno));
}

static void reap(struct waiter *w)
{
	pid_t r;

	do
		r = waitpid(w->pid, &w->status, WNOHANG);
	while (r < 0 && errno == EINTR);
	if (r == w->pid)
		w->reaped = true;
	else if (r < 0)
		diag("%s: waitpid %d: %s", w->s->id, (int)w->pid, strerror(errno));
}

static void on_signal(struct waiter *w)
{
	struct signalfd_siginfo si;
	ssize_t n = io_read(w->sigfd, &si, sizeof(si));

	if (n != (ssize_t)sizeof(si)) {
		diag("%s: read signalfd: %s", w->s->id, n < 0 ? strerror(errno) : "short read");
		return;
	}
	if (si.ssi_signo == SIGCHLD)
		reap(w);
	else
		kill_command(w, (int)si.ssi_signo);
}

static void owner_gone(struct waiter *w)
{
	w->lifeline = false;
	kill_command(w, SIGKILL);
}

/* A resize is the only control frame an exec takes (stdin has fd 0). */
static int control(const struct waiter *w, const struct frame_reader *r)
{
	unsigned cols = frame_get_u16(r->arg), rows = frame_get_u16(r->arg + 2);

	if (r->type != FRAME_RESIZE)
		return EINVAL;
	if (w->master < 0)
		return ENOTTY;
	if (cols == 0 || rows == 0)
		return EINVAL;
	return pty_resize(w->master, cols, rows);
}

/* Control frames, each answered by an `ack` event; EOF means the owner
 * is gone, and so must the command be. */
static void on_lifeline(struct waiter *w)
{
	char discard[256];
	size_t n;

	if (w->bad_frames) {
		if (io_read(SPEC_FD, discard, sizeof(discard)) <= 0)
			owner_gone(w);
		return;
	}
	switch (frame_read(&w->control, SPEC_FD, discard, sizeof(discard), &n)) {
	case FRAME_AGAIN:
		return;
	case FRAME_CONTROL:
		report_ack(control(w, &w->control));
		return;
	case FRAME_PAYLOAD:
		if (w->control.left == 0)
			report_ack(EINVAL);
		return;
	case FRAME_ERROR:
		diag("%s: control frames on fd %d: %s; ignoring further frames", w->s->id, SPEC_FD,
		     strerror(errno));
		w->bad_frames = true;
		return;
	case FRAME_EOF:
		owner_gone(w);
		return;
	}
}

static void fill(struct waiter *w)
{
	w->fds[W_SIGNAL] = (struct pollfd){ .fd = w->sigfd, .events = POLLIN };
	w->fds[W_LIFELINE] = (struct pollfd){ .fd = w->lifeline ? SPEC_FD : -1, .events = POLLIN };
	w->fds[W_STDIN] = w->fds[W_MASTER] = (struct pollfd){ .fd = -1 };
	if (w->tty)
		relay_events(&w->relay, &w->fds[W_STDIN], &w->fds[W_MASTER]);
}

static void dispatch(struct waiter *w)
{
	if (w->fds[W_SIGNAL].revents)
		on_signal(w);
	if (w->fds[W_LIFELINE].fd >= 0 && w->fds[W_LIFELINE].revents)
		on_lifeline(w);
	if (w->tty)
		relay_handle(&w->relay, &w->fds[W_STDIN], &w->fds[W_MASTER]);
}

static int report_end(const struct waiter *w)
{
	int sig = WIFSIGNALED(w->status) ? WTERMSIG(w->status) : 0;

	report_exit(sig ? 128 + sig : WEXITSTATUS(w->status), sig, -1);
	return 0;
}

int exec_wait(const struct spec *s, pid_t pid, int sigfd, int master)
{
	struct waiter w = { .s = s, .pid = pid, .sigfd = sigfd, .lifeline = s->lifeline,
			    .tty = master >= 0, .master = master,
			    .control = { .pre = s->rest, .pre_len = s->rest_len } };

	/* Frames that arrived along with the spec. */
	while (w.lifeline && !w.bad_frames && w.control.pre_len > 0)
		on_lifeline(&w);
	if (w.tty)
		relay_init(&w.relay, STDIN_FILENO, master, STDOUT_FILENO);
	while (!w.reaped) {
		fill(&w);
		if (poll(w.fds, W_COUNT, -1) >= 0) {
			dispatch(&w);
			continue;
		}
		if (errno == EINTR)
			continue;
		diag("%s: poll: %s", s->id, strerror(errno));
		kill_command(&w, SIGKILL);
		while (waitpid(pid, &w.status, 0) < 0 && errno == EINTR)
			;
		w.reaped = true;
	}
	if (w.tty)
		relay_drain(&w.relay);
	return report_end(&w);
}
