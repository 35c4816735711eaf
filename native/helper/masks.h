/* Docker's masked and read-only paths below /proc and /sys, and
 * --read-only; run after pivot_root, so every path is the container's. */
#ifndef BERTH_MASKS_H
#define BERTH_MASKS_H

#include "report.h"

/* Masked paths (a file gets /dev/null bound over it, a directory an empty
 * read-only tmpfs) and read-only paths; missing ones are skipped. */
int masks_apply(struct failure *f);

/* Remounts / read-only (after every other mount is in place). */
int masks_readonly_rootfs(struct failure *f);

#endif
