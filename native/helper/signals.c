#include "signals.h"

static const int forwarded[] = { SIGTERM, SIGINT,  SIGHUP,  SIGQUIT,
				 SIGUSR1, SIGUSR2, SIGWINCH };

int signals_watched(sigset_t *set)
{
	if (sigemptyset(set) < 0 || sigaddset(set, SIGCHLD) < 0)
		return -1;
	for (size_t i = 0; i < sizeof(forwarded) / sizeof(forwarded[0]); i++)
		if (sigaddset(set, forwarded[i]) < 0)
			return -1;
	return 0;
}
