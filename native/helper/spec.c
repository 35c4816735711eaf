#include "spec.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "io.h"

/* A spec is a few KiB; the cap only stops a runaway writer. */
#define SPEC_MAX (1024 * 1024)
#define STEP "parse-spec"

static const char END_RECORD[] = "end";

struct string_key {
	const char *name;
	size_t offset;
};

static const struct string_key string_keys[] = {
	{ "id", offsetof(struct spec, id) },
	{ "mountpoint", offsetof(struct spec, mountpoint) },
	{ "lowerbase", offsetof(struct spec, lowerbase) },
	{ "upper", offsetof(struct spec, upper) },
	{ "work", offsetof(struct spec, work) },
	{ "hostname", offsetof(struct spec, hostname) },
	{ "cwd", offsetof(struct spec, cwd) },
	{ "log", offsetof(struct spec, log) },
	{ "exitfile", offsetof(struct spec, exitfile) },
	{ "netns", offsetof(struct spec, netns) },
	{ "orphan_cleanup", offsetof(struct spec, orphan_cleanup) },
};

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

static int read_records(int fd, struct spec *s, size_t *end, size_t *total,
			struct failure *f)
{
	size_t len = 0, cap = 4096, scan = 0, rec = 0;
	char *buf = malloc(cap);

	if (!buf)
		return fail(f, STEP, ENOMEM, "spec buffer");
	s->buf = buf;
	for (;;) {
		ssize_t n;

		if (len == cap) {
			if (cap >= SPEC_MAX)
				return fail(f, STEP, E2BIG, "spec exceeds %d bytes", SPEC_MAX);
			cap *= 2;
			buf = realloc(s->buf, cap);
			if (!buf)
				return fail(f, STEP, ENOMEM, "spec buffer");
			s->buf = buf;
		}
		n = io_read(fd, buf + len, cap - len);
		if (n < 0)
			return fail(f, STEP, errno, "read spec from fd %d", fd);
		if (n == 0)
			return fail(f, STEP, 0, "spec ended before the 'end' record");
		len += (size_t)n;
		*end = find_end(buf, len, &scan, &rec);
		if (*end) {
			*total = len;
			return 0;
		}
	}
}

static int list_push(struct strlist *l, const char *v, struct failure *f)
{
	if (l->len + 1 >= l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 8;
		const char **items = realloc(l->items, cap * sizeof(*items));

		if (!items)
			return fail(f, STEP, ENOMEM, "spec list");
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

static int set_string(struct spec *s, const char *key, const char *v,
		      struct failure *f)
{
	for (size_t i = 0; i < sizeof(string_keys) / sizeof(string_keys[0]); i++) {
		const char **slot;

		if (strcmp(key, string_keys[i].name) != 0)
			continue;
		slot = (const char **)((char *)s + string_keys[i].offset);
		if (*slot)
			return fail(f, STEP, EINVAL, "key '%s' given twice", key);
		*slot = v;
		return 0;
	}
	/* Unknown keys are errors: engine and helper ship together, so an
	 * unknown key is a bug we want to see, not silently ignore. */
	return fail(f, STEP, EINVAL, "unknown key '%s'", key);
}

static int apply_record(struct spec *s, char *rec, struct failure *f)
{
	char *eq = strchr(rec, '=');
	const char *v;

	if (!eq)
		return fail(f, STEP, EINVAL, "record '%.64s' has no '='", rec);
	*eq = '\0';
	v = eq + 1;
	if (strcmp(rec, "lower") == 0)
		return list_push(&s->lower, v, f);
	if (strcmp(rec, "env") == 0)
		return list_push(&s->env, v, f);
	if (strcmp(rec, "arg") == 0)
		return list_push(&s->arg, v, f);
	if (strcmp(rec, "lifeline") == 0)
		return set_flag(&s->lifeline, rec, v, f);
	if (strcmp(rec, "wait_for_go") == 0)
		return set_flag(&s->wait_for_go, rec, v, f);
	return set_string(s, rec, v, f);
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

static int validate(struct spec *s, struct failure *f)
{
	if (require(s->id, "id", f) < 0 ||
	    require_absolute(s->mountpoint, "mountpoint", f) < 0 ||
	    require(s->lowerbase, "lowerbase", f) < 0 ||
	    require_absolute(s->upper, "upper", f) < 0 ||
	    require_absolute(s->work, "work", f) < 0 ||
	    require(s->log, "log", f) < 0 ||
	    require(s->exitfile, "exitfile", f) < 0 ||
	    check_cleanup(s->orphan_cleanup, f) < 0)
		return -1;
	if (s->lower.len == 0)
		return fail(f, STEP, EINVAL, "missing required key 'lower'");
	if (s->arg.len == 0 || !*s->arg.items[0])
		return fail(f, STEP, EINVAL, "missing required key 'arg'");
	return 0;
}

static void apply_defaults(struct spec *s)
{
	if (!s->hostname) {
		snprintf(s->default_hostname, sizeof(s->default_hostname), "%s", s->id);
		s->hostname = s->default_hostname;
	}
	if (!s->cwd || !*s->cwd)
		s->cwd = "/";
}

int spec_read(int fd, struct spec *s, struct failure *f)
{
	size_t end = 0, total = 0, pos = 0;

	memset(s, 0, sizeof(*s));
	if (read_records(fd, s, &end, &total, f) < 0)
		goto err;
	s->rest = s->buf + end;
	s->rest_len = total - end;
	while (pos + sizeof(END_RECORD) < end) {
		char *rec = s->buf + pos;

		pos += strlen(rec) + 1;
		if (apply_record(s, rec, f) < 0)
			goto err;
	}
	if (validate(s, f) < 0)
		goto err;
	apply_defaults(s);
	return 0;
err:
	spec_free(s);
	return -1;
}

void spec_free(struct spec *s)
{
	free(s->lower.items);
	free(s->env.items);
	free(s->arg.items);
	free(s->buf);
	memset(s, 0, sizeof(*s));
}
