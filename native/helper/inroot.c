#include "inroot.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

int inroot_open(int root_fd, const char *path, int *fd)
{
	struct open_how how = {
		.flags = O_PATH | O_CLOEXEC,
		.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
	};

	/* An empty relative path means the root itself. */
	path += strspn(path, "/");
	*fd = (int)syscall(SYS_openat2, root_fd, *path ? path : ".", &how, sizeof(how));
	return *fd < 0 ? -1 : 0;
}

/* Creates `name` in parent_fd; EEXIST is fine (a racing or dangling entry
 * is caught when the path is opened again). O_EXCL never follows a link. */
static int create_entry(int parent_fd, const char *name, bool file)
{
	int fd;

	if (!file)
		return mkdirat(parent_fd, name, 0755) < 0 && errno != EEXIST ? -1 : 0;
	fd = openat(parent_fd, name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (fd < 0)
		return errno == EEXIST ? 0 : -1;
	close(fd);
	return 0;
}

/* One component: open prefix `buf` (ending at `end`), creating it in
 * *parent if missing, then make it the new parent. */
static int step_into(int root_fd, char *buf, bool file, int *parent)
{
	const char *name = strrchr(buf, '/');
	int fd;

	name = name ? name + 1 : buf;
	if (inroot_open(root_fd, buf, &fd) < 0) {
		if (errno != ENOENT || create_entry(*parent, name, file) < 0)
			return -1;
		/* Still ENOENT here: `name` is a symlink to nowhere. */
		if (inroot_open(root_fd, buf, &fd) < 0)
			return -1;
	}
	if (*parent != root_fd)
		close(*parent);
	*parent = fd;
	return 0;
}

int inroot_create(int root_fd, const char *path, bool file, int *fd, const char *step,
		  struct failure *f)
{
	char buf[PATH_MAX];
	const char *rel = path + strspn(path, "/");
	int parent = root_fd;

	if (inroot_open(root_fd, rel, fd) == 0)
		return 0;
	if (errno != ENOENT)
		return fail(f, step, errno, "resolve %s inside the container", path);
	if (snprintf(buf, sizeof(buf), "%s", rel) >= (int)sizeof(buf))
		return fail(f, step, ENAMETOOLONG, "%s", path);
	for (char *p = buf;; p++) {
		bool last = *p == '\0';

		if (*p != '/' && !last)
			continue;
		*p = '\0';
		if (p > buf && p[-1] != '/' && step_into(root_fd, buf, last && file, &parent) < 0) {
			int err = errno;

			if (parent != root_fd)
				close(parent);
			return fail(f, step, err, "create %s inside the container (at %s)", path, buf);
		}
		if (last)
			break;
		*p = '/';
	}
	*fd = parent;
	return 0;
}

void inroot_fd_path(int fd, char *buf, unsigned long size)
{
	snprintf(buf, size, "/proc/self/fd/%d", fd);
}
