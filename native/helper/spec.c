#include "spec.h"

#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "caps.h"
#include "io.h"
#include "mountspec.h"
#include "rlimits.h"

/* A spec is a few KiB; the cap only stops a runaway writer. */
#define SPEC_MAX (1024 * 1024)
#define STEP "parse-spec"

static const char END_RECORD[] = "end";

enum key_type { K_STRING, K_FLAG, K_LIST };

#define BOTH (SPEC_RUN | SPEC_EXEC)
/* A view mounts the container's filesystems but runs nothing. */
#define RUNV (SPEC_RUN | SPEC_VIEW)

struct key {
	const char *name;
	enum key_type type;
	unsigned modes;
	size_t offset;
};

#define S(n, m) { #n, K_STRING, m, offsetof(struct spec, n) }
#define F(n, m) { #n, K_FLAG, m, offsetof(struct spec, n) }
#define L(n, m) { #n, K_LIST, m, offsetof(struct spec, n) }

static const struct key keys[] = {
	S(id, BOTH | SPEC_VIEW),
	S(mountpoint, RUNV),
	S(lowerbase, RUNV),
	S(upper, RUNV),
	S(work, RUNV),
	S(hostname, SPEC_RUN),
	S(cwd, BOTH),
	S(log, SPEC_RUN),
	S(exitfile, SPEC_RUN),
	S(netns, SPEC_RUN),
	S(orphan_cleanup, SPEC_RUN),
	S(user, BOTH),
	S(seccomp, BOTH),
	S(pid, SPEC_EXEC),
	S(attach_socket, SPEC_RUN),
	L(lower, RUNV),
	L(env, BOTH),
	L(arg, BOTH),
	L(cap_add, BOTH),
	L(cap_drop, BOTH),
	L(group_add, BOTH),
	L(rlimit, BOTH),
	L(mount, RUNV),
	L(cgroup_cleanup, SPEC_RUN),
	L(oom_events, SPEC_RUN),
	L(cgroup, BOTH),
	F(lifeline, BOTH),
	F(wait_for_go, SPEC_RUN),
	F(privileged, BOTH),
	F(no_new_privs, BOTH),
	F(readonly_rootfs, SPEC_RUN),
	F(init, SPEC_RUN),
	F(tty, BOTH),
	F(open_stdin, SPEC_RUN),
};

#define NKEYS (sizeof(keys) / sizeof(keys[0]))

/* Returns the offset just past the `end\0` record, or 0 if not there yet.
 * *scan remembers where the previous call stopped so each byte is seen once. */
static size_t find_end(const char *buf, size_t len, size_t *scan, size_t *rec)
{
	for (; *scan < len; (*scan)++) {
		if (buf[*scan] != '\0')
			continue;
		if (*scan - *rec == sizeof(END_RECORD) - 1 &&
		    memcmp(buf + *rec, END_RECORD, sizeof(END_RECORD) - 1) == 0)
			return *scan + 1;
		*rec = *scan + 1;
	}
	return 0;
}

static int grow(struct spec *s, size_t *cap, struct failure *f)
{
	char *buf;

	if (*cap >= SPEC_MAX)
		return fail(f, STEP, E2BIG, "spec exceeds %d bytes", SPEC_MAX);
	*cap *= 2;
	buf = realloc(s->buf, *cap);
	if (!buf)
		return fail(f, STEP, ENOMEM, "spec buffer");
	s->buf = buf;
	return 0;
}

static int read_records(int fd, struct spec *s, size_t *end, size_t *total,
			struct failure *f)
{
	size_t len = 0, cap = 4096, scan = 0, rec = 0;

	s->buf = malloc(cap);
	if (!s->buf)
		return fail(f, STEP, ENOMEM, "spec buffer");
	for (;;) {
		ssize_t n;

		if (len == cap && grow(s, &cap, f) < 0)
			return -1;
		n = io_read(fd, s->buf + len, cap - len);
		if (n < 0)
			return fail(f, STEP, errno, "read spec from fd %d", fd);
		if (n == 0)
			return fail(f, STEP, 0, "spec ended before the 'end' record");
		len += (size_t)n;
		*end = find_end(s->buf, len, &scan, &rec);
		if (*end) {
			*total = len;
			return 0;
		}
	}
}

