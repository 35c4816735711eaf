#include "container.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <net/if.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cgjoin.h"
#include "console.h"
#include "devices.h"
#include "exec.h"
#include "init.h"
#include "io.h"
#include "launch.h"
#include "masks.h"
#include "mounts.h"
#include "rootfs.h"

struct child_args {
	const struct spec *spec;
	const struct cgjoin *cgroups;
	int out_w;
	int err_w;
	int exec_w;
	int go_r;
	int in_r;    /* open_stdin without tty: the stdin pipe's read end, else -1 */
	int console; /* tty: the socket the terminal's master goes over, else -1 */
	/* The helper's ends, which the child's copy of the fd table holds too
	 * (-1 where there is none). */
	int parent_ends[6];
};

static int await_release(int go_r, struct failure *f)
{
	char b;
	ssize_t n = io_read(go_r, &b, 1);

	if (n < 0)
		return fail(f, "wait-for-go", errno, "read the release pipe");
	if (n == 0)
		return fail(f, "wait-for-go", 0, "helper went away before releasing the container");
	return 0;
}

/* With tty=1 the terminal replaces all three later, after pivot_root. */
static int setup_stdio(const struct child_args *a, struct failure *f)
{
	/* Opened before any mount so it is the host's /dev/null. */
	int in = a->in_r >= 0 ? a->in_r : open("/dev/null", O_RDONLY | O_CLOEXEC);

	if (in < 0)
		return fail(f, "stdio", errno, "open /dev/null");
	if (dup2(in, STDIN_FILENO) < 0 || dup2(a->out_w, STDOUT_FILENO) < 0 ||
	    dup2(a->err_w, STDERR_FILENO) < 0)
		return fail(f, "stdio", errno, "dup2 stdio");
	if (close(in) < 0)
		return fail(f, "stdio", errno, "close fd %d after dup2 onto stdin", in);
	return 0;
}

static int loopback_up(struct failure *f)
{
	struct ifreq ifr;
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	int rc = 0;

	if (fd < 0)
		return fail(f, "loopback-up", errno, "socket");
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "lo");
	if (ioctl(fd, SIOCGIFFLAGS, &ifr) < 0)
		rc = fail(f, "loopback-up", errno, "get flags of lo");
	ifr.ifr_flags |= IFF_UP;
	if (rc == 0 && ioctl(fd, SIOCSIFFLAGS, &ifr) < 0)
		rc = fail(f, "loopback-up", errno, "bring lo up");
	close(fd);
	return rc;
}

/* After pivot_root every lookup, symlinks included, stays inside the
 * container, so creating the cwd here cannot touch the host. */
static int enter_cwd(const char *cwd, struct failure *f)
{
	char path[PATH_MAX];
	size_t len = strlen(cwd);

	if (len >= sizeof(path))
		return fail(f, "chdir", ENAMETOOLONG, "cwd %s", cwd);
	memcpy(path, cwd, len + 1);
	for (char *p = path + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(path, 0755) < 0 && errno != EEXIST)
			return fail(f, "chdir", errno, "mkdir %s", path);
		*p = '/';
	}
	if (mkdir(path, 0755) < 0 && errno != EEXIST)
		return fail(f, "chdir", errno, "mkdir %s", path);
	if (chdir(path) < 0)
		return fail(f, "chdir", errno, "chdir %s", path);
	return 0;
}

static int set_hostname(const char *name, struct failure *f)
{
	if (sethostname(name, strlen(name)) < 0)
		return fail(f, "sethostname", errno, "sethostname '%s'", name);
	return 0;
}

/* Everything below the rootfs, then pivot_root into it. User mounts come
 * after /proc, /sys and /dev so they may land below /dev (e.g. /dev/shm). */
static int build_rootfs(const struct spec *s, struct failure *f)
{
	if (rootfs_make_private(f) < 0 || rootfs_mount_overlay(s, f) < 0 ||
	    rootfs_mount_kernel_fs(s->mountpoint, s->privileged, f) < 0 ||
	    devices_setup(s->mountpoint, f) < 0 || mounts_apply(s, f) < 0 ||
	    rootfs_pivot(s->mountpoint, f) < 0)
		return -1;
	return 0;
}

