import * as fs from 'node:fs';
import type { CreateVolumeOptions, PruneVolumesResult, VolumeInfo } from '../engine/api/index.js';
import type { ContainerRecord, ContainerStore } from '../engine/container/container-store.js';
import type { StatePaths } from '../engine/paths.js';
import { trySyncLock, withFileLock } from '../engine/state/file-lock.js';
import { VolumeInUseError } from '../errors.js';
import type { ResolvedMount } from './mount-spec.js';
import { type MountPlan, type MountRequest, resolveMounts } from './resolve-mounts.js';
import { VolumeStore } from './volume-store.js';

/**
 * Volumes as the engine uses them: create, remove and prune, which
 * containers use which volume, and the mounts of new containers. Every
 * change holds the `volumes` file lock, so "unused" stays true until the
 * volume is gone and a new container's volumes exist until its record does.
 */
export class VolumeManager {
  readonly store: VolumeStore;

  constructor(
    private readonly paths: StatePaths,
    private readonly containers: ContainerStore,
  ) {
    this.store = new VolumeStore(paths.volumes);
  }

  #lock<T>(fn: () => Promise<T>): Promise<T> {
    return withFileLock(this.paths.locks, 'volumes', fn);
  }

  create(options: CreateVolumeOptions = {}): Promise<VolumeInfo> {
    return this.#lock(async () => this.store.create(options));
  }

  /** Names of the containers (running or not) whose mounts use the volume. */
  usersOf(name: string): string[] {
    return this.containers
      .list()
      .filter((c) => c.mounts?.some((m) => m.type === 'volume' && m.name === name))
      .map((c) => c.name);
  }

  /** Removes a volume; refused with {@link VolumeInUseError} while a container refers to it. */
  remove(name: string): Promise<void> {
    return this.#lock(async () => {
      this.store.get(name);
      const users = this.usersOf(name);
      if (users.length > 0) throw new VolumeInUseError(name, users);
      this.store.remove(name);
    });
  }

  /** Removes unused anonymous volumes, or every unused volume with `all`. */
  prune(options: { all?: boolean } = {}): Promise<PruneVolumesResult> {
    return this.#lock(async () => {
      const result: PruneVolumesResult = { volumesDeleted: [], spaceReclaimed: 0 };
      for (const { Name: name } of this.store.list()) {
        if (!(options.all || this.store.isAnonymous(name)) || this.usersOf(name).length > 0) continue;
        result.spaceReclaimed += this.store.size(name);
        this.store.remove(name);
        result.volumesDeleted.push(name);
      }
      return result;
    });
  }

  /**
   * Resolves a new container's mounts and runs `record` (which writes the
   * container's record) under the lock; volumes made for it are removed
   * again if that fails.
   */
  plan(request: MountRequest, record: (mounts: ResolvedMount[]) => void): Promise<MountPlan> {
    const usesVolumes =
      request.imageVolumes.length > 0 || (request.volumesFrom ?? []).length > 0 || (request.mounts ?? []).some((m) => m.type === 'volume');
    // Most containers touch no volume: they need not queue behind the lock.
    const locked = usesVolumes ? <T>(fn: () => Promise<T>) => this.#lock(fn) : <T>(fn: () => Promise<T>) => fn();
    return locked(async () => {
      const plan = resolveMounts(request, this.store, (c) => this.containers.get(c).mounts ?? []);
      try {
        record(plan.mounts);
      } catch (error) {
        for (const name of plan.createdVolumes) this.store.remove(name);
        throw error;
      }
      return plan;
    });
  }

  /**
   * After the container is gone: removes its anonymous volumes that no
   * other container uses, or with `keep` leaves them (to be pruned later).
   */
  releaseAnonymous(record: ContainerRecord, keep = false): Promise<void> {
    return this.#lock(async () => {
      for (const m of record.mounts ?? []) {
        if (!m.anonymous || !m.name || !this.store.find(m.name)) continue;
        if (keep) this.store.disown(m.name);
        else if (this.usersOf(m.name).length === 0) this.store.remove(m.name);
      }
    });
  }

  /**
   * Removes anonymous volumes whose container was removed without the
   * engine (its owner and monitor died, and a sweep or the monitor took the
   * container). Skipped when another process holds the lock: the next
   * engine start sweeps.
   */
  sweepOrphans(): string[] {
    const swept: string[] = [];
    trySyncLock(this.paths.locks, 'volumes', () => {
      swept.push(...this.store.sweepStaging());
      for (const { Name: name } of this.store.list()) {
        const owner = this.store.ownerOf(name);
        if (!owner || fs.existsSync(this.containers.dirs(owner).root) || this.usersOf(name).length > 0) continue;
        this.store.remove(name);
        swept.push(name);
      }
    });
    return swept;
  }
}
