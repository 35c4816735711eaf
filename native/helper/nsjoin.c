#include "nsjoin.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <unistd.h>

struct ns_info {
	const char *name;
	int flag;
};

static const struct ns_info info[NS_COUNT] = {
	[NS_IPC] = { "ipc", CLONE_NEWIPC },       [NS_UTS] = { "uts", CLONE_NEWUTS },
	[NS_NET] = { "net", CLONE_NEWNET },       [NS_PID] = { "pid", CLONE_NEWPID },
	[NS_MNT] = { "mnt", CLONE_NEWNS },        [NS_CGROUP] = { "cgroup", CLONE_NEWCGROUP },
};

static int open_all(int dir, int pid, struct nsfds *ns, struct failure *f)
{
	for (int i = 0; i < NS_COUNT; i++) {
		char path[32];

		snprintf(path, sizeof(path), "ns/%s", info[i].name);
		ns->fd[i] = openat(dir, path, O_RDONLY | O_CLOEXEC);
		if (ns->fd[i] < 0)
			return fail(f, "setns", errno, "open /proc/%d/%s", pid, path);
	}
	return 0;
}

int nsjoin_open(int pid, struct nsfds *ns, struct failure *f)
{
	char path[32];
	int dir, rc;

	for (int i = 0; i < NS_COUNT; i++)
		ns->fd[i] = -1;
	snprintf(path, sizeof(path), "/proc/%d", pid);
	dir = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (dir < 0)
		return fail(f, "setns", errno, "open %s (is the container running?)", path);
	rc = open_all(dir, pid, ns, f);
	close(dir);
	if (rc < 0)
		nsjoin_close(ns);
	return rc;
}

static int join(struct nsfds *ns, enum ns_kind kind, struct failure *f)
{
	if (setns(ns->fd[kind], info[kind].flag) < 0)
		return fail(f, "setns", errno, "join the %s namespace", info[kind].name);
	close(ns->fd[kind]);
	ns->fd[kind] = -1;
	return 0;
}

int nsjoin_enter(struct nsfds *ns, struct failure *f)
{
	static const enum ns_kind order[] = { NS_IPC, NS_UTS, NS_NET, NS_PID, NS_MNT };

	for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++)
		if (join(ns, order[i], f) < 0)
			return -1;
	return 0;
}

int nsjoin_enter_cgroup(struct nsfds *ns, struct failure *f)
{
	return join(ns, NS_CGROUP, f);
}

void nsjoin_close(struct nsfds *ns)
{
	for (int i = 0; i < NS_COUNT; i++) {
		if (ns->fd[i] >= 0)
			close(ns->fd[i]);
		ns->fd[i] = -1;
	}
}
