import { hostname } from 'node:os';
import { debug } from '../../debug.js';
import { identify, isAlive } from '../state/process-identity.js';
import type { DockerContainers } from './containers.js';
import type { DockerNetworks } from './networks.js';
import type { DockerVolumes } from './volumes.js';

/** Label naming the process that owns a container, network or volume; its value is {@link Owner.id}. */
export const OWNER_LABEL = 'berth.owner';
const HOST_LABEL = 'berth.owner.host';
const PID_LABEL = 'berth.owner.pid';
const START_LABEL = 'berth.owner.start';

/** This process, as the labels of what it creates name it. */
export interface Owner {
  /** `<hostname>-<pid>-<start time>`: unique among the processes of every host using the daemon. */
  id: string;
  labels: Record<string, string>;
}

/** The owner labels for this process. */
export function currentOwner(): Owner {
  const self = identify() ?? { pid: process.pid, startTime: 0 };
  const host = hostname();
  const id = `${host}-${self.pid}-${self.startTime}`;
  return { id, labels: { [OWNER_LABEL]: id, [HOST_LABEL]: host, [PID_LABEL]: String(self.pid), [START_LABEL]: String(self.startTime) } };
}

/** Whether the labels name an owner on this host that is gone (a remote host's processes cannot be checked). */
export function ownerIsDead(labels: Record<string, string>): boolean {
  if (!labels[OWNER_LABEL] || labels[HOST_LABEL] !== hostname()) return false;
  return !isAlive({ pid: Number(labels[PID_LABEL]), startTime: Number(labels[START_LABEL]) });
}

/** What a sweep removed, by kind. */
export interface DockerSweepResult {
  containers: string[];
  networks: string[];
  volumes: string[];
}

/**
 * Removes what owners on this host left when they died and their watcher
 * died too (a kill of both, a reboot): their containers (with anonymous
 * volumes), then their networks and volumes. Runs when an engine starts.
 */
export async function sweepDeadOwners(
  containers: DockerContainers,
  networks: DockerNetworks,
  volumes: DockerVolumes,
): Promise<DockerSweepResult> {
  const result: DockerSweepResult = { containers: [], networks: [], volumes: [] };
  const remove = async (list: string[], name: string, removal: Promise<void>): Promise<void> => {
    try {
      await removal;
      list.push(name);
    } catch (error) {
      debug('docker sweep could not remove %s: %s', name, (error as Error).message); // Its watcher got there first, or it is in use.
    }
  };
  const owned = await containers.summaries([OWNER_LABEL]);
  await Promise.all(
    owned.filter((c) => ownerIsDead(c.Labels)).map((c) => remove(result.containers, c.Id, containers.remove(c.Id, { force: true }))),
  );
  const nets = await networks.list([OWNER_LABEL]);
  await Promise.all(nets.filter((n) => ownerIsDead(n.Labels)).map((n) => remove(result.networks, n.Name, networks.remove(n.Id))));
  const vols = await volumes.list([OWNER_LABEL]);
  await Promise.all(vols.filter((v) => ownerIsDead(v.Labels)).map((v) => remove(result.volumes, v.Name, volumes.remove(v.Name))));
  return result;
}
