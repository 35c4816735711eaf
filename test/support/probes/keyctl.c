/* Calls keyctl(KEYCTL_GET_KEYRING_ID) and add_key(2) directly (busybox has no
 * keyctl) and prints the errno names, for the seccomp test. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#define KEYCTL_GET_KEYRING_ID 0
#define KEY_SPEC_SESSION_KEYRING -3

static void report(const char *name, long rc)
{
	printf("%s=%s\n", name, rc < 0 ? strerrorname_np(errno) : "ok");
}

int main(void)
{
	report("keyctl", syscall(SYS_keyctl, KEYCTL_GET_KEYRING_ID, KEY_SPEC_SESSION_KEYRING, 0));
	report("add_key", syscall(SYS_add_key, "user", "berth", "x", 1, KEY_SPEC_SESSION_KEYRING));
	return 0;
}
