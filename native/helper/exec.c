#include "exec.h"

#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char DEFAULT_PATH[] =
	"/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

/* Signal mask and ignored dispositions survive execve; the helper blocks
 * signals for its signalfd and ignores SIGPIPE, neither of which the
 * command should inherit. */
static int reset_signals(struct failure *f)
{
	sigset_t none;

	if (signal(SIGPIPE, SIG_DFL) == SIG_ERR)
		return fail(f, "exec", errno, "reset SIGPIPE");
	if (sigemptyset(&none) < 0 || sigprocmask(SIG_SETMASK, &none, NULL) < 0)
		return fail(f, "exec", errno, "clear the signal mask");
	return 0;
}

/* Marking rather than closing keeps the exec report pipe open until the
 * execve itself succeeds. */
static int close_extra_fds(struct failure *f)
{
	if (close_range(3, ~0U, CLOSE_RANGE_CLOEXEC) < 0)
		return fail(f, "exec", errno, "close_range from fd 3");
	return 0;
}

static const char *env_path(char *const *envp)
{
	for (; *envp; envp++)
		if (strncmp(*envp, "PATH=", 5) == 0)
			return *envp + 5;
	return DEFAULT_PATH;
}

/* Checks one PATH candidate; returns 0 if runnable, else the errno execvp
 * would remember for it. */
static int check_candidate(const char *path)
{
	struct stat st;

	if (stat(path, &st) < 0)
		return errno;
	if (!S_ISREG(st.st_mode))
		return EACCES;
	if (access(path, X_OK) < 0)
		return errno;
	return 0;
}

/* Like execvp: the first runnable match wins; EACCES beats ENOENT so a
 * present-but-unusable file is reported as such. */
static int resolve(const char *name, const char *search, char *out, size_t size)
{
	int result = ENOENT;

	for (const char *dir = search;; dir++) {
		const char *end = strchrnul(dir, ':');
		int dlen = (int)(end - dir);
		int n = snprintf(out, size, "%.*s/%s", dlen ? dlen : 1, dlen ? dir : ".", name);
		int err = n < 0 || (size_t)n >= size ? ENAMETOOLONG : check_candidate(out);

		if (err == 0)
			return 0;
		if (err == EACCES)
			result = EACCES;
		if (*end == '\0')
			return result;
		dir = end;
	}
}

int exec_command(char *const *argv, char *const *envp, struct failure *f)
{
	const char *name = argv[0];
	char path[PATH_MAX];
	int err;

	if (reset_signals(f) < 0 || close_extra_fds(f) < 0)
		return -1;
	if (strchr(name, '/')) {
		execve(name, argv, envp);
		return fail(f, "exec", errno, "exec %s", name);
	}
	/* After the user switch, so access() judges as the user would. */
	err = resolve(name, env_path(envp), path, sizeof(path));
	if (err)
		return fail(f, "exec", err, "exec %s (searched PATH=%s)", name, env_path(envp));
	execve(path, argv, envp);
	return fail(f, "exec", errno, "exec %s (%s)", name, path);
}
