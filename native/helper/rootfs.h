/* The container's root filesystem: overlay, kernel filesystems, pivot_root.
 * Runs in the child, inside its fresh mount namespace. */
#ifndef BERTH_ROOTFS_H
#define BERTH_ROOTFS_H

#include <stdbool.h>

#include "report.h"
#include "spec.h"

int rootfs_make_private(struct failure *f);

/* Mounts the overlay at s->mountpoint and leaves the cwd at its root, where
 * every later step works with relative paths. */
int rootfs_mount_overlay(const struct spec *s, struct failure *f);

/* /proc and /sys below the cwd (/sys read-write only when privileged);
 * root only names it in messages. */
int rootfs_mount_kernel_fs(const char *root, bool privileged, struct failure *f);

/* Ensures the directory `name` exists directly below the cwd, refusing
 * anything that is not a real directory. Shared with devices.c. */
int rootfs_mount_dir(const char *root, const char *name, const char *step,
		     struct failure *f);

/* Makes the cwd the new / and detaches the old root. */
int rootfs_pivot(const char *root, struct failure *f);

#endif
