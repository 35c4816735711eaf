#include "seccomp.h"

#include <errno.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include "caps.h"
#include "seccomp_allow.h"
#include "syscall_compat.h"

#if defined(__x86_64__)
#define AUDIT_ARCH_NATIVE AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define AUDIT_ARCH_NATIVE AUDIT_ARCH_AARCH64
#endif

#if __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "argument checks read the low word of args[0] at its little-endian offset"
#endif

#ifndef AF_VSOCK
#define AF_VSOCK 40
#endif

#define OFF_NR offsetof(struct seccomp_data, nr)
#define OFF_ARCH offsetof(struct seccomp_data, arch)
#define OFF_ARG0_LO offsetof(struct seccomp_data, args[0])

#define RET_ALLOW SECCOMP_RET_ALLOW
#define RET_ERRNO(e) (SECCOMP_RET_ERRNO | ((e) & SECCOMP_RET_DATA))

/* The namespace flags clone may only use with CAP_SYS_ADMIN
 * (NEWNS|NEWCGROUP|NEWUTS|NEWIPC|NEWUSER|NEWPID|NEWNET = 0x7e020000). */
#define CLONE_NS_FLAGS 0x7e020000u

/* personality(2) values the profile allows: PER_LINUX, PER_LINUX32,
 * UNAME26, UNAME26|PER_LINUX32, and 0xffffffff (query). */
static const uint32_t personalities[] = { 0x0, 0x8, 0x20000, 0x20008, 0xffffffff };

#define NPERS (sizeof(personalities) / sizeof(personalities[0]))

struct prog {
	struct sock_filter ins[BPF_MAXINSNS];
	unsigned short len;
	bool full;
};

static void emit(struct prog *p, uint16_t code, uint8_t jt, uint8_t jf, uint32_t k)
{
	if (p->len >= BPF_MAXINSNS) {
		p->full = true;
		return;
	}
	p->ins[p->len++] = (struct sock_filter){ code, jt, jf, k };
}

static void ret(struct prog *p, uint32_t action)
{
	emit(p, BPF_RET | BPF_K, 0, 0, action);
}

static void load(struct prog *p, uint32_t offset)
{
	emit(p, BPF_LD | BPF_W | BPF_ABS, 0, 0, offset);
}

/* if (A == k) fall through, else skip `skip` instructions. */
static void if_eq(struct prog *p, uint32_t k, uint8_t skip)
{
	emit(p, BPF_JMP | BPF_JEQ | BPF_K, 0, skip, k);
}

/* Beyond every number this helper knows: ENOSYS, not EPERM, so a libc
 * probing a syscall newer than the profile falls back (runc does the
 * same). x32 numbers (bit 30 set) land here too. */
static long max_known(void)
{
	long max = SYS_clone3 > SYS_personality ? SYS_clone3 : SYS_personality;

	for (size_t i = 0; i < seccomp_allow_len; i++)
		if (seccomp_allow[i].nr > max)
			max = seccomp_allow[i].nr;
	return max;
}

static void header(struct prog *p)
{
	load(p, OFF_ARCH);
	/* The native arch jumps over the kill; any other one meets it. */
	emit(p, BPF_JMP | BPF_JEQ | BPF_K, 1, 0, AUDIT_ARCH_NATIVE);
	ret(p, SECCOMP_RET_KILL_PROCESS);
	load(p, OFF_NR);
	emit(p, BPF_JMP | BPF_JGT | BPF_K, 0, 1, (uint32_t)max_known());
	ret(p, RET_ERRNO(ENOSYS));
}

/* Each argument rule ends in returns only: A holds an argument there,
 * and the code after it expects the syscall number. */
static void personality_rule(struct prog *p)
{
	if_eq(p, SYS_personality, 2 * NPERS + 2);
	load(p, OFF_ARG0_LO);
	for (size_t i = 0; i < NPERS; i++) {
		if_eq(p, personalities[i], 1);
		ret(p, RET_ALLOW);
	}
	ret(p, RET_ERRNO(EPERM));
}

static void socket_rule(struct prog *p)
{
	if_eq(p, SYS_socket, 4);
	load(p, OFF_ARG0_LO);
	if_eq(p, AF_VSOCK, 1);
	ret(p, RET_ERRNO(EPERM));
	ret(p, RET_ALLOW);
}

/* Without CAP_SYS_ADMIN: clone without namespace flags (they sit in the
 * low word of the flags, arg 0 on x86_64 and arm64), and clone3, whose
 * flags are out of reach in memory, answers ENOSYS so libc uses clone. */
static void clone_rules(struct prog *p)
{
	if_eq(p, SYS_clone, 4);
	load(p, OFF_ARG0_LO);
	emit(p, BPF_JMP | BPF_JSET | BPF_K, 0, 1, CLONE_NS_FLAGS);
	ret(p, RET_ERRNO(EPERM));
	ret(p, RET_ALLOW);
	if_eq(p, SYS_clone3, 1);
	ret(p, RET_ERRNO(ENOSYS));
}

static void allowlist(struct prog *p, uint64_t caps)
{
	for (size_t i = 0; i < seccomp_allow_len; i++) {
		const struct seccomp_rule *r = &seccomp_allow[i];

		if (r->any_cap && !(caps & r->any_cap))
			continue;
		if_eq(p, (uint32_t)r->nr, 1);
		ret(p, RET_ALLOW);
	}
}

static void build(struct prog *p, uint64_t caps)
{
	header(p);
	personality_rule(p);
	socket_rule(p);
	if (!(caps & CAP_BIT(CAP_SYS_ADMIN)))
		clone_rules(p);
	allowlist(p, caps);
	ret(p, RET_ERRNO(EPERM));
}

int seccomp_install(uint64_t caps, struct failure *f)
{
	struct prog *p = calloc(1, sizeof(*p));
	struct sock_fprog fprog;
	int rc = 0;

	if (!p)
		return fail(f, "seccomp", ENOMEM, "filter buffer");
	build(p, caps);
	fprog = (struct sock_fprog){ .len = p->len, .filter = p->ins };
	if (p->full)
		rc = fail(f, "seccomp", E2BIG, "filter exceeds %d instructions", BPF_MAXINSNS);
	else if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &fprog) < 0)
		rc = fail(f, "seccomp", errno, "install the filter (%u instructions)", p->len);
	free(p);
	return rc;
}
