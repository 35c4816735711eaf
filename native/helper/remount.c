#include "remount.h"

#include <errno.h>
#include <sys/mount.h>
#include <sys/statvfs.h>

struct flag_map {
	unsigned long st;
	unsigned long ms;
};

static const struct flag_map flag_map[] = {
	{ ST_RDONLY, MS_RDONLY },     { ST_NOSUID, MS_NOSUID },
	{ ST_NODEV, MS_NODEV },       { ST_NOEXEC, MS_NOEXEC },
	{ ST_NOATIME, MS_NOATIME },   { ST_NODIRATIME, MS_NODIRATIME },
	{ ST_RELATIME, MS_RELATIME },
};

int remount_add_flags(const char *path, unsigned long flags, const char *step,
		      const char *what, struct failure *f)
{
	struct statvfs st;

	/* A bind remount sets the mount's flags to exactly what it is given,
	 * so the ones it has are read first and kept. */
	if (statvfs(path, &st) < 0)
		return fail(f, step, errno, "statvfs %s", what);
	for (size_t i = 0; i < sizeof(flag_map) / sizeof(flag_map[0]); i++)
		if (st.f_flag & flag_map[i].st)
			flags |= flag_map[i].ms;
	if (mount(NULL, path, NULL, MS_REMOUNT | MS_BIND | flags, NULL) < 0)
		return fail(f, step, errno, "remount %s (flags %#lx)", what, flags);
	return 0;
}
