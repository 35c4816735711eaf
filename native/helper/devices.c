#include "devices.h"

#include <errno.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "rootfs.h"

struct device {
	const char *path;
	unsigned int major;
	unsigned int minor;
};

static const struct device devices[] = {
	{ "dev/null", 1, 3 },    { "dev/zero", 1, 5 },
	{ "dev/full", 1, 7 },    { "dev/random", 1, 8 },
	{ "dev/urandom", 1, 9 }, { "dev/tty", 5, 0 },
};

struct link {
	const char *path;
	const char *target;
};

static const struct link links[] = {
	{ "dev/ptmx", "pts/ptmx" },
	{ "dev/fd", "/proc/self/fd" },
	{ "dev/stdin", "/proc/self/fd/0" },
	{ "dev/stdout", "/proc/self/fd/1" },
	{ "dev/stderr", "/proc/self/fd/2" },
};

#define N(a) (sizeof(a) / sizeof((a)[0]))

static int make_nodes(const char *root, struct failure *f)
{
	for (size_t i = 0; i < N(devices); i++) {
		const struct device *d = &devices[i];

		if (mknod(d->path, S_IFCHR | 0666, makedev(d->major, d->minor)) < 0)
			return fail(f, "mknod", errno, "mknod %s/%s", root, d->path);
		/* mknod honours the umask; the nodes must be world-usable. */
		if (chmod(d->path, 0666) < 0)
			return fail(f, "mknod", errno, "chmod %s/%s", root, d->path);
	}
	return 0;
}

static int make_links(const char *root, struct failure *f)
{
	for (size_t i = 0; i < N(links); i++)
		if (symlink(links[i].target, links[i].path) < 0)
			return fail(f, "mount-dev", errno, "symlink %s/%s -> %s",
				    root, links[i].path, links[i].target);
	return 0;
}

static int mount_fs(const char *root, const char *path, const char *fstype,
		    unsigned long flags, const char *data, const char *step,
		    struct failure *f)
{
	if (mount(fstype, path, fstype, flags, data) < 0)
		return fail(f, step, errno, "mount %s on %s/%s (%s)", fstype, root,
			    path, data);
	return 0;
}

static int make_dir(const char *root, const char *path, mode_t mode,
		    const char *step, struct failure *f)
{
	if (mkdir(path, mode) < 0)
		return fail(f, step, errno, "mkdir %s/%s", root, path);
	return 0;
}

/* /dev/pts is a private devpts instance so the container cannot reach the
 * host's terminals; /dev/shm is capped because tmpfs counts against RAM. */
static int mount_pts_shm(const char *root, struct failure *f)
{
	const unsigned long safe = MS_NOSUID | MS_NODEV | MS_NOEXEC;

	if (make_dir(root, "dev/pts", 0755, "mount-devpts", f) < 0 ||
	    mount_fs(root, "dev/pts", "devpts", MS_NOSUID | MS_NOEXEC,
		     "newinstance,ptmxmode=0666,mode=0620,gid=5", "mount-devpts", f) < 0 ||
	    make_dir(root, "dev/shm", 01777, "mount-shm", f) < 0 ||
	    mount_fs(root, "dev/shm", "tmpfs", safe, "mode=1777,size=65536k",
		     "mount-shm", f) < 0)
		return -1;
	return 0;
}

int devices_setup(const char *root, struct failure *f)
{
	if (rootfs_mount_dir(root, "dev", "mount-dev", f) < 0 ||
	    mount_fs(root, "dev", "tmpfs", MS_NOSUID, "mode=755,size=65536k",
		     "mount-dev", f) < 0 ||
	    make_nodes(root, f) < 0 ||
	    mount_pts_shm(root, f) < 0 ||
	    make_links(root, f) < 0)
		return -1;
	return 0;
}
