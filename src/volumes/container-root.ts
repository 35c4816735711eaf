import * as fs from 'node:fs';
import { relative } from 'node:path';
import { CGROUP_PARENT } from '../engine/cgroups/container-cgroup.js';
import type { ContainerDirs, ContainerRecord } from '../engine/container/container-store.js';
import type { ImageStore } from '../engine/image/image-store.js';
import { native } from '../engine/native.js';
import type { ViewSpec } from '../engine/runtime/helper-spec.js';
import { readOr } from '../engine/state/files.js';
import { ContainerStateError } from '../errors.js';
import { at, InRoot } from './in-root.js';
import { helperMountRecords } from './mount-spec.js';
import { RootfsView } from './rootfs-view.js';

/** A container's `/`, open for copying, and how to let go of it. */
export interface ContainerRoot {
  root: InRoot;
  release(): Promise<void>;
}

/**
 * Opens a container's root: a running container's through its init
 * (`/proc/<pid>/root`, its mounts included), any other through a
 * {@link RootfsView} of its overlay and volumes.
 */
export async function openContainerRoot(pid: number | undefined, view: () => ViewSpec): Promise<ContainerRoot> {
  if (pid !== undefined) {
    const root = openInitRoot(pid, view().id);
    return { root, release: async () => root.close() };
  }
  const helper = await RootfsView.open(view());
  try {
    const root = InRoot.open(`/proc/${helper.pid}/root`);
    return {
      root,
      release: async () => {
        root.close();
        await helper.close();
      },
    };
  } catch (error) {
    await helper.close();
    throw error;
  }
}

/**
 * `/proc/<pid>/root` of the container's init, through an fd of `/proc/<pid>`
 * that stays bound to that very process: had the container exited and its
 * pid gone to a host process, the cgroup check fails instead of handing out
 * the host's root.
 */
function openInitRoot(pid: number, id: string): InRoot {
  let proc: number;
  try {
    proc = fs.openSync(`/proc/${pid}`, native().constants.O_PATH | fs.constants.O_DIRECTORY);
  } catch {
    throw new ContainerStateError(`container ${id.slice(0, 12)} is not running`, 'start it first');
  }
  try {
    const cgroups = readOr(at(proc, 'cgroup'));
    if (!cgroups.includes(`/${CGROUP_PARENT}/${id}`)) {
      throw new ContainerStateError(`container ${id.slice(0, 12)} is not running`, 'start it first');
    }
    return InRoot.open(at(proc, 'root'));
  } finally {
    fs.closeSync(proc);
  }
}

/** The view of a container that is not running: its overlay, and its binds and volumes unless `bare`. */
export function viewSpecOf(record: ContainerRecord, dirs: ContainerDirs, images: ImageStore, bare = false): ViewSpec {
  const layers = images.paths.layers;
  return {
    id: record.id,
    mountpoint: dirs.rootfs,
    lowerbase: layers,
    lowers: [...record.chainIds].reverse().map((c) => relative(layers, images.layerDiff(c))),
    upper: dirs.upper,
    work: dirs.work,
    mounts: bare ? [] : helperMountRecords(record.mounts ?? [], { withTmpfs: false }),
  };
}

/**
 * Shares one open root per container within this process, so nested copies
 * (a getArchive stream piped into a putArchive of the same stopped
 * container) use one view instead of waiting on the lock the first holds.
 */
export class SharedRoots {
  readonly #open = new Map<string, { opening: Promise<ContainerRoot>; refs: number }>();

  /** The root open for `key`, opened with `open` if none is; each acquirer releases its own handle. */
  async acquire(key: string, open: () => Promise<ContainerRoot>): Promise<ContainerRoot> {
    let entry = this.#open.get(key);
    if (!entry) {
      const created = { opening: open(), refs: 0 };
      created.opening.catch(() => this.#open.delete(key));
      this.#open.set(key, created);
      entry = created;
    }
    entry.refs++;
    const shared = entry;
    const base = await shared.opening;
    let released = false;
    return {
      root: base.root,
      release: async () => {
        if (released) return;
        released = true;
        if (--shared.refs > 0) return;
        this.#open.delete(key);
        await base.release();
      },
    };
  }
}
