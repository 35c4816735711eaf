/* Capabilities by name (Docker's cap_add/cap_drop rules) and the raw
 * capget/capset/prctl calls that apply them; no libcap. */
#ifndef BERTH_CAPS_H
#define BERTH_CAPS_H

#include <stdbool.h>
#include <linux/capability.h>
#include <stdint.h>

#include "report.h"
#include "spec.h"

/* Newer than some kernel headers; the numbers never change. */
#ifndef CAP_PERFMON
#define CAP_PERFMON 38
#endif
#ifndef CAP_BPF
#define CAP_BPF 39
#endif
#ifndef CAP_CHECKPOINT_RESTORE
#define CAP_CHECKPOINT_RESTORE 40
#endif

#define CAP_BIT(c) ((uint64_t)1 << (c))

/* Fills sec->caps (and caps_all) from Docker's default set, cap_add and
 * cap_drop; names are case-insensitive, with or without CAP_, or ALL. */
int caps_parse(const struct strlist *add, const struct strlist *drop, bool privileged,
	       struct security *sec, struct failure *f);

/* "CAP_NET_ADMIN" for 12; "CAP_?" if unknown. */
const char *caps_name(int cap);

/* The caller's permitted set. */
int caps_permitted(uint64_t *set, struct failure *f);

/* Every capability the running kernel knows. */
uint64_t caps_kernel_known(void);

/* Drops every capability not in keep from the bounding set (needs
 * CAP_SETPCAP, so it runs while the caller is still fully privileged). */
int caps_limit_bounding(uint64_t keep, struct failure *f);

int caps_clear_ambient(struct failure *f);

/* capset(2) of all three sets at once. */
int caps_set(uint64_t effective, uint64_t permitted, uint64_t inheritable, struct failure *f);

#endif
