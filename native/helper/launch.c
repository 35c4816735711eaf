#include "launch.h"

#include "exec.h"
#include "privileges.h"
#include "user.h"

int launch_prepare(const struct spec *s, char ***envp, struct failure *f)
{
	struct identity id;

	if (user_resolve(s->user, &s->group_add, &id, f) < 0 ||
	    user_env(&s->env, &id, envp, f) < 0 ||
	    privileges_apply(&s->sec, s->rlimits, &id, f) < 0)
		return -1;
	return 0;
}

int launch_command(const struct spec *s, struct failure *f)
{
	char **envp;

	if (launch_prepare(s, &envp, f) < 0)
		return -1;
	return exec_command((char *const *)s->arg.items, envp, f);
}