int strlist_push(struct strlist *l, const char *v, const char *step, struct failure *f)
{
	if (l->len + 1 >= l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 8;
		const char **items = realloc(l->items, cap * sizeof(*items));

		if (!items)
			return fail(f, step, ENOMEM, "list of %zu entries", cap);
		l->items = items;
		l->cap = cap;
	}
	l->items[l->len++] = v;
	l->items[l->len] = NULL;
	return 0;
}

static int set_flag(bool *flag, const char *key, const char *v, struct failure *f)
{
	if (strcmp(v, "0") != 0 && strcmp(v, "1") != 0)
		return fail(f, STEP, EINVAL, "%s must be 0 or 1, got '%s'", key, v);
	*flag = v[0] == '1';
	return 0;
}

static int set_string(const char **slot, const char *key, const char *v,
		      struct failure *f)
{
	if (*slot)
		return fail(f, STEP, EINVAL, "key '%s' given twice", key);
	*slot = v;
	return 0;
}

static const struct key *find_key(const char *name)
{
	for (size_t i = 0; i < NKEYS; i++)
		if (strcmp(keys[i].name, name) == 0)
			return &keys[i];
	return NULL;
}

static int apply_record(struct spec *s, char *rec, struct failure *f)
{
	char *eq = strchr(rec, '=');
	const struct key *k;
	void *slot;

	if (!eq)
		return fail(f, STEP, EINVAL, "record '%.64s' has no '='", rec);
	*eq = '\0';
	k = find_key(rec);
	/* Unknown keys are errors: engine and helper ship together, so an
	 * unknown key is a bug we want to see, not silently ignore. */
	if (!k)
		return fail(f, STEP, EINVAL, "unknown key '%s'", rec);
	if (!(k->modes & s->mode))
		return fail(f, STEP, EINVAL, "key '%s' is not valid for %s", rec,
			    s->mode == SPEC_RUN ? "run" : s->mode == SPEC_EXEC ? "exec" : "view");
	slot = (char *)s + k->offset;
	if (k->type == K_LIST)
		return strlist_push(slot, eq + 1, STEP, f);
	if (k->type == K_FLAG)
		return set_flag(slot, rec, eq + 1, f);
	return set_string(slot, rec, eq + 1, f);
}

static int require(const char *v, const char *key, struct failure *f)
{
	if (!v || !*v)
		return fail(f, STEP, EINVAL, "missing required key '%s'", key);
	return 0;
}

static int require_absolute(const char *v, const char *key, struct failure *f)
{
	if (require(v, key, f) < 0)
		return -1;
	if (v[0] != '/')
		return fail(f, STEP, EINVAL, "%s must be an absolute path, got '%s'", key, v);
	return 0;
}

/* The cleanup path is handed to a recursive delete: be strict up front. */
static int check_cleanup(const char *v, struct failure *f)
{
	if (!v)
		return 0;
	if (require_absolute(v, "orphan_cleanup", f) < 0)
		return -1;
	if (v[strspn(v, "/")] == '\0')
		return fail(f, STEP, EINVAL, "orphan_cleanup must not be '/'");
	return 0;
}

static int check_paths(const struct strlist *l, const char *key, struct failure *f)
{
	for (size_t i = 0; i < l->len; i++)
		if (require_absolute(l->items[i], key, f) < 0)
			return -1;
	return 0;
}

/* What run and view both need: the overlay. */
static int validate_rootfs(const struct spec *s, struct failure *f)
{
	if (require(s->id, "id", f) < 0 ||
	    require_absolute(s->mountpoint, "mountpoint", f) < 0 ||
	    require(s->lowerbase, "lowerbase", f) < 0 ||
	    require_absolute(s->upper, "upper", f) < 0 ||
	    require_absolute(s->work, "work", f) < 0)
		return -1;
	if (s->lower.len == 0)
		return fail(f, STEP, EINVAL, "missing required key 'lower'");
	return 0;
}

