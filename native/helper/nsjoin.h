/* Joining the namespaces of a running container's init (exec). */
#ifndef BERTH_NSJOIN_H
#define BERTH_NSJOIN_H

#include "report.h"

enum ns_kind { NS_IPC, NS_UTS, NS_NET, NS_PID, NS_MNT, NS_CGROUP, NS_COUNT };

struct nsfds {
	int fd[NS_COUNT];
};

/* Opens every namespace of `pid` through one /proc/<pid> directory fd,
 * so all of them belong to the same process even if the pid is reused. */
int nsjoin_open(int pid, struct nsfds *ns, struct failure *f);

/* setns into ipc, uts, net, pid and mnt (last: /proc paths change with
 * it). The pid namespace applies to children forked afterwards. The
 * cgroup namespace is left for nsjoin_enter_cgroup. */
int nsjoin_enter(struct nsfds *ns, struct failure *f);

/* setns into the cgroup namespace (after the caller joined the cgroup). */
int nsjoin_enter_cgroup(struct nsfds *ns, struct failure *f);

void nsjoin_close(struct nsfds *ns);

#endif
