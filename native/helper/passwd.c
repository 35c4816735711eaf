#include "passwd.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "io.h"

/* Far beyond any real passwd file; stops a hostile image from making the
 * helper read forever. */
#define DB_MAX (16 * 1024 * 1024)
#define MAX_FIELDS 7

static int read_all(int fd, struct db *db, const char *path, struct failure *f)
{
	size_t len = 0, cap = 0;

	for (;;) {
		ssize_t n;

		if (cap - len < 4096) {
			char *buf = cap >= DB_MAX ? NULL : realloc(db->buf, cap + 65536);

			if (!buf)
				return fail(f, "user", cap >= DB_MAX ? EFBIG : ENOMEM, "read %s", path);
			db->buf = buf;
			cap += 65536;
		}
		n = io_read(fd, db->buf + len, cap - len - 1);
		if (n < 0)
			return fail(f, "user", errno, "read %s", path);
		if (n == 0)
			break;
		len += (size_t)n;
	}
	db->buf[len] = '\0';
	return 0;
}

int db_open(struct db *db, const char *path, struct failure *f)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	int rc;

	db->buf = NULL;
	db->pos = NULL;
	if (fd < 0)
		return errno == ENOENT ? 0 : fail(f, "user", errno, "open %s", path);
	rc = read_all(fd, db, path, f);
	close(fd);
	db->pos = db->buf;
	return rc;
}

void db_close(struct db *db)
{
	free(db->buf);
	db->buf = db->pos = NULL;
}

/* Splits the next line at ':' in place; returns the field count, -1 at
 * the end of the file. */
static int next_line(struct db *db, char **fields)
{
	char *line, *end;
	int n = 0;

	if (!db->pos || !*db->pos)
		return -1;
	line = db->pos;
	end = strchrnul(line, '\n');
	db->pos = *end ? end + 1 : end;
	*end = '\0';
	for (char *p = line; n < MAX_FIELDS; p++) {
		fields[n++] = p;
		p = strchrnul(p, ':');
		if (!*p)
			break;
		*p = '\0';
	}
	return n;
}

bool passwd_parse_id(const char *s, unsigned int *id)
{
	unsigned long long v = 0;

	if (!*s || strlen(s) > 10)
		return false;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return false;
		v = v * 10 + (unsigned)(*s - '0');
	}
	if (v >= 0xffffffffULL)
		return false;
	*id = (unsigned int)v;
	return true;
}

bool db_next_user(struct db *db, struct pw_entry *e)
{
	char *f[MAX_FIELDS];
	int n;

	while ((n = next_line(db, f)) >= 0) {
		if (n < 4 || f[0][0] == '#' || !passwd_parse_id(f[2], &e->uid) ||
		    !passwd_parse_id(f[3], &e->gid))
			continue;
		e->name = f[0];
		e->home = n > 5 ? f[5] : "";
		return true;
	}
	return false;
}

bool db_next_group(struct db *db, struct gr_entry *e)
{
	char *f[MAX_FIELDS];
	int n;

	while ((n = next_line(db, f)) >= 0) {
		if (n < 3 || f[0][0] == '#' || !passwd_parse_id(f[2], &e->gid))
			continue;
		e->name = f[0];
		e->members = n > 3 ? f[3] : "";
		return true;
	}
	return false;
}

bool passwd_is_member(const char *members, const char *name)
{
	size_t len = strlen(name);

	for (const char *p = members; *p;) {
		const char *end = strchrnul(p, ',');

		if ((size_t)(end - p) == len && strncmp(p, name, len) == 0)
			return true;
		p = *end ? end + 1 : end;
	}
	return false;
}
