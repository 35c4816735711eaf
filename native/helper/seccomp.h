/* Docker's default seccomp profile as a classic BPF program the helper
 * builds itself (no libseccomp). */
#ifndef BERTH_SECCOMP_H
#define BERTH_SECCOMP_H

#include <stdint.h>

#include "report.h"

/* Installs the filter for a process that will keep `caps` (capability-
 * gated syscalls follow them, as in the profile). The caller needs
 * CAP_SYS_ADMIN in its effective set or no_new_privs. */
int seccomp_install(uint64_t caps, struct failure *f);

#endif
