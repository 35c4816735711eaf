/* Who the command runs as: Docker's --user and --group-add, resolved in the
 * container's /etc/passwd and /etc/group, and the switch to that identity. */
#ifndef BERTH_USER_H
#define BERTH_USER_H

#include <limits.h>
#include <stddef.h>
#include <sys/types.h>

#include "report.h"
#include "spec.h"

struct identity {
	uid_t uid;
	gid_t gid;
	gid_t *groups; /* supplementary groups, exactly what setgroups gets */
	size_t ngroups;
	char home[PATH_MAX];
};

/* `user` is `<uid|name>[:<gid|group>]` (NULL or empty: root). Numeric ids
 * need no passwd entry; names must exist. Runs after pivot_root. */
int user_resolve(const char *user, const struct strlist *group_add, struct identity *id,
		 struct failure *f);

/* setgroups, setresgid, setresuid: the caller keeps its permitted
 * capabilities across this with PR_SET_KEEPCAPS. */
int user_switch(const struct identity *id, struct failure *f);

/* env, plus HOME=<home> when env has no HOME (as Docker does). */
int user_env(const struct strlist *env, const struct identity *id, char ***out,
	     struct failure *f);

#endif