static int validate_run(const struct spec *s, struct failure *f)
{
	if (validate_rootfs(s, f) < 0 ||
	    require(s->log, "log", f) < 0 ||
	    require(s->exitfile, "exitfile", f) < 0 ||
	    check_cleanup(s->orphan_cleanup, f) < 0 ||
	    check_paths(&s->cgroup, "cgroup", f) < 0 ||
	    check_paths(&s->cgroup_cleanup, "cgroup_cleanup", f) < 0 ||
	    check_paths(&s->oom_events, "oom_events", f) < 0)
		return -1;
	return 0;
}

static int parse_pid(struct spec *s, struct failure *f)
{
	char *end;
	long v;

	if (require(s->pid, "pid", f) < 0)
		return -1;
	errno = 0;
	v = strtol(s->pid, &end, 10);
	if (errno || *end || v <= 0 || v > INT_MAX)
		return fail(f, STEP, EINVAL, "pid must be a positive number, got '%s'", s->pid);
	s->target_pid = (int)v;
	return 0;
}

static int validate_common(struct spec *s, struct failure *f)
{
	if (s->arg.len == 0 || !*s->arg.items[0])
		return fail(f, STEP, EINVAL, "missing required key 'arg'");
	if (s->cwd && s->cwd[0] != '/')
		return fail(f, STEP, EINVAL, "cwd must be an absolute path, got '%s'", s->cwd);
	if (s->seccomp && strcmp(s->seccomp, "default") != 0 &&
	    strcmp(s->seccomp, "unconfined") != 0)
		return fail(f, STEP, EINVAL, "seccomp must be 'default' or 'unconfined', got '%s'",
			    s->seccomp);
	return 0;
}

/* Values with a syntax of their own are parsed now, so a typo is a
 * parse-spec error before any process exists. */
static int parse_values(struct spec *s, struct failure *f)
{
	s->sec.privileged = s->privileged;
	s->sec.no_new_privs = s->no_new_privs;
	s->sec.seccomp = !s->privileged && (!s->seccomp || strcmp(s->seccomp, "default") == 0);
	if (caps_parse(&s->cap_add, &s->cap_drop, s->privileged, &s->sec, f) < 0 ||
	    rlimits_parse(&s->rlimit, &s->rlimits, f) < 0 ||
	    mountspec_parse(&s->mount, &s->mounts, f) < 0)
		return -1;
	return 0;
}

static void apply_defaults(struct spec *s)
{
	if (!s->id)
		s->id = "exec";
	if (s->mode == SPEC_RUN && !s->hostname) {
		snprintf(s->default_hostname, sizeof(s->default_hostname), "%s", s->id);
		s->hostname = s->default_hostname;
	}
	if (!s->cwd || !*s->cwd)
		s->cwd = "/";
}

static int parse_all(struct spec *s, size_t end, struct failure *f)
{
	size_t pos = 0;

	while (pos + sizeof(END_RECORD) < end) {
		char *rec = s->buf + pos;

		pos += strlen(rec) + 1;
		if (apply_record(s, rec, f) < 0)
			return -1;
	}
	if (s->mode == SPEC_VIEW)
		return validate_rootfs(s, f) < 0 ||
		       mountspec_parse(&s->mount, &s->mounts, f) < 0 ? -1 : 0;
	if ((s->mode == SPEC_RUN ? validate_run(s, f) : parse_pid(s, f)) < 0 ||
	    validate_common(s, f) < 0 || parse_values(s, f) < 0)
		return -1;
	apply_defaults(s);
	return 0;
}

int spec_read(int fd, enum spec_mode mode, struct spec *s, struct failure *f)
{
	size_t end = 0, total = 0;

	memset(s, 0, sizeof(*s));
	s->mode = mode;
	if (read_records(fd, s, &end, &total, f) < 0)
		goto err;
	s->rest = s->buf + end;
	s->rest_len = total - end;
	if (parse_all(s, end, f) < 0)
		goto err;
	return 0;
err:
	spec_free(s);
	return -1;
}

void spec_free(struct spec *s)
{
	for (size_t i = 0; i < NKEYS; i++)
		if (keys[i].type == K_LIST)
			free(((struct strlist *)((char *)s + keys[i].offset))->items);
	free(s->rlimits);
	free(s->mounts);
	free(s->buf);
	memset(s, 0, sizeof(*s));
}
