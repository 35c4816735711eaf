/* The last step of the init: a clean process image, then execve. */
#ifndef BERTH_EXEC_H
#define BERTH_EXEC_H

#include "report.h"
#include "spec.h"

/* Returns only on failure. */
int exec_command(const struct spec *s, struct failure *f);

#endif
