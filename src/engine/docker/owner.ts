import { hostname } from 'node:os';
import { debug } from '../../debug.js';
import { identify, isAlive } from '../state/process-identity.js';
import type { DockerContainers } from './containers.js';
import type { DockerImages } from './images.js';
import type { DockerNetworks } from './networks.js';
import type { DockerVolumes } from './volumes.js';

/** Label naming the process that owns a container, network or volume; its value is {@link Owner.id}. */
export const OWNER_LABEL = 'berth.owner';
/**
 * Label naming the process a temporary image (a commit with `temporary`)
 * lives as long as; a label of its own, since a container made from an image
 * inherits the image's labels and must not be bound to its owner by them.
 */
export const TEMPORARY_LABEL = 'berth.temporary';

/** This process, as the labels of what it creates name it. */
export interface Owner {
  /** `<hostname>-<pid>-<start time>`: unique among the processes of every host using the daemon. */
  id: string;
  /** The labels of its containers, networks and volumes: {@link OWNER_LABEL} and where the process runs. */
  labels: Record<string, string>;
  /** The same under {@link TEMPORARY_LABEL}, for its temporary images. */
  temporaryLabels: Record<string, string>;
}

/** The owner labels for this process. */
export function currentOwner(): Owner {
  const self = identify() ?? { pid: process.pid, startTime: 0 };
  const host = hostname();
  const id = `${host}-${self.pid}-${self.startTime}`;
  const under = (prefix: string): Record<string, string> => ({
    [prefix]: id,
    [`${prefix}.host`]: host,
    [`${prefix}.pid`]: String(self.pid),
    [`${prefix}.start`]: String(self.startTime),
  });
  return { id, labels: under(OWNER_LABEL), temporaryLabels: under(TEMPORARY_LABEL) };
}

/**
 * Whether the labels under `prefix` name an owner on this host that is gone
 * (a remote host's processes cannot be checked).
 */
export function ownerIsDead(labels: Record<string, string>, prefix = OWNER_LABEL): boolean {
  if (!labels[prefix] || labels[`${prefix}.host`] !== hostname()) return false;
  return !isAlive({ pid: Number(labels[`${prefix}.pid`]), startTime: Number(labels[`${prefix}.start`]) });
}

/**
 * The owner labels a committed image gets: each `berth.owner*` or
 * `berth.temporary*` label it would inherit from the container emptied (a
 * label cannot be taken away by a commit), then `temporary` (this process's
 * {@link Owner.temporaryLabels}, or none).
 */
export function commitLabels(inherited: Record<string, string>, temporary: Record<string, string>): Record<string, string> {
  const owned = Object.keys(inherited).filter((k) => k.startsWith(OWNER_LABEL) || k.startsWith(TEMPORARY_LABEL));
  return { ...Object.fromEntries(owned.map((k) => [k, ''])), ...temporary };
}

/** `labels` as a `docker commit --change` instruction, or none for no labels. */
export function labelChange(labels: Record<string, string>): string[] {
  const pairs = Object.entries(labels).map(([k, v]) => `${JSON.stringify(k)}=${JSON.stringify(v)}`);
  return pairs.length > 0 ? [`LABEL ${pairs.join(' ')}`] : [];
}

/** What a sweep removed, by kind. */
export interface DockerSweepResult {
  containers: string[];
  networks: string[];
  volumes: string[];
  /** Temporary images (ids). */
  images: string[];
}

/**
 * Removes what owners on this host left when they died and their watcher
 * died too (a kill of both, a reboot): their containers (with anonymous
 * volumes), then their networks and volumes, and their temporary images
 * that no container uses. Runs when an engine starts.
 */
export async function sweepDeadOwners(
  containers: DockerContainers,
  networks: DockerNetworks,
  volumes: DockerVolumes,
  images: DockerImages,
): Promise<DockerSweepResult> {
  const result: DockerSweepResult = { containers: [], networks: [], volumes: [], images: [] };
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
  const temporary = await images.labelled(TEMPORARY_LABEL);
  await Promise.all(
    temporary.filter((i) => ownerIsDead(i.Labels, TEMPORARY_LABEL)).map((i) => remove(result.images, i.Id, images.removeUnused(i.Id))),
  );
  return result;
}
