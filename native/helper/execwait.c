#include "execwait.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include "io.h"
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
	int status;
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

/* Only EOF matters: the owner is gone, and so must the command be. */
static void on_lifeline(struct waiter *w)
{
	char buf[64];

	if (io_read(SPEC_FD, buf, sizeof(buf)) > 0)
		return;
	w->lifeline = false;
	kill_command(w, SIGKILL);
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
			    .tty = master >= 0 };

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
