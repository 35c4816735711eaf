#include "mountspec.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>

#define STEP "parse-spec"

struct flag_option {
	const char *name;
	unsigned long set;
	unsigned long clear;
};

static const struct flag_option flag_options[] = {
	{ "ro", MS_RDONLY, 0 },      { "rw", 0, MS_RDONLY },
	{ "nosuid", MS_NOSUID, 0 },  { "nodev", MS_NODEV, 0 },
	{ "noexec", MS_NOEXEC, 0 },
};

struct propagation_option {
	const char *name;
	unsigned long flags;
};

static const struct propagation_option propagations[] = {
	{ "private", MS_PRIVATE },  { "rprivate", MS_PRIVATE | MS_REC },
	{ "slave", MS_SLAVE },      { "rslave", MS_SLAVE | MS_REC },
	{ "shared", MS_SHARED },    { "rshared", MS_SHARED | MS_REC },
};

/* size may carry tmpfs's own k/m/g suffix; mode is octal; ids decimal. */
static bool valid_value(const char *key, const char *v)
{
	size_t digits = strspn(v, strcmp(key, "mode") == 0 ? "01234567" : "0123456789");

	if (digits == 0 || digits > 20)
		return false;
	if (strcmp(key, "size") == 0)
		return v[digits] == '\0' || (strchr("kKmMgG", v[digits]) && v[digits + 1] == '\0');
	return v[digits] == '\0';
}

static int append_data(struct mount_entry *m, const char *opt, struct failure *f)
{
	size_t len = strlen(m->data);
	int n = snprintf(m->data + len, sizeof(m->data) - len, "%s%s", len ? "," : "", opt);

	if (n < 0 || (size_t)n >= sizeof(m->data) - len)
		return fail(f, STEP, E2BIG, "mount %s: tmpfs options too long", m->target);
	return 0;
}

static int data_option(struct mount_entry *m, const char *opt, struct failure *f)
{
	static const char *const keys[] = { "size", "mode", "uid", "gid" };
	const char *eq = strchr(opt, '=');

	for (size_t i = 0; eq && i < sizeof(keys) / sizeof(keys[0]); i++) {
		if (strlen(keys[i]) != (size_t)(eq - opt) || strncmp(opt, keys[i], strlen(keys[i])) != 0)
			continue;
		if (m->kind != MOUNT_TMPFS)
			return fail(f, STEP, EINVAL, "mount %s: '%s' is a tmpfs option", m->target, opt);
		if (!valid_value(keys[i], eq + 1))
			return fail(f, STEP, EINVAL, "mount %s: bad value in '%s'", m->target, opt);
		return append_data(m, opt, f);
	}
	return fail(f, STEP, EINVAL, "mount %s: unknown option '%s'", m->target, opt);
}

static int apply_option(struct mount_entry *m, const char *opt, struct failure *f)
{
	for (size_t i = 0; i < sizeof(flag_options) / sizeof(flag_options[0]); i++) {
		if (strcmp(opt, flag_options[i].name) == 0) {
			m->flags = (m->flags | flag_options[i].set) & ~flag_options[i].clear;
			return 0;
		}
	}
	for (size_t i = 0; i < sizeof(propagations) / sizeof(propagations[0]); i++) {
		if (strcmp(opt, propagations[i].name) == 0) {
			m->propagation = propagations[i].flags;
			return 0;
		}
	}
	return data_option(m, opt, f);
}

static int parse_options(struct mount_entry *m, char *opts, struct failure *f)
{
	char *save = NULL;

	for (char *o = strtok_r(opts, ",", &save); o; o = strtok_r(NULL, ",", &save))
		if (apply_option(m, o, f) < 0)
			return -1;
	return 0;
}

/* Cuts the next tab-separated field off *rest; NULL when there is none. */
static char *field(char **rest)
{
	char *start = *rest, *tab;

	if (!start)
		return NULL;
	tab = strchr(start, '\t');
	if (tab)
		*tab = '\0';
	*rest = tab ? tab + 1 : NULL;
	return start;
}

static int parse_kind(struct mount_entry *m, const char *kind, struct failure *f)
{
	if (strcmp(kind, "bind") == 0)
		m->kind = MOUNT_BIND;
	else if (strcmp(kind, "tmpfs") == 0)
		m->kind = MOUNT_TMPFS;
	else
		return fail(f, STEP, EINVAL, "mount kind must be 'bind' or 'tmpfs', got '%s'", kind);
	return 0;
}

static int check_paths(const struct mount_entry *m, struct failure *f)
{
	if (m->target[0] != '/' || m->target[strspn(m->target, "/")] == '\0')
		return fail(f, STEP, EINVAL, "mount target must be an absolute path other than /, got '%s'",
			    m->target);
	if (m->kind == MOUNT_BIND && m->source[0] != '/')
		return fail(f, STEP, EINVAL, "bind source must be an absolute host path, got '%s'",
			    m->source);
	return 0;
}

static int parse_one(char *rec, struct mount_entry *m, struct failure *f)
{
	char *rest = rec;
	char *kind = field(&rest), *source = field(&rest), *target = field(&rest);
	char *opts = field(&rest);

	if (!target || rest)
		return fail(f, STEP, EINVAL, "mount record '%.64s' needs kind, source, target and options "
			    "separated by tabs", rec);
	m->source = source;
	m->target = target;
	if (parse_kind(m, kind, f) < 0 || check_paths(m, f) < 0)
		return -1;
	return opts ? parse_options(m, opts, f) : 0;
}

int mountspec_parse(const struct strlist *records, struct mount_entry **out,
		    struct failure *f)
{
	struct mount_entry *all;

	*out = NULL;
	if (records->len == 0)
		return 0;
	all = calloc(records->len, sizeof(*all));
	if (!all)
		return fail(f, STEP, ENOMEM, "mount table");
	*out = all;
	for (size_t i = 0; i < records->len; i++)
		/* The records live in the spec's own writable buffer. */
		if (parse_one((char *)records->items[i], &all[i], f) < 0)
			return -1;
	return 0;
}
