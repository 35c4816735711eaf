/* The container's /etc/passwd and /etc/group, read as plain text after
 * pivot_root. Never NSS: getpwnam would load the image's libraries. */
#ifndef BERTH_PASSWD_H
#define BERTH_PASSWD_H

#include <stdbool.h>
#include <sys/types.h>

#include "report.h"

struct pw_entry {
	const char *name;
	uid_t uid;
	gid_t gid;
	const char *home;
};

struct gr_entry {
	const char *name;
	gid_t gid;
	const char *members; /* comma-separated user names */
};

/* A whole file in memory; a missing file reads as empty. */
struct db {
	char *buf;
	char *pos;
};

int db_open(struct db *db, const char *path, struct failure *f);
void db_close(struct db *db);

/* The next well-formed entry (lines that do not parse are skipped);
 * returns false at the end. Strings point into the db. */
bool db_next_user(struct db *db, struct pw_entry *e);
bool db_next_group(struct db *db, struct gr_entry *e);

/* A decimal id below 2^32-1 (which the kernel reserves as "no id"). */
bool passwd_parse_id(const char *s, unsigned int *id);

/* Whether `name` is in the comma-separated `members`. */
bool passwd_is_member(const char *members, const char *name);

#endif
