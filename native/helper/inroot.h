/* Paths of the container looked up below an O_PATH fd of its rootfs with
 * openat2(RESOLVE_IN_ROOT): symlinks resolve as if the rootfs were /, so an
 * image's `/data -> /../../etc` can never lead a mount onto the host. */
#ifndef BERTH_INROOT_H
#define BERTH_INROOT_H

#include <stdbool.h>

#include "report.h"

/* Opens `path` (a container path) as an O_PATH fd below root_fd; *fd is -1
 * with errno set when it fails. */
int inroot_open(int root_fd, const char *path, int *fd);

/* Like inroot_open, but creates what is missing first: directories, and
 * the last component as an empty file when `file` is true. */
int inroot_create(int root_fd, const char *path, bool file, int *fd, const char *step,
		  struct failure *f);

/* "/proc/self/fd/<fd>": the path mount(2) takes for an fd. */
void inroot_fd_path(int fd, char *buf, unsigned long size);

#endif