/* Inside the new root: the cwd is created before / may turn read-only. */
static int finish_rootfs(const struct spec *s, struct failure *f)
{
	if (set_hostname(s->hostname, f) < 0 || (!s->netns && loopback_up(f) < 0) ||
	    enter_cwd(s->cwd, f) < 0 || (!s->privileged && masks_apply(f) < 0) ||
	    (s->readonly_rootfs && masks_readonly_rootfs(f) < 0))
		return -1;
	return 0;
}

static int run_command(const struct child_args *a, struct failure *f)
{
	const struct spec *s = a->spec;
	char **envp;

	/* User, rlimits, capabilities, seccomp: the init drops to the
	 * command's privileges too (and forks it, with `init`). */
	if (launch_prepare(s, &envp, f) < 0)
		return -1;
	/* Everything so far ran while the engine attached the network. */
	if (await_release(a->go_r, f) < 0)
		return -1;
	if (!s->init)
		return exec_command((char *const *)s->arg.items, envp, f);
	return init_run((char *const *)s->arg.items, envp, a->exec_w, f);
}

/* The order follows PROTOCOL.md, "Container setup". */
static int child_setup(const struct child_args *a, struct failure *f)
{
	const struct spec *s = a->spec;

	/* The helper drains our stdout; without it we would only block. */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0)
		return fail(f, "pdeathsig", errno, "prctl PR_SET_PDEATHSIG");
	/* In its cgroups before the setup allocates anything, and the root of
	 * its cgroup namespace is the container's cgroup. */
	if (cgjoin_enter(a->cgroups, f) < 0)
		return -1;
	if (unshare(CLONE_NEWCGROUP) < 0)
		return fail(f, "unshare-cgroup", errno, "unshare the cgroup namespace");
	umask(022);
	if (setup_stdio(a, f) < 0 || build_rootfs(s, f) < 0 || finish_rootfs(s, f) < 0 ||
	    (s->tty && console_setup(a->console, f) < 0))
		return -1;
	return run_command(a, f);
}

static _Noreturn void child_main(const struct child_args *a)
{
	struct failure f = { 0 };

	/* Closed first: if the helper dies before PR_SET_PDEATHSIG takes hold,
	 * the release pipe then reads EOF instead of blocking us forever. */
	for (size_t i = 0; i < 6; i++)
		if (a->parent_ends[i] >= 0 && close(a->parent_ends[i]) < 0)
			diag("close inherited fd %d: %s", a->parent_ends[i], strerror(errno));
	child_setup(a, &f);
	/* No CLONE_VM: we are a copy of the helper's address space. */
	failure_send(a->exec_w, &f);
	_exit(127);
}

static int join_netns(const char *path, struct failure *f)
{
	/* Joined by the helper itself before clone: the init simply inherits
	 * it, and a failure needs no child to clean up. The helper never uses
	 * the network, so moving it is harmless. */
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return fail(f, "setns", errno, "open netns %s", path);
	if (setns(fd, CLONE_NEWNET) < 0) {
		int err = errno;

		close(fd);
		return fail(f, "setns", err, "join netns %s", path);
	}
	close(fd);
	return 0;
}

/* Index 0 is ours, index 1 goes to the child (or the other way for go
 * and in). in and console exist only when the spec asks for them. */
struct pipes {
	int out[2];
	int err[2];
	int exec[2];
	int go[2];
	int in[2];
	int console[2];
};

static void close_pipes(struct pipes *p)
{
	int *all = &p->out[0];

	for (size_t i = 0; i < sizeof(*p) / sizeof(int); i++)
		io_close(&all[i]);
}

