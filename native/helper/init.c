#include "init.h"

#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "exec.h"
#include "signals.h"

/* Reaps every exited child (orphans are ours as PID 1); true once the
 * command itself is among them. */
static bool reap_all(pid_t command, int *status)
{
	bool done = false;
	pid_t p;
	int st;

	while ((p = waitpid(-1, &st, WNOHANG)) > 0) {
		if (p == command) {
			*status = st;
			done = true;
		}
	}
	return done;
}

static int exit_code(int status)
{
	return WIFSIGNALED(status) ? 128 + WTERMSIG(status) : WEXITSTATUS(status);
}

/* ESRCH: the command exited; its SIGCHLD is on the way. Our stderr is
 * the container's, so that is where a problem shows. */
static void forward(pid_t command, int sig)
{
	if (kill(command, sig) < 0 && errno != ESRCH)
		diag("init: forward signal %d to %d: %s", sig, (int)command, strerror(errno));
}

/* A signal that is blocked is delivered even to a namespace's init, so
 * sigwaitinfo sees what the monitor or the container sends us. */
static int supervise(pid_t command, const sigset_t *set)
{
	for (;;) {
		int sig = sigwaitinfo(set, NULL), status;

		if (sig < 0 && errno == EINTR)
			continue;
		if (sig < 0) {
			diag("init: sigwaitinfo: %s", strerror(errno));
			forward(command, SIGKILL);
			return 1;
		}
		if (sig != SIGCHLD)
			forward(command, sig);
		else if (reap_all(command, &status))
			return exit_code(status);
	}
}

static void run_command(char *const *argv, char *const *envp, int report_fd)
{
	struct failure f = { 0 };

	exec_command(argv, envp, &f);
	/* As the init would: the monitor turns this into the error event. */
	failure_send(report_fd, &f);
	_exit(127);
}

int init_run(char *const *argv, char *const *envp, int report_fd, struct failure *f)
{
	sigset_t set;
	pid_t pid;

	if (signals_watched(&set) < 0 || sigprocmask(SIG_BLOCK, &set, NULL) < 0)
		return fail(f, "init", errno, "block signals in the init");
	/* Before the fork: once the command runs, /proc/1/exe and /proc/1/mem
	 * (the helper's binary and memory) must already be out of its reach.
	 * The command's execve makes it dumpable again. */
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0)
		return fail(f, "init", errno, "PR_SET_DUMPABLE 0");
	pid = fork();
	if (pid < 0)
		return fail(f, "init", errno, "fork the command");
	if (pid == 0)
		run_command(argv, envp, report_fd);
	/* The monitor's EOF on the report pipe must mean "the command exec'd",
	 * so our copy goes now. */
	if (close(report_fd) < 0)
		diag("init: close the report pipe: %s", strerror(errno));
	_exit(supervise(pid, &set));
}
