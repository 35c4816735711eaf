/* Removing an orphaned container's directory once its owner is gone. */
#ifndef BERTH_CLEANUP_H
#define BERTH_CLEANUP_H

#include "report.h"

int cleanup_tree(const char *path, struct failure *f);

#endif