static int make_pipes(struct pipes *p, bool want_in, bool want_console, struct failure *f)
{
	int *all = &p->out[0];

	for (size_t i = 0; i < sizeof(*p) / sizeof(int); i++)
		all[i] = -1;
	if (pipe2(p->out, O_CLOEXEC) < 0 || pipe2(p->err, O_CLOEXEC) < 0 ||
	    pipe2(p->exec, O_CLOEXEC) < 0 || pipe2(p->go, O_CLOEXEC) < 0 ||
	    (want_in && pipe2(p->in, O_CLOEXEC) < 0) ||
	    (want_console && socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, p->console) < 0)) {
		int err = errno;

		close_pipes(p);
		return fail(f, "clone", err, "create pipes");
	}
	/* The monitor must never block on a container that does not read. */
	if (want_in && fcntl(p->in[1], F_SETFL, O_NONBLOCK) < 0) {
		int err = errno;

		close_pipes(p);
		return fail(f, "clone", err, "make the stdin pipe non-blocking");
	}
	return 0;
}

static pid_t clone_init(const struct spec *s, struct child_args *a, struct failure *f)
{
	unsigned long flags = CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWPID;
	struct cgjoin cgroups;
	pid_t pid;

	if (!s->netns)
		flags |= CLONE_NEWNET;
	if (cgjoin_open(&s->cgroup, &cgroups, f) < 0) {
		cgjoin_close(&cgroups);
		return -1;
	}
	a->cgroups = &cgroups;
	pid = cgjoin_clone(&cgroups, flags, f);
	if (pid == 0)
		child_main(a);
	cgjoin_close(&cgroups);
	return pid;
}

int container_spawn(const struct spec *s, struct container *c, struct failure *f)
{
	struct pipes p;
	struct child_args a;
	pid_t pid;

	if (s->netns && join_netns(s->netns, f) < 0)
		return -1;
	if (make_pipes(&p, s->open_stdin && !s->tty, s->tty, f) < 0)
		return -1;
	a = (struct child_args){ .spec = s, .out_w = p.out[1], .err_w = p.err[1],
				 .exec_w = p.exec[1], .go_r = p.go[0], .in_r = p.in[0],
				 .console = p.console[1],
				 .parent_ends = { p.out[0], p.err[0], p.exec[0], p.go[1],
						  p.in[1], p.console[0] } };
	pid = clone_init(s, &a, f);
	io_close(&p.out[1]);
	io_close(&p.err[1]);
	io_close(&p.exec[1]);
	io_close(&p.go[0]);
	io_close(&p.in[0]);
	io_close(&p.console[1]);
	if (pid < 0) {
		close_pipes(&p);
		return -1;
	}
	*c = (struct container){ .pid = pid, .out_fd = p.out[0], .err_fd = p.err[0],
				 .exec_fd = p.exec[0], .go_fd = p.go[1], .in_fd = p.in[1],
				 .console_fd = p.console[0], .tty_fd = -1 };
	return 0;
}

int container_release(struct container *c, struct failure *f)
{
	int rc = 0;

	/* EPIPE here means the init died (was killed) before it was let go. */
	if (io_write_all(c->go_fd, "g", 1) < 0)
		rc = fail(f, "wait-for-go", errno, "release container init %d", (int)c->pid);
	io_close(&c->go_fd);
	return rc;
}

int container_await_exec(struct container *c, struct failure *f)
{
	int rc = failure_receive(c->exec_fd, f);

	io_close(&c->exec_fd);
	return rc;
}

int container_setup_failure(struct container *c, struct failure *f)
{
	if (container_await_exec(c, f) < 0)
		return -1;
	return fail(f, "wait-for-go", 0, "the container init %d ended before it was released",
		    (int)c->pid);
}

void container_abort(struct container *c)
{
	if (kill(c->pid, SIGKILL) < 0 && errno != ESRCH)
		diag("kill init %d: %s", (int)c->pid, strerror(errno));
	while (waitpid(c->pid, NULL, 0) < 0) {
		if (errno != EINTR) {
			diag("reap init %d: %s", (int)c->pid, strerror(errno));
			break;
		}
	}
}

void container_close_fds(struct container *c)
{
	io_close(&c->out_fd);
	io_close(&c->err_fd);
	io_close(&c->exec_fd);
	io_close(&c->go_fd);
	io_close(&c->in_fd);
	io_close(&c->console_fd);
	io_close(&c->tty_fd);
}
