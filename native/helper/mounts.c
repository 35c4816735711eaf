#include "mounts.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "inroot.h"
#include "remount.h"

#define FD_PATH 32

static const char *step_of(const struct mount_entry *m)
{
	return m->kind == MOUNT_BIND ? "mount-bind" : "mount-tmpfs";
}

/* A file (or socket, device) is bound onto a file, a directory onto a
 * directory. */
static int source_is_file(const struct mount_entry *m, bool *file, struct failure *f)
{
	struct stat st;

	*file = false;
	if (m->kind != MOUNT_BIND)
		return 0;
	if (stat(m->source, &st) < 0)
		return fail(f, "mount-bind", errno, "bind source %s (for %s)", m->source, m->target);
	*file = !S_ISDIR(st.st_mode);
	return 0;
}

static int mount_new(const struct mount_entry *m, int fd, struct failure *f)
{
	char at[FD_PATH];

	inroot_fd_path(fd, at, sizeof(at));
	if (m->kind == MOUNT_BIND) {
		if (mount(m->source, at, NULL, MS_BIND | MS_REC, NULL) < 0)
			return fail(f, "mount-bind", errno, "bind %s on %s", m->source, m->target);
		return 0;
	}
	if (mount("tmpfs", at, "tmpfs", m->flags, m->data) < 0)
		return fail(f, "mount-tmpfs", errno, "mount tmpfs on %s (%s)", m->target, m->data);
	return 0;
}

/* Flags of a bind and any propagation need the new mount's own root, so
 * the target is looked up again: now it resolves to the mount. */
static int finish(int root_fd, const struct mount_entry *m, struct failure *f)
{
	bool remount = m->kind == MOUNT_BIND && m->flags != 0;
	char at[FD_PATH];
	int fd, rc = 0;

	if (!remount && !m->propagation)
		return 0;
	if (inroot_open(root_fd, m->target, &fd) < 0)
		return fail(f, step_of(m), errno, "reopen %s after mounting", m->target);
	inroot_fd_path(fd, at, sizeof(at));
	if (remount)
		rc = remount_add_flags(at, m->flags, step_of(m), m->target, f);
	if (rc == 0 && m->propagation && mount(NULL, at, NULL, m->propagation, NULL) < 0)
		rc = fail(f, step_of(m), errno, "set propagation %#lx of %s", m->propagation,
			  m->target);
	close(fd);
	return rc;
}

static int mount_one(int root_fd, const struct mount_entry *m, struct failure *f)
{
	bool file;
	int fd, rc;

	if (source_is_file(m, &file, f) < 0 ||
	    inroot_create(root_fd, m->target, file, &fd, step_of(m), f) < 0)
		return -1;
	rc = mount_new(m, fd, f);
	close(fd);
	return rc < 0 ? -1 : finish(root_fd, m, f);
}

int mounts_apply(const struct spec *s, struct failure *f)
{
	int root_fd, rc = 0;

	if (s->mount.len == 0)
		return 0;
	root_fd = open(".", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (root_fd < 0)
		return fail(f, "mount-bind", errno, "open the rootfs %s", s->mountpoint);
	for (size_t i = 0; rc == 0 && i < s->mount.len; i++)
		rc = mount_one(root_fd, &s->mounts[i], f);
	close(root_fd);
	return rc;
}
