#include "user.h"

#include <errno.h>
#include <grp.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "passwd.h"

#define PASSWD_FILE "/etc/passwd"
#define GROUP_FILE "/etc/group"
#define NAME_MAX_LEN 256

static void set_home(struct identity *id, const char *home)
{
	snprintf(id->home, sizeof(id->home), "%s", home && *home ? home : "/");
}

/* By name, or by uid when the name is a number; the first entry wins.
 * *login is the matched entry's name ("" when a bare uid matched none). */
static int find_user(const char *name, struct identity *id, char *login, struct failure *f)
{
	unsigned int num;
	bool numeric = passwd_parse_id(name, &num);
	struct pw_entry e;
	struct db db;

	if (db_open(&db, PASSWD_FILE, f) < 0)
		return -1;
	while (db_next_user(&db, &e)) {
		if (strcmp(e.name, name) != 0 && !(numeric && e.uid == num))
			continue;
		id->uid = e.uid;
		id->gid = e.gid;
		set_home(id, e.home);
		snprintf(login, NAME_MAX_LEN, "%s", e.name);
		db_close(&db);
		return 0;
	}
	db_close(&db);
	if (!numeric)
		return fail(f, "user", ENOENT, "unable to find user '%s' in %s", name, PASSWD_FILE);
	id->uid = num;
	id->gid = 0;
	set_home(id, "/");
	login[0] = '\0';
	return 0;
}

/* A number is taken as it is; a name must be in /etc/group. */
static int find_group(const char *name, const char *what, gid_t *gid, struct failure *f)
{
	struct gr_entry e;
	struct db db;

	if (passwd_parse_id(name, gid))
		return 0;
	if (db_open(&db, GROUP_FILE, f) < 0)
		return -1;
	while (db_next_group(&db, &e)) {
		if (strcmp(e.name, name) == 0) {
			*gid = e.gid;
			db_close(&db);
			return 0;
		}
	}
	db_close(&db);
	return fail(f, "user", ENOENT, "unable to find %s '%s' in %s", what, name, GROUP_FILE);
}

static int add_group(struct identity *id, gid_t gid, struct failure *f)
{
	gid_t *groups = realloc(id->groups, (id->ngroups + 1) * sizeof(*groups));

	if (!groups)
		return fail(f, "user", ENOMEM, "supplementary groups");
	id->groups = groups;
	id->groups[id->ngroups++] = gid;
	return 0;
}

/* Every group that lists the user as a member. */
static int member_groups(const char *login, struct identity *id, struct failure *f)
{
	struct gr_entry e;
	struct db db;
	int rc = 0;

	if (db_open(&db, GROUP_FILE, f) < 0)
		return -1;
	while (rc == 0 && db_next_group(&db, &e))
		if (passwd_is_member(e.members, login))
			rc = add_group(id, e.gid, f);
	db_close(&db);
	return rc;
}

static int split_user(const char *user, char *name, const char **group, struct failure *f)
{
	const char *colon = strchr(user, ':');
	size_t len = colon ? (size_t)(colon - user) : strlen(user);

	if (len >= NAME_MAX_LEN)
		return fail(f, "user", ENAMETOOLONG, "user '%s'", user);
	memcpy(name, user, len);
	name[len] = '\0';
	if (len == 0)
		snprintf(name, NAME_MAX_LEN, "0");
	*group = colon && colon[1] ? colon + 1 : NULL;
	return 0;
}

/* runc's rules: an explicit group replaces the primary group and leaves
 * out membership groups; group_add entries always come on top. */
int user_resolve(const char *user, const struct strlist *group_add, struct identity *id,
		 struct failure *f)
{
	char name[NAME_MAX_LEN], login[NAME_MAX_LEN];
	const char *group = NULL;

	memset(id, 0, sizeof(*id));
	if (split_user(user ? user : "", name, &group, f) < 0 ||
	    find_user(name, id, login, f) < 0)
		return -1;
	if (group && find_group(group, "group", &id->gid, f) < 0)
		return -1;
	if (!group && login[0] && member_groups(login, id, f) < 0)
		return -1;
	for (size_t i = 0; i < group_add->len; i++) {
		gid_t gid;

		if (find_group(group_add->items[i], "group_add group", &gid, f) < 0 ||
		    add_group(id, gid, f) < 0)
			return -1;
	}
	return 0;
}

int user_switch(const struct identity *id, struct failure *f)
{
	/* Always: the helper's own groups must not leak into the container. */
	if (setgroups(id->ngroups, id->groups) < 0)
		return fail(f, "user", errno, "setgroups (%zu groups)", id->ngroups);
	if (setresgid(id->gid, id->gid, id->gid) < 0)
		return fail(f, "user", errno, "setresgid %u", (unsigned)id->gid);
	if (setresuid(id->uid, id->uid, id->uid) < 0)
		return fail(f, "user", errno, "setresuid %u", (unsigned)id->uid);
	return 0;
}

int user_env(const struct strlist *env, const struct identity *id, char ***out,
	     struct failure *f)
{
	bool has_home = false;
	char **all;
	size_t n = 0;

	for (size_t i = 0; i < env->len; i++)
		has_home |= strncmp(env->items[i], "HOME=", 5) == 0;
	all = calloc(env->len + 2, sizeof(*all));
	if (!all)
		return fail(f, "user", ENOMEM, "environment");
	for (size_t i = 0; i < env->len; i++)
		all[n++] = (char *)env->items[i];
	if (!has_home && asprintf(&all[n++], "HOME=%s", id->home) < 0) {
		free(all);
		return fail(f, "user", ENOMEM, "HOME");
	}
	*out = all;
	return 0;
}
