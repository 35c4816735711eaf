#include "privileges.h"

#include <errno.h>
#include <signal.h>
#include <sys/prctl.h>

#include "caps.h"
#include "rlimits.h"
#include "seccomp.h"

/* What the command keeps: the spec's set, limited to what this kernel
 * knows; "all" (privileged, cap_add=ALL) means all that we have. */
static int final_caps(const struct security *sec, uint64_t *out, struct failure *f)
{
	uint64_t have, want = sec->caps & caps_kernel_known();

	if (caps_permitted(&have, f) < 0)
		return -1;
	if (sec->caps_all)
		want &= have;
	for (int cap = 0; cap < 64; cap++)
		if (want & ~have & CAP_BIT(cap))
			return fail(f, "capabilities", EPERM,
				    "cannot grant %s: the helper itself does not have it",
				    caps_name(cap));
	*out = want;
	return 0;
}

static int set_keepcaps(int on, struct failure *f)
{
	if (prctl(PR_SET_KEEPCAPS, on, 0, 0, 0) < 0)
		return fail(f, "capabilities", errno, "PR_SET_KEEPCAPS %d", on);
	return 0;
}

/* Permitted capabilities survive the uid change only with KEEPCAPS (the
 * kernel empties effective regardless); runc does the same. */
static int switch_user(const struct identity *id, struct failure *f)
{
	if (set_keepcaps(1, f) < 0 || user_switch(id, f) < 0 || set_keepcaps(0, f) < 0)
		return -1;
	/* A change of euid or egid clears the parent-death signal. */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0)
		return fail(f, "pdeathsig", errno, "prctl PR_SET_PDEATHSIG after the user switch");
	return 0;
}

/* Installing a filter takes CAP_SYS_ADMIN in the effective set unless
 * no_new_privs is set, and Docker does not set it. So SYS_ADMIN (still
 * permitted, thanks to KEEPCAPS) is raised for the install, and the
 * final capset, which the profile allows, takes it away again. */
static int install_seccomp(uint64_t caps, struct failure *f)
{
	uint64_t with_admin = caps | CAP_BIT(CAP_SYS_ADMIN);

	if (caps_set(with_admin, with_admin, 0, f) < 0 || seccomp_install(caps, f) < 0)
		return -1;
	return 0;
}

/* Docker 20+: bounding = permitted = effective = the set; inheritable
 * and ambient empty. After execve a non-root user keeps nothing but the
 * bounding set (unless the file has capabilities), as in Docker. */
int privileges_apply(const struct security *sec, const struct rlimit_entry *rlimits,
		     const struct identity *id, struct failure *f)
{
	uint64_t caps = 0;

	if (rlimits_apply(rlimits, f) < 0 || final_caps(sec, &caps, f) < 0 ||
	    caps_limit_bounding(caps, f) < 0 || caps_clear_ambient(f) < 0 ||
	    switch_user(id, f) < 0)
		return -1;
	if (sec->no_new_privs && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return fail(f, "no-new-privs", errno, "prctl PR_SET_NO_NEW_PRIVS");
	if (sec->seccomp && install_seccomp(caps, f) < 0)
		return -1;
	return caps_set(caps, caps, 0, f);
}
