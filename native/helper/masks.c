#include "masks.h"

#include <errno.h>
#include <sys/mount.h>
#include <sys/stat.h>

#include "remount.h"

/* moby oci/defaults.go */
static const char *const masked[] = {
	"/proc/asound",        "/proc/acpi",        "/proc/kcore",
	"/proc/keys",          "/proc/latency_stats", "/proc/timer_list",
	"/proc/timer_stats",   "/proc/sched_debug", "/proc/scsi",
	"/sys/firmware",       "/sys/devices/virtual/powercap",
};

static const char *const readonly[] = {
	"/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger",
};

#define N(a) (sizeof(a) / sizeof((a)[0]))

static int mask(const char *path, struct failure *f)
{
	struct stat st;

	if (lstat(path, &st) < 0)
		return errno == ENOENT ? 0 : fail(f, "mask-paths", errno, "lstat %s", path);
	if (S_ISDIR(st.st_mode)) {
		if (mount("tmpfs", path, "tmpfs", MS_RDONLY, NULL) < 0)
			return fail(f, "mask-paths", errno, "mount an empty tmpfs on %s", path);
		return 0;
	}
	if (mount("/dev/null", path, NULL, MS_BIND, NULL) < 0)
		return fail(f, "mask-paths", errno, "bind /dev/null on %s", path);
	return 0;
}

static int make_readonly(const char *path, struct failure *f)
{
	if (mount(path, path, NULL, MS_BIND | MS_REC, NULL) < 0)
		return errno == ENOENT ? 0 : fail(f, "readonly-paths", errno, "bind %s on itself", path);
	return remount_add_flags(path, MS_RDONLY, "readonly-paths", path, f);
}

int masks_apply(struct failure *f)
{
	for (size_t i = 0; i < N(masked); i++)
		if (mask(masked[i], f) < 0)
			return -1;
	for (size_t i = 0; i < N(readonly); i++)
		if (make_readonly(readonly[i], f) < 0)
			return -1;
	return 0;
}

int masks_readonly_rootfs(struct failure *f)
{
	return remount_add_flags("/", MS_RDONLY, "readonly-rootfs", "/", f);
}
