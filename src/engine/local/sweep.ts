import * as fs from 'node:fs';
import { join } from 'node:path';
import { debug } from '../../debug.js';
import { CGROUP_PARENT, ContainerCgroup } from '../cgroups/container-cgroup.js';
import { cgroupLayout } from '../cgroups/hierarchy.js';
import type { ContainerStore } from '../container/container-store.js';
import { isAlive, type ProcessIdentity } from '../state/process-identity.js';

/** What a sweep removed. */
export interface SweepResult {
  containers: string[];
  /** Names whose container was gone (removed by its monitor, which leaves the name). */
  names: string[];
  cgroups: string[];
  /**
   * Containers whose owner died that are still being torn down: their
   * monitor lives on (or had yet to say who it is, so their cgroup still had
   * processes). The monitor removes the directory, but the name and the
   * anonymous volumes are left to a sweep after it (see {@link sweepWhenGone}).
   */
  dying: string[];
}

/**
 * Removes what dead owners left: containers whose monitor is gone and whose
 * creator is gone too (a crash of both, or a container never started), the
 * directories of creations that never finished, names of containers that
 * are gone, and berth cgroups that belong to no container. Runs when an
 * engine starts.
 */
export function sweepOrphans(containers: ContainerStore): SweepResult {
  const result: SweepResult = { containers: [], names: [], cgroups: [], dying: [] };
  const known = new Set<string>();
  for (const record of containers.list()) {
    known.add(record.id);
    const monitor = readMonitor(containers.dirs(record.id).monitor);
    if (isAlive(record.owner)) continue;
    if (isAlive(monitor)) {
      // A kept-alive container outlives its owner; any other's monitor is removing it.
      if (!record.spec.keepAlive) result.dying.push(record.id);
      continue;
    }
    try {
      ContainerCgroup.of(record.id).remove();
      containers.remove(record);
      result.containers.push(record.id);
    } catch (error) {
      // Processes in its cgroup: a monitor the owner died before recording is at work.
      result.dying.push(record.id);
      debug('sweep: could not remove container %s: %s', record.id, (error as Error).message);
    }
  }
  result.containers.push(...containers.sweepHalfMade(isRecent));
  result.names = containers.sweepNames();
  for (const dir of berthCgroupDirs()) {
    const id = dir.split('/').pop() ?? '';
    if (known.has(id) && fs.existsSync(join(containers.dir, id))) continue;
    if (isRecent(dir)) continue; // Another root's container still being created: its cgroup has no process yet.
    try {
      fs.rmdirSync(dir);
      result.cgroups.push(dir);
    } catch {
      // Still has processes (a container of another berth root): not ours to touch.
    }
  }
  if (result.containers.length + result.names.length + result.cgroups.length > 0) debug('sweep removed %o', result);
  return result;
}

/** How long a sweep after dying containers waits for them before it leaves the rest to the next engine. */
const TEARDOWN_WAIT_MS = 30_000;
const TEARDOWN_POLL_MS = 50;

/**
 * Runs `sweep` once the directories of the `dying` containers are gone (or
 * after 30 s), so the names and anonymous volumes of the containers their
 * monitors were removing go now, not at the next engine start. In the
 * background: it never keeps the process alive.
 */
export async function sweepWhenGone(containers: ContainerStore, dying: string[], sweep: () => void): Promise<void> {
  const deadline = Date.now() + TEARDOWN_WAIT_MS;
  while (dying.some((id) => fs.existsSync(containers.dirs(id).root)) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, TEARDOWN_POLL_MS).unref());
  }
  sweep();
}

// Longer than any container creation or start takes between two of its steps: making the
// directory and writing the config, making the cgroups and moving the process in.
const GRACE_MS = 60_000;

function isRecent(dir: string): boolean {
  try {
    return Date.now() - fs.statSync(dir).mtimeMs < GRACE_MS;
  } catch {
    return true; // Gone already, or unreadable: leave it.
  }
}

function readMonitor(path: string): ProcessIdentity | undefined {
  try {
    return (JSON.parse(fs.readFileSync(path, 'utf8')) as { monitor: ProcessIdentity }).monitor;
  } catch {
    return undefined;
  }
}

/** Every `berth/<id>` cgroup directory in every hierarchy. */
export function berthCgroupDirs(): string[] {
  const layout = cgroupLayout();
  const mounts = [...new Set(layout.v1.values()), ...(layout.unified ? [layout.unified] : [])];
  return mounts.flatMap((mount) => {
    const parent = join(mount, CGROUP_PARENT);
    try {
      return fs
        .readdirSync(parent, { withFileTypes: true })
        .filter((e) => e.isDirectory())
        .map((e) => join(parent, e.name));
    } catch {
      return [];
    }
  });
}
