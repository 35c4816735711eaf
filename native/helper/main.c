/* berth-helper: creates one container and stays alive as its monitor
 * (run), runs one more process in a running container (exec), or holds
 * a container's filesystems mounted for the engine to copy files (view).
 * See PROTOCOL.md for the contract with the engine. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "attach.h"
#include "cgroups.h"
#include "console.h"
#include "container.h"
#include "execsession.h"
#include "io.h"
#include "monitor.h"
#include "report.h"
#include "signals.h"
#include "spec.h"
#include "view.h"

#define HELPER_VERSION "0.1.0"

/* pipe() must never hand out 0-2, or dup2 onto stdio in the init would
 * clobber our own descriptors. */
static int ensure_std_fds(struct failure *f)
{
	for (int fd = 0; fd <= 2; fd++) {
		int null;

		if (fcntl(fd, F_GETFD) >= 0)
			continue;
		if (errno != EBADF)
			return fail(f, "startup", errno, "fcntl fd %d", fd);
		null = open("/dev/null", O_RDWR);
		if (null < 0)
			return fail(f, "startup", errno, "open /dev/null");
		if (null != fd)
			return fail(f, "startup", EBADF, "fd %d still closed", fd);
	}
	return 0;
}

/* Whatever the engine's process leaked without close-on-exec (Node's
 * own parent may hand it pipes) would otherwise stay open as long as a
 * monitor lives, and keep someone's pipe from ever reaching EOF. */
static int close_inherited_fds(struct failure *f)
{
	if (close_range(STATUS_FD + 1, ~0U, 0) < 0)
		return fail(f, "startup", errno, "close_range from fd %d", STATUS_FD + 1);
	return 0;
}

/* Signals become events on a signalfd; they are blocked before clone so
 * none can slip in between. */
static int setup_signals(int *sigfd, struct failure *f)
{
	sigset_t set;

	/* A vanished engine must show up as EPIPE, not kill the monitor. */
	if (signal(SIGPIPE, SIG_IGN) == SIG_ERR)
		return fail(f, "startup", errno, "ignore SIGPIPE");
	if (signals_watched(&set) < 0 || sigprocmask(SIG_BLOCK, &set, NULL) < 0)
		return fail(f, "startup", errno, "block signals");
	*sigfd = signalfd(-1, &set, SFD_CLOEXEC);
	if (*sigfd < 0)
		return fail(f, "startup", errno, "signalfd");
	return 0;
}

static int open_log(const char *path, int *fd, struct failure *f)
{
	*fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
	if (*fd < 0)
		return fail(f, "open-log", errno, "open %s", path);
	return 0;
}

/* Until the go byte is readable or the init has ended its setup early. */
static int poll_go(struct container *c, bool *setup_ended, struct failure *f)
{
	struct pollfd fds[2] = { { .fd = SPEC_FD, .events = POLLIN },
				 { .fd = c->exec_fd, .events = POLLIN } };

	while (poll(fds, 2, -1) < 0)
		if (errno != EINTR)
			return fail(f, "wait-for-go", errno, "poll fd %d", SPEC_FD);
	*setup_ended = fds[0].revents == 0 && fds[1].revents != 0;
	return 0;
}

/* The go byte may already sit in the bytes read along with the spec. The
 * init sets up meanwhile, and a setup that fails is reported at once, not
 * after the go. *eof tells a vanished owner apart from a protocol error. */
static int await_go(const struct spec *s, struct container *c, bool *eof, struct failure *f)
{
	bool setup_ended = false;
	char b;
	ssize_t n;

	if (s->rest_len == 0 && poll_go(c, &setup_ended, f) < 0)
		return -1;
	if (setup_ended)
		return container_setup_failure(c, f);
	if (s->rest_len > 0) {
		b = s->rest[0];
		n = 1;
	} else {
		n = io_read(SPEC_FD, &b, 1);
	}
	*eof = n <= 0;
	if (n < 0)
		return fail(f, "wait-for-go", errno, "read fd %d", SPEC_FD);
	if (n == 0)
		return fail(f, "wait-for-go", 0, "fd %d closed before the go byte", SPEC_FD);
	if (b != 'g')
		return fail(f, "wait-for-go", EPROTO, "expected 'g' on fd %d, got 0x%02x",
			    SPEC_FD, (unsigned char)b);
	return 0;
}

