#include "rootfs.h"

#include <errno.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

int rootfs_make_private(struct failure *f)
{
	/* Without this, our mounts would propagate back to the host's shared
	 * mounts, and pivot_root refuses a shared parent mount. Slave, not
	 * private: host mounts still reach an rslave bind mount, while each
	 * mount's own propagation (rprivate by default) is set by mounts.c. */
	if (mount(NULL, "/", NULL, MS_REC | MS_SLAVE, NULL) < 0)
		return fail(f, "mount-private", errno, "make / recursively slave");
	return 0;
}

/* overlayfs splits its options on ',' and lowerdir on ':', and honours a
 * backslash escape for both; escape so any directory name works. */
static int append_escaped(char *buf, size_t size, size_t *len, const char *s)
{
	for (; *s; s++) {
		if (*s == '\\' || *s == ',' || *s == ':') {
			if (*len + 1 >= size)
				return -1;
			buf[(*len)++] = '\\';
		}
		if (*len + 1 >= size)
			return -1;
		buf[(*len)++] = *s;
	}
	buf[*len] = '\0';
	return 0;
}

static int append_plain(char *buf, size_t size, size_t *len, const char *s)
{
	size_t n = strlen(s);

	if (*len + n >= size)
		return -1;
	memcpy(buf + *len, s, n + 1);
	*len += n;
	return 0;
}

static int overlay_options(const struct spec *s, char *buf, size_t size)
{
	size_t len = 0;

	if (append_plain(buf, size, &len, "lowerdir=") < 0)
		return -1;
	for (size_t i = 0; i < s->lower.len; i++)
		if ((i > 0 && append_plain(buf, size, &len, ":") < 0) ||
		    append_escaped(buf, size, &len, s->lower.items[i]) < 0)
			return -1;
	if (append_plain(buf, size, &len, ",upperdir=") < 0 ||
	    append_escaped(buf, size, &len, s->upper) < 0 ||
	    append_plain(buf, size, &len, ",workdir=") < 0 ||
	    append_escaped(buf, size, &len, s->work) < 0)
		return -1;
	return 0;
}

int rootfs_mount_overlay(const struct spec *s, struct failure *f)
{
	/* mount(2) copies at most one page of option data. */
	long page = sysconf(_SC_PAGESIZE);
	char opts[65536];
	size_t limit = page > 0 && (size_t)page < sizeof(opts) ? (size_t)page : 4096;

	if (overlay_options(s, opts, limit) < 0)
		return fail(f, "mount-overlay", E2BIG,
			    "overlay options for %zu lower dirs exceed %zu bytes; "
			    "use shorter lower paths relative to lowerbase",
			    s->lower.len, limit - 1);
	if (chdir(s->lowerbase) < 0)
		return fail(f, "mount-overlay", errno, "chdir to lowerbase %s", s->lowerbase);
	if (mount("overlay", s->mountpoint, "overlay", 0, opts) < 0)
		return fail(f, "mount-overlay", errno, "mount overlay on %s (%s)",
			    s->mountpoint, opts);
	if (chdir(s->mountpoint) < 0)
		return fail(f, "mount-overlay", errno, "chdir to %s", s->mountpoint);
	return 0;
}

/* An image may ship /proc as a symlink; following it would mount outside
 * the rootfs, so only a real directory (or nothing) is accepted. */
int rootfs_mount_dir(const char *root, const char *name, const char *step,
		     struct failure *f)
{
	struct stat st;

	if (lstat(name, &st) == 0) {
		if (S_ISDIR(st.st_mode))
			return 0;
		return fail(f, step, ENOTDIR, "%s/%s exists and is not a directory",
			    root, name);
	}
	if (errno != ENOENT)
		return fail(f, step, errno, "lstat %s/%s", root, name);
	if (mkdir(name, 0755) < 0)
		return fail(f, step, errno, "mkdir %s/%s", root, name);
	return 0;
}

static int mount_at(const char *root, const char *name, const char *fstype,
		    unsigned long flags, const char *step, struct failure *f)
{
	if (rootfs_mount_dir(root, name, step, f) < 0)
		return -1;
	if (mount(fstype, name, fstype, flags, NULL) < 0)
		return fail(f, step, errno, "mount %s on %s/%s", fstype, root, name);
	return 0;
}

int rootfs_mount_kernel_fs(const char *root, bool privileged, struct failure *f)
{
	const unsigned long safe = MS_NOSUID | MS_NODEV | MS_NOEXEC;

	if (mount_at(root, "proc", "proc", safe, "mount-proc", f) < 0 ||
	    mount_at(root, "sys", "sysfs", safe | (privileged ? 0 : MS_RDONLY), "mount-sys", f) < 0)
		return -1;
	return 0;
}

int rootfs_pivot(const char *root, struct failure *f)
{
	/* pivot_root(".", ".") stacks the old root on top of the new one, so
	 * it can be detached without needing a directory to park it in. */
	if (syscall(SYS_pivot_root, ".", ".") < 0)
		return fail(f, "pivot-root", errno, "pivot_root into %s", root);
	if (umount2(".", MNT_DETACH) < 0)
		return fail(f, "pivot-root", errno, "detach the old root");
	if (chdir("/") < 0)
		return fail(f, "pivot-root", errno, "chdir to the new root");
	return 0;
}
