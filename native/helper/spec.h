/* The spec read from fd 3 (see PROTOCOL.md, "Spec" and "exec"). */
#ifndef BERTH_SPEC_H
#define BERTH_SPEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "report.h"

#define SPEC_FD 3

/* Which subcommand a spec is for; a key names the modes it is valid in. */
enum spec_mode { SPEC_RUN = 1, SPEC_EXEC = 2, SPEC_VIEW = 4 };

/* NULL-terminated so arg and env can go to execve as they are. */
struct strlist {
	const char **items;
	size_t len;
	size_t cap;
};

/* Capabilities, no_new_privs and seccomp, shared by run and exec. */
struct security {
	uint64_t caps;      /* the set the command keeps */
	bool caps_all;      /* privileged or cap_add=ALL: trim to what we have */
	bool privileged;
	bool no_new_privs;
	bool seccomp;
};

struct rlimit_entry {
	int resource;
	const char *name;
	uint64_t soft;
	uint64_t hard;
};

enum mount_kind { MOUNT_BIND, MOUNT_TMPFS };

struct mount_entry {
	enum mount_kind kind;
	const char *source;
	const char *target;
	unsigned long flags;       /* MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC */
	unsigned long propagation; /* 0 or one MS_PRIVATE/MS_SLAVE/MS_SHARED, maybe | MS_REC */
	char data[160];            /* tmpfs: size=, mode=, uid=, gid= */
};

struct spec {
	char *buf; /* owns every string below */
	enum spec_mode mode;
	const char *id;
	const char *mountpoint;
	const char *lowerbase;
	const char *upper;
	const char *work;
	const char *hostname;
	const char *cwd;
	const char *log;
	const char *exitfile;
	const char *netns;
	const char *orphan_cleanup;
	const char *user;
	const char *seccomp;
	const char *pid;
	const char *attach_socket;
	struct strlist lower;
	struct strlist env;
	struct strlist arg;
	struct strlist cap_add;
	struct strlist cap_drop;
	struct strlist group_add;
	struct strlist rlimit;
	struct strlist mount;
	struct strlist cgroup_cleanup;
	struct strlist oom_events;
	struct strlist cgroup;
	bool lifeline;
	bool wait_for_go;
	bool privileged;
	bool no_new_privs;
	bool readonly_rootfs;
	bool init;
	bool tty;
	bool open_stdin;
	/* Parsed from the keys above by spec_read. */
	struct security sec;
	struct rlimit_entry *rlimits;
	struct mount_entry *mounts;
	int target_pid;
	/* Bytes that arrived after `end\0`; the go byte may be among them. */
	const char *rest;
	size_t rest_len;
	char default_hostname[13];
};

int spec_read(int fd, enum spec_mode mode, struct spec *s, struct failure *f);
void spec_free(struct spec *s);

/* Appends to a NULL-terminated list; step names the failure. */
int strlist_push(struct strlist *l, const char *v, const char *step, struct failure *f);

#endif
