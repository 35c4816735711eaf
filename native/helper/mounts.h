/* The spec's bind and tmpfs mounts, placed below the rootfs (the cwd)
 * before pivot_root, every target resolved inside the rootfs. */
#ifndef BERTH_MOUNTS_H
#define BERTH_MOUNTS_H

#include "report.h"
#include "spec.h"

int mounts_apply(const struct spec *s, struct failure *f);

#endif
