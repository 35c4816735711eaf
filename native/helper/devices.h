/* A minimal /dev for the container, built below the rootfs cwd. */
#ifndef BERTH_DEVICES_H
#define BERTH_DEVICES_H

#include "report.h"

int devices_setup(const char *root, struct failure *f);

#endif