/* Releases the init and waits until it exec'd; on failure it is gone.
 * *orphaned: the lifeline broke while we waited for the go. */
static int start(const struct spec *s, struct container *c, bool *orphaned,
		 struct failure *f)
{
	bool eof = false;

	report_pid(c->pid);
	if (s->wait_for_go && await_go(s, c, &eof, f) < 0) {
		*orphaned = s->lifeline && eof;
		container_abort(c);
		return -1;
	}
	/* The init sets up while it waits, so a failed setup shows up here as
	 * a release into a closed pipe; its own report says why. */
	if (container_release(c, f) < 0) {
		container_await_exec(c, f);
		container_abort(c);
		return -1;
	}
	if (container_await_exec(c, f) < 0) {
		container_abort(c);
		return -1;
	}
	report_started();
	return 0;
}

/* After `started`, so a failure here is reported late (see PROTOCOL.md). */
static int take_console(const struct spec *s, struct container *c, struct failure *f)
{
	if (!s->tty || console_receive(&c->console_fd, &c->tty_fd, f) == 0)
		return 0;
	container_abort(c);
	return -1;
}

/* The attach socket listens before the clone, so a failure needs no child
 * to clean up and the socket is there once the engine sees `started`. */
static int run_spec(const struct spec *s, int sigfd)
{
	struct failure f = { 0 };
	struct container c;
	struct attach attach;
	bool orphaned = false;
	int log_fd, rc;

	attach_init(&attach, s->id);
	if ((s->attach_socket && attach_listen(&attach, s->attach_socket, &f) < 0) ||
	    open_log(s->log, &log_fd, &f) < 0 || container_spawn(s, &c, &f) < 0) {
		report_failure(&f);
		attach_close(&attach);
		return 1;
	}
	if (start(s, &c, &orphaned, &f) < 0 || take_console(s, &c, &f) < 0) {
		report_failure(&f);
		attach_close(&attach);
		container_close_fds(&c);
		cgroups_remove(&s->cgroup_cleanup, s->id);
		if (orphaned)
			monitor_orphan_cleanup(s);
		return 1;
	}
	rc = monitor_run(s, &c, &attach, sigfd, log_fd);
	attach_close(&attach);
	container_close_fds(&c);
	return rc;
}

static int run(enum spec_mode mode)
{
	struct failure f = { 0 };
	struct spec s;
	int sigfd = -1, rc;

	if (ensure_std_fds(&f) < 0 || close_inherited_fds(&f) < 0 || setup_signals(&sigfd, &f) < 0 ||
	    spec_read(SPEC_FD, mode, &s, &f) < 0) {
		report_failure(&f);
		return 1;
	}
	if (mode == SPEC_VIEW)
		rc = view_serve(&s);
	else
		rc = mode == SPEC_RUN ? run_spec(&s, sigfd) : exec_session(&s, sigfd);
	spec_free(&s);
	return rc;
}

int main(int argc, char **argv)
{
	if (argc == 2 && strcmp(argv[1], "--version") == 0) {
		printf("berth-helper %s\n", HELPER_VERSION);
		return 0;
	}
	if (argc == 2 && strcmp(argv[1], "run") == 0)
		return run(SPEC_RUN);
	if (argc == 2 && strcmp(argv[1], "exec") == 0)
		return run(SPEC_EXEC);
	if (argc == 2 && strcmp(argv[1], "view") == 0)
		return run(SPEC_VIEW);
	fprintf(stderr, "usage: berth-helper run|exec|view\n       berth-helper --version\n"
			"(both read a spec on fd 3 and report on fd 4; see PROTOCOL.md)\n");
	return 2;
}
