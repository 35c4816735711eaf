#include "caps.h"

#include <errno.h>
#include <stddef.h>
#include <string.h>
#include <strings.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#define CAP_ALL (-1)

struct cap_name {
	const char *name;
	int cap;
};

#define C(n) { "CAP_" #n, CAP_##n }

static const struct cap_name names[] = {
	C(CHOWN), C(DAC_OVERRIDE), C(DAC_READ_SEARCH), C(FOWNER), C(FSETID),
	C(KILL), C(SETGID), C(SETUID), C(SETPCAP), C(LINUX_IMMUTABLE),
	C(NET_BIND_SERVICE), C(NET_BROADCAST), C(NET_ADMIN), C(NET_RAW),
	C(IPC_LOCK), C(IPC_OWNER), C(SYS_MODULE), C(SYS_RAWIO), C(SYS_CHROOT),
	C(SYS_PTRACE), C(SYS_PACCT), C(SYS_ADMIN), C(SYS_BOOT), C(SYS_NICE),
	C(SYS_RESOURCE), C(SYS_TIME), C(SYS_TTY_CONFIG), C(MKNOD), C(LEASE),
	C(AUDIT_WRITE), C(AUDIT_CONTROL), C(SETFCAP), C(MAC_OVERRIDE),
	C(MAC_ADMIN), C(SYSLOG), C(WAKE_ALARM), C(BLOCK_SUSPEND), C(AUDIT_READ),
	C(PERFMON), C(BPF), C(CHECKPOINT_RESTORE),
};

#define NNAMES (sizeof(names) / sizeof(names[0]))

/* moby's default set (oci/caps/defaults.go): 0x00000000a80425fb. */
static const uint64_t DOCKER_DEFAULT =
	CAP_BIT(CAP_CHOWN) | CAP_BIT(CAP_DAC_OVERRIDE) | CAP_BIT(CAP_FSETID) |
	CAP_BIT(CAP_FOWNER) | CAP_BIT(CAP_MKNOD) | CAP_BIT(CAP_NET_RAW) |
	CAP_BIT(CAP_SETGID) | CAP_BIT(CAP_SETUID) | CAP_BIT(CAP_SETFCAP) |
	CAP_BIT(CAP_SETPCAP) | CAP_BIT(CAP_NET_BIND_SERVICE) |
	CAP_BIT(CAP_SYS_CHROOT) | CAP_BIT(CAP_KILL) | CAP_BIT(CAP_AUDIT_WRITE);

static uint64_t all_named(void)
{
	uint64_t all = 0;

	for (size_t i = 0; i < NNAMES; i++)
		all |= CAP_BIT(names[i].cap);
	return all;
}

const char *caps_name(int cap)
{
	for (size_t i = 0; i < NNAMES; i++)
		if (names[i].cap == cap)
			return names[i].name;
	return "CAP_?";
}

static int lookup(const char *name, int *cap)
{
	const char *bare = strncasecmp(name, "CAP_", 4) == 0 ? name + 4 : name;

	if (strcasecmp(bare, "ALL") == 0) {
		*cap = CAP_ALL;
		return 0;
	}
	for (size_t i = 0; i < NNAMES; i++) {
		if (strcasecmp(bare, names[i].name + 4) == 0) {
			*cap = names[i].cap;
			return 0;
		}
	}
	return -1;
}

/* ORs the named capabilities into *set; *all notes an ALL among them. */
static int parse_list(const struct strlist *l, const char *key, uint64_t *set,
		      bool *all, struct failure *f)
{
	for (size_t i = 0; i < l->len; i++) {
		int cap;

		if (lookup(l->items[i], &cap) < 0)
			return fail(f, "parse-spec", EINVAL, "%s: unknown capability '%s'",
				    key, l->items[i]);
		if (cap == CAP_ALL)
			*all = true;
		else
			*set |= CAP_BIT(cap);
	}
	return 0;
}

/* Docker's rules (moby TweakCapabilities): add=ALL means everything but the
 * drops; drop=ALL means only the adds; otherwise default - drops + adds. */
int caps_parse(const struct strlist *add, const struct strlist *drop, bool privileged,
	       struct security *sec, struct failure *f)
{
	uint64_t adds = 0, drops = 0;
	bool add_all = false, drop_all = false;

	if (parse_list(add, "cap_add", &adds, &add_all, f) < 0 ||
	    parse_list(drop, "cap_drop", &drops, &drop_all, f) < 0)
		return -1;
	sec->caps_all = privileged || add_all;
	if (privileged)
		sec->caps = all_named();
	else if (add_all)
		sec->caps = all_named() & ~drops;
	else if (drop_all)
		sec->caps = adds;
	else
		sec->caps = (DOCKER_DEFAULT & ~drops) | adds;
	return 0;
}

static int capget_raw(struct __user_cap_data_struct data[2])
{
	struct __user_cap_header_struct hdr = { _LINUX_CAPABILITY_VERSION_3, 0 };

	return (int)syscall(SYS_capget, &hdr, data);
}

int caps_permitted(uint64_t *set, struct failure *f)
{
	struct __user_cap_data_struct data[2];

	if (capget_raw(data) < 0)
		return fail(f, "capabilities", errno, "capget");
	*set = (uint64_t)data[1].permitted << 32 | data[0].permitted;
	return 0;
}

uint64_t caps_kernel_known(void)
{
	uint64_t known = 0;

	/* PR_CAPBSET_READ fails with EINVAL past the kernel's last cap. */
	for (int cap = 0; cap < 64; cap++) {
		if (prctl(PR_CAPBSET_READ, cap, 0, 0, 0) < 0)
			break;
		known |= CAP_BIT(cap);
	}
	return known;
}

int caps_limit_bounding(uint64_t keep, struct failure *f)
{
	for (int cap = 0; cap < 64; cap++) {
		int in = prctl(PR_CAPBSET_READ, cap, 0, 0, 0);

		if (in < 0 && errno == EINVAL)
			return 0;
		if (in < 0)
			return fail(f, "capabilities", errno, "read bounding %s", caps_name(cap));
		if (in == 0 || (keep & CAP_BIT(cap)))
			continue;
		if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0)
			return fail(f, "capabilities", errno, "drop %s from the bounding set",
				    caps_name(cap));
	}
	return 0;
}

int caps_clear_ambient(struct failure *f)
{
	/* EINVAL: a kernel before 4.3 has no ambient set to clear. */
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL)
		return fail(f, "capabilities", errno, "clear the ambient set");
	return 0;
}

int caps_set(uint64_t effective, uint64_t permitted, uint64_t inheritable, struct failure *f)
{
	struct __user_cap_header_struct hdr = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct data[2] = {
		{ (uint32_t)effective, (uint32_t)permitted, (uint32_t)inheritable },
		{ (uint32_t)(effective >> 32), (uint32_t)(permitted >> 32),
		  (uint32_t)(inheritable >> 32) },
	};

	if (syscall(SYS_capset, &hdr, data) < 0)
		return fail(f, "capabilities", errno,
			    "capset effective=%#llx permitted=%#llx inheritable=%#llx",
			    (unsigned long long)effective, (unsigned long long)permitted,
			    (unsigned long long)inheritable);
	return 0;
}
