#include "view.h"

#include <errno.h>
#include <sched.h>
#include <unistd.h>

#include "io.h"
#include "mounts.h"
#include "report.h"
#include "rootfs.h"

static int build_view(const struct spec *s, struct failure *f)
{
	/* The helper itself moves: nothing else runs in this namespace, and
	 * every mount goes away with the helper, however it ends. */
	if (unshare(CLONE_NEWNS) < 0)
		return fail(f, "unshare-mount", errno, "unshare the mount namespace");
	if (rootfs_make_private(f) < 0 || rootfs_mount_overlay(s, f) < 0 ||
	    mounts_apply(s, f) < 0 || rootfs_pivot(s->mountpoint, f) < 0)
		return -1;
	return 0;
}

/* Anything the engine writes is ignored; only EOF (or an error) counts. */
static void await_close(void)
{
	char buf[64];

	while (io_read(SPEC_FD, buf, sizeof(buf)) > 0)
		;
}

int view_serve(const struct spec *s)
{
	struct failure f = { 0 };

	if (build_view(s, &f) < 0) {
		report_failure(&f);
		return 1;
	}
	report_pid(getpid());
	report_started();
	await_close();
	return 0;
}
