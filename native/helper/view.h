/* `berth-helper view`: the container's filesystems without the container.
 * The helper mounts the overlay and the spec's mounts in a mount namespace
 * of its own, pivots into it and waits; the engine reads and writes the
 * container's files through /proc/<pid>/root until it closes fd 3. */
#ifndef BERTH_VIEW_H
#define BERTH_VIEW_H

#include "spec.h"

/* Returns the helper's exit code: 0 after EOF on fd 3, 1 after a failure
 * (reported as an error event). */
int view_serve(const struct spec *s);

#endif
