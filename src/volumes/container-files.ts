import * as fs from 'node:fs';
import type { ExtractOptions, PathArchive } from '../engine/api/index.js';
import type { ContainerRecord, ContainerStore } from '../engine/container/container-store.js';
import type { ImageStore } from '../engine/image/image-store.js';
import type { ContainerRuntime } from '../engine/local/container-runtime.js';
import type { ViewSpec } from '../engine/runtime/helper-spec.js';
import { withFileLock } from '../engine/state/file-lock.js';
import { ContainerPathError } from '../errors.js';
import { type ContainerRoot, openContainerRoot, SharedRoots, viewSpecOf } from './container-root.js';
import { extractInto } from './copy-in.js';
import { archivePath } from './copy-out.js';
import { InRoot } from './in-root.js';
import type { ResolvedMount } from './mount-spec.js';
import { spool } from './spool.js';

/**
 * Files of containers for the local engine: copy in and out (running
 * containers through their init, others through a view holding the
 * container's lock so it cannot start meanwhile), and the copy-up of image
 * content into new volumes.
 */
export class ContainerFiles {
  readonly #views = new SharedRoots();

  constructor(
    private readonly containers: ContainerStore,
    private readonly images: ImageStore,
    private readonly runtime: ContainerRuntime,
  ) {}

  /** Extracts `tar` into the directory `path` of the container. */
  async put(record: ContainerRecord, path: string, tar: AsyncIterable<Buffer>, options: ExtractOptions = {}): Promise<void> {
    const { root, release } = await this.#openRoot(record);
    try {
      await extractInto(root, path, tar, options);
    } finally {
      await release();
    }
  }

  /** `path` of the container as a tar stream and its stat. */
  async get(record: ContainerRecord, path: string): Promise<PathArchive> {
    const { root, release, live } = await this.#openRoot(record);
    if (live) return archivePath(root, path, () => void release());
    // A stopped container's view holds its lock: spooled, a forgotten stream never blocks a start or a removal.
    try {
      const { stat, stream } = archivePath(root, path);
      return { stat, stream: await spool(stream, this.images.paths.tmp) };
    } finally {
      await release();
    }
  }

  /** Copies the image's content into the new, empty volumes among `mounts` of a just-created container. */
  copyUp(record: ContainerRecord, mounts: ResolvedMount[]): Promise<void> {
    if (mounts.length === 0) return Promise.resolve();
    const view = (): ViewSpec => viewSpecOf(record, this.containers.dirs(record.id), this.images, true);
    // The container is listed already: its lock keeps a start from mounting the same upper meanwhile.
    return withFileLock(this.images.paths.locks, `container-${record.id}`, () => copyUp(mounts, () => openContainerRoot(undefined, view)));
  }

  async #openRoot(record: ContainerRecord): Promise<ContainerRoot & { live: boolean }> {
    const view = (): ViewSpec => viewSpecOf(record, this.containers.dirs(record.id), this.images);
    const running = this.runtime.running(record.id);
    if (running) return { ...(await openContainerRoot(running.pid, view)), live: true };
    const shared = await this.#views.acquire(record.id, async () => {
      const unlock = await holdLock(this.images.paths.locks, `container-${record.id}`);
      try {
        const opened = await openContainerRoot(this.runtime.running(record.id)?.pid, view);
        return { root: opened.root, release: () => opened.release().finally(unlock) };
      } catch (error) {
        unlock();
        throw error;
      }
    });
    return { ...shared, live: false };
  }
}

/** Takes a file lock and resolves with the function that releases it. */
function holdLock(dir: string, name: string): Promise<() => void> {
  return new Promise((acquired, failed) => {
    withFileLock(dir, name, () => new Promise<void>((release) => acquired(release))).catch(failed);
  });
}

/**
 * Copies what the image has at each mount's target into its (empty, new)
 * volume, as Docker does on first use; the volume's root takes the owner
 * and mode of the image's directory. `open` gives the container's rootfs
 * without its mounts.
 */
async function copyUp(mounts: ResolvedMount[], open: () => Promise<ContainerRoot>): Promise<void> {
  const { root, release } = await open();
  try {
    for (const mount of mounts) await copyOne(root, mount);
  } finally {
    await release();
  }
}

async function copyOne(image: InRoot, mount: ResolvedMount): Promise<void> {
  let st: fs.Stats;
  try {
    const fd = image.openDir(mount.target);
    st = fs.fstatSync(fd);
    fs.closeSync(fd);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return; // Nothing in the image to copy.
    throw error;
  }
  const volume = InRoot.open(mount.source);
  try {
    await extractInto(volume, '/', archivePath(image, `${mount.target}/.`).stream);
  } catch (error) {
    throw new ContainerPathError(mount.target, `copying the image's content into volume ${mount.name} failed`, { cause: error });
  } finally {
    volume.close();
  }
  fs.chownSync(mount.source, st.uid, st.gid);
  fs.chmodSync(mount.source, st.mode & 0o7777);
}
