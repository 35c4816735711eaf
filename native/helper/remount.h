/* Changing the flags of a mount that already exists (ro, nosuid, ...). */
#ifndef BERTH_REMOUNT_H
#define BERTH_REMOUNT_H

#include "report.h"

/* Remounts the mount whose root is `path` with `flags` added to the
 * per-mount flags it already has (nosuid, nodev, ... are kept). */
int remount_add_flags(const char *path, unsigned long flags, const char *step,
		      const char *what, struct failure *f);

#endif
