#include "execsession.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cgjoin.h"
#include "execwait.h"
#include "io.h"
#include "launch.h"
#include "nsjoin.h"
#include "pty.h"
#include "report.h"

struct session {
	const struct spec *s;
	struct nsfds ns;
	struct cgjoin cgroups;
	int master;
	int slave;
	int report[2];
};

static void close_setup_fds(struct session *x)
{
	nsjoin_close(&x->ns);
	cgjoin_close(&x->cgroups);
	io_close(&x->slave);
	io_close(&x->report[1]);
}

/* Everything that can fail before the command exists, so it is reported
 * before `pid`. The cgroup files are opened while host paths resolve. */
static int prepare(struct session *x, struct failure *f)
{
	const struct spec *s = x->s;

	if (cgjoin_open(&s->cgroup, &x->cgroups, f) < 0 ||
	    nsjoin_open(s->target_pid, &x->ns, f) < 0 || nsjoin_enter(&x->ns, f) < 0)
		return -1;
	if (chdir(s->cwd) < 0)
		return fail(f, "chdir", errno, "chdir %s inside the container", s->cwd);
	if (s->tty && pty_open(&x->master, &x->slave, f) < 0)
		return -1;
	if (pipe2(x->report, O_CLOEXEC) < 0)
		return fail(f, "fork", errno, "create the exec report pipe");
	/* The child inherits this: until its execve it is the helper's binary
	 * with host fds, inside the container's PID namespace, and the
	 * container's root must not reach /proc/<pid>/exe or /proc/<pid>/fd
	 * (runc's CVE-2019-5736). execve makes the command dumpable again. */
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0)
		return fail(f, "fork", errno, "PR_SET_DUMPABLE 0");
	return 0;
}

/* A helper killed before PR_SET_PDEATHSIG took hold sends no signal, and
 * getppid() says 0 across the PID namespace; but its end of the report
 * pipe is closed then, which poll() shows as POLLERR on ours. */
static bool helper_gone(int report_w)
{
	struct pollfd p = { .fd = report_w, .events = POLLOUT };

	while (poll(&p, 1, 0) < 0)
		if (errno != EINTR)
			return false;
	return (p.revents & POLLERR) != 0;
}

/* The child joins the cgroups itself, then the cgroup namespace (whose
 * root is the container's cgroup), so the helper is never accounted to
 * the container. */
static int child_setup(struct session *x, struct failure *f)
{
	if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0)
		return fail(f, "pdeathsig", errno, "prctl PR_SET_PDEATHSIG");
	if (helper_gone(x->report[1]))
		_exit(137);
	if ((x->s->tty && pty_attach(x->slave, f) < 0) ||
	    cgjoin_enter(&x->cgroups, f) < 0 ||
	    nsjoin_enter_cgroup(&x->ns, f) < 0)
		return -1;
	umask(022);
	return launch_command(x->s, f);
}

static void child(struct session *x)
{
	struct failure f = { 0 };

	io_close(&x->report[0]);
	child_setup(x, &f);
	failure_send(x->report[1], &f);
	_exit(127);
}

static void reap_failed(pid_t pid)
{
	while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
		;
}

static int started(struct session *x, pid_t pid, int sigfd)
{
	struct failure f = { 0 };
	int rc;

	report_pid(pid);
	rc = failure_receive(x->report[0], &f);
	io_close(&x->report[0]);
	if (rc < 0) {
		report_failure(&f);
		reap_failed(pid);
		return 1;
	}
	report_started();
	rc = exec_wait(x->s, pid, sigfd, x->master);
	io_close(&x->master);
	return rc;
}

int exec_session(const struct spec *s, int sigfd)
{
	struct session x = { .s = s, .cgroups = { .v2_dir = -1, .v2_procs = -1 },
			     .master = -1, .slave = -1, .report = { -1, -1 } };
	struct failure f = { 0 };
	pid_t pid;

	if (prepare(&x, &f) < 0) {
		report_failure(&f);
		close_setup_fds(&x);
		return 1;
	}
	pid = cgjoin_clone(&x.cgroups, 0, &f);
	if (pid == 0)
		child(&x);
	/* Our copies would keep the terminal open and the report pipe alive. */
	close_setup_fds(&x);
	if (pid < 0) {
		report_failure(&f);
		io_close(&x.report[0]);
		io_close(&x.master);
		return 1;
	}
	return started(&x, pid, sigfd);
}
