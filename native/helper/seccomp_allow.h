/* Docker's default seccomp allowlist (moby profiles/seccomp/default.json)
 * as syscall numbers of the architecture the helper is built for. */
#ifndef BERTH_SECCOMP_ALLOW_H
#define BERTH_SECCOMP_ALLOW_H

#include <stddef.h>
#include <stdint.h>

struct seccomp_rule {
	long nr;
	/* 0: always allowed; else allowed when the container keeps any of
	 * these capabilities (the profile's "includes": {"caps": ...}). */
	uint64_t any_cap;
};

extern const struct seccomp_rule seccomp_allow[];
extern const size_t seccomp_allow_len;

#endif
