/* From a set-up container to the command: user, privileges, execve.
 * Shared by the run init and the exec child. */
#ifndef BERTH_LAUNCH_H
#define BERTH_LAUNCH_H

#include "report.h"
#include "spec.h"

/* Resolves the user in the container's files, builds the environment
 * (with HOME) and drops to the spec's identity and privileges. */
int launch_prepare(const struct spec *s, char ***envp, struct failure *f);

/* launch_prepare, then execve; returns only on failure. */
int launch_command(const struct spec *s, struct failure *f);

#endif
