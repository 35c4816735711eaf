#include "cgjoin.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/magic.h>
#include <linux/sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "io.h"

#ifndef CLONE_INTO_CGROUP
#define CLONE_INTO_CGROUP 0x200000000ULL
#endif

static int open_in(const char *dir, const char *file, int flags, struct failure *f)
{
	char path[PATH_MAX];
	int fd;

	if (snprintf(path, sizeof(path), "%s/%s", dir, file) >= (int)sizeof(path))
		return fail(f, "cgroup", ENAMETOOLONG, "%s/%s", dir, file);
	fd = open(path, flags | O_CLOEXEC);
	if (fd < 0)
		return fail(f, "cgroup", errno, "open %s", path);
	return fd;
}

static int is_cgroup2(const char *dir, bool *v2, struct failure *f)
{
	struct statfs st;

	if (statfs(dir, &st) < 0)
		return fail(f, "cgroup", errno, "statfs %s", dir);
	*v2 = st.f_type == CGROUP2_SUPER_MAGIC;
	return 0;
}

static int open_one(const char *dir, struct cgjoin *j, struct failure *f)
{
	bool v2 = false;
	int fd;

	if (is_cgroup2(dir, &v2, f) < 0)
		return -1;
	if (!v2 || j->v2_dir >= 0) {
		/* A second cgroup2 dir cannot be joined at birth: procs then. */
		fd = open_in(dir, v2 ? "cgroup.procs" : "tasks", O_WRONLY, f);
		if (fd < 0)
			return -1;
		j->v1_tasks[j->v1_len++] = fd;
		return 0;
	}
	j->v2_dir = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (j->v2_dir < 0)
		return fail(f, "cgroup", errno, "open %s", dir);
	j->v2_procs = open_in(dir, "cgroup.procs", O_WRONLY, f);
	return j->v2_procs < 0 ? -1 : 0;
}

int cgjoin_open(const struct strlist *dirs, struct cgjoin *j, struct failure *f)
{
	*j = (struct cgjoin){ .v2_dir = -1, .v2_procs = -1 };
	j->v1_tasks = calloc(dirs->len + 1, sizeof(int));
	if (!j->v1_tasks)
		return fail(f, "cgroup", ENOMEM, "cgroup fds");
	for (size_t i = 0; i < dirs->len; i++)
		if (open_one(dirs->items[i], j, f) < 0)
			return -1;
	return 0;
}

static pid_t clone3_into(unsigned long flags, int cgroup)
{
	struct clone_args args;

	memset(&args, 0, sizeof(args));
	args.flags = flags | (cgroup >= 0 ? CLONE_INTO_CGROUP : 0);
	args.exit_signal = SIGCHLD;
	args.cgroup = cgroup >= 0 ? (uint64_t)cgroup : 0;
	return (pid_t)syscall(SYS_clone3, &args, sizeof(args));
}

pid_t cgjoin_clone(struct cgjoin *j, unsigned long flags, struct failure *f)
{
	pid_t pid = clone3_into(flags, j->v2_dir);

	if (pid == 0)
		j->v2_placed = j->v2_dir >= 0;
	/* Kernels before 5.7 know no CLONE_INTO_CGROUP (E2BIG, EINVAL),
	 * before 5.3 no clone3: the child then joins through cgroup.procs. */
	if (pid < 0 && j->v2_dir >= 0 && (errno == E2BIG || errno == EINVAL))
		pid = clone3_into(flags, -1);
	if (pid < 0 && errno == ENOSYS)
		/* Fork-like (no new stack); the argument order after flags
		 * differs between architectures, but all of them are 0. */
		pid = (pid_t)syscall(SYS_clone, flags | SIGCHLD, 0, 0, 0, 0);
	if (pid < 0)
		return fail(f, "clone", errno, "clone a process into the container");
	return pid;
}

int cgjoin_enter(const struct cgjoin *j, struct failure *f)
{
	/* "0" is the writer itself, whatever its pid namespace calls it. */
	for (size_t i = 0; i < j->v1_len; i++)
		if (io_write_all(j->v1_tasks[i], "0", 1) < 0)
			return fail(f, "cgroup", errno, "join cgroup %zu of %zu", i + 1, j->v1_len);
	if (j->v2_procs >= 0 && !j->v2_placed && io_write_all(j->v2_procs, "0", 1) < 0)
		return fail(f, "cgroup", errno, "join the cgroup2 cgroup");
	return 0;
}

void cgjoin_close(struct cgjoin *j)
{
	io_close(&j->v2_dir);
	io_close(&j->v2_procs);
	for (size_t i = 0; j->v1_tasks && i < j->v1_len; i++)
		io_close(&j->v1_tasks[i]);
	free(j->v1_tasks);
	j->v1_tasks = NULL;
	j->v1_len = 0;
}
