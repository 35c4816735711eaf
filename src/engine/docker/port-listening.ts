import { readFile } from 'node:fs/promises';
import { debug } from '../../debug.js';
import type { ContainerInfo, ExecOptions, ExecResult } from '../api/index.js';
import { listensInside, procNetTables, tableListens } from '../proc-net-sockets.js';

/** Exit codes of a command the container cannot run: not executable (126), not found (127). */
const CANNOT_RUN = new Set([126, 127]);

/** What {@link portListening} needs of the engine. */
export interface PortProbe {
  /** The daemon runs on this machine (a unix socket), so its container pids may be ours to read. */
  local: boolean;
  inspect(id: string): Promise<ContainerInfo>;
  exec(id: string, options: ExecOptions): Promise<ExecResult>;
}

/**
 * Whether a socket inside a Docker container listens on `port`. Docker's
 * archive endpoint cannot read procfs (`GET /containers/{id}/archive?path=/proc/net/tcp`
 * answers 404), so, in order:
 * 1. a daemon on this machine whose container init is in our pid namespace
 *    (its /proc/<pid>/cgroup names the container): the container's /proc
 *    tables are read from the host, as the local engine does — nothing runs in
 *    the container, so images without a shell or `cat` work too;
 * 2. otherwise (a remote daemon) `cat` of the tables run in the container;
 * 3. an image without `cat` on a remote daemon cannot be looked into: the
 *    answer is yes, and the wait's connect to the published port decides.
 */
export async function portListening(probe: PortProbe, id: string, port: number, protocol: 'tcp' | 'udp'): Promise<boolean> {
  const info = await probe.inspect(id);
  if (!info.State.Running) return false;
  if (probe.local && (await ownsPid(info.Id, info.State.Pid))) return listensInside(info.State.Pid, port, protocol);
  const result = await probe.exec(info.Id, { cmd: ['cat', ...procNetTables(protocol)] }).catch((error: unknown) => {
    debug('cat of /proc/net in %s failed: %s', id, (error as Error).message);
    return undefined;
  });
  if (!result || CANNOT_RUN.has(result.exitCode)) return true;
  // An IPv4-only kernel lacks the `6` table: cat fails on it but prints the other.
  return tableListens(result.stdout, port, protocol);
}

/** Whether `pid`, as this process sees it, is the init of container `id`. */
async function ownsPid(id: string, pid: number): Promise<boolean> {
  if (pid <= 0) return false;
  const cgroup = await readFile(`/proc/${pid}/cgroup`, 'utf8').catch(() => '');
  return cgroup.includes(id);
}
