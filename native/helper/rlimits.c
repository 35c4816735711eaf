#include "rlimits.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>

struct rlimit_name {
	const char *name;
	int resource;
};

static const struct rlimit_name names[] = {
	{ "as", RLIMIT_AS },           { "core", RLIMIT_CORE },
	{ "cpu", RLIMIT_CPU },         { "data", RLIMIT_DATA },
	{ "fsize", RLIMIT_FSIZE },     { "locks", RLIMIT_LOCKS },
	{ "memlock", RLIMIT_MEMLOCK }, { "msgqueue", RLIMIT_MSGQUEUE },
	{ "nice", RLIMIT_NICE },       { "nofile", RLIMIT_NOFILE },
	{ "nproc", RLIMIT_NPROC },     { "rss", RLIMIT_RSS },
	{ "rtprio", RLIMIT_RTPRIO },   { "rttime", RLIMIT_RTTIME },
	{ "sigpending", RLIMIT_SIGPENDING }, { "stack", RLIMIT_STACK },
};

static const struct rlimit_name *lookup(const char *name, size_t len)
{
	if (len > 7 && strncasecmp(name, "RLIMIT_", 7) == 0) {
		name += 7;
		len -= 7;
	}
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strlen(names[i].name) == len && strncasecmp(name, names[i].name, len) == 0)
			return &names[i];
	return NULL;
}

/* A decimal number, or unlimited / -1 for RLIM_INFINITY. */
static int parse_value(const char *s, size_t len, uint64_t *v)
{
	char buf[32], *end;

	if (len == 0 || len >= sizeof(buf))
		return -1;
	memcpy(buf, s, len);
	buf[len] = '\0';
	if (strcasecmp(buf, "unlimited") == 0 || strcmp(buf, "-1") == 0) {
		*v = RLIM_INFINITY;
		return 0;
	}
	if (buf[0] < '0' || buf[0] > '9')
		return -1;
	errno = 0;
	*v = strtoull(buf, &end, 10);
	return errno || *end ? -1 : 0;
}

static int parse_one(const char *rec, struct rlimit_entry *e, struct failure *f)
{
	const char *c1 = strchr(rec, ':');
	const char *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
	const struct rlimit_name *n = c1 ? lookup(rec, (size_t)(c1 - rec)) : NULL;

	if (!c2 || strchr(c2 + 1, ':'))
		return fail(f, "parse-spec", EINVAL, "rlimit '%s' is not <name>:<soft>:<hard>", rec);
	if (!n)
		return fail(f, "parse-spec", EINVAL, "rlimit '%s': unknown limit name", rec);
	if (parse_value(c1 + 1, (size_t)(c2 - c1 - 1), &e->soft) < 0 ||
	    parse_value(c2 + 1, strlen(c2 + 1), &e->hard) < 0)
		return fail(f, "parse-spec", EINVAL, "rlimit '%s': values must be numbers or 'unlimited'", rec);
	if (e->soft > e->hard)
		return fail(f, "parse-spec", EINVAL, "rlimit '%s': soft limit above hard limit", rec);
	e->resource = n->resource;
	e->name = n->name;
	return 0;
}

int rlimits_parse(const struct strlist *records, struct rlimit_entry **out, struct failure *f)
{
	struct rlimit_entry *all;

	*out = NULL;
	if (records->len == 0)
		return 0;
	all = calloc(records->len + 1, sizeof(*all));
	if (!all)
		return fail(f, "parse-spec", ENOMEM, "rlimit table");
	*out = all;
	for (size_t i = 0; i < records->len; i++)
		if (parse_one(records->items[i], &all[i], f) < 0)
			return -1;
	all[records->len].resource = -1;
	return 0;
}

static int apply_one(const struct rlimit_entry *e, struct failure *f)
{
	struct rlimit want = { (rlim_t)e->soft, (rlim_t)e->hard }, had;
	int err;

	if (setrlimit(e->resource, &want) == 0)
		return 0;
	err = errno;
	if (getrlimit(e->resource, &had) < 0)
		return fail(f, "rlimit", err, "setrlimit %s %" PRIu64 ":%" PRIu64, e->name,
			    e->soft, e->hard);
	/* Raising a hard limit needs CAP_SYS_RESOURCE (prlimit checks the
	 * same), and nofile may never pass fs.nr_open. */
	return fail(f, "rlimit", err,
		    "setrlimit %s %" PRIu64 ":%" PRIu64 " (the helper's hard limit is %llu; raising "
		    "it needs CAP_SYS_RESOURCE, and nofile stays within fs.nr_open)",
		    e->name, e->soft, e->hard, (unsigned long long)had.rlim_max);
}

int rlimits_apply(const struct rlimit_entry *limits, struct failure *f)
{
	for (const struct rlimit_entry *e = limits; e && e->resource >= 0; e++)
		if (apply_one(e, f) < 0)
			return -1;
	return 0;
}
