import * as fs from 'node:fs';
import { join } from 'node:path';
import { BerthError } from '../../errors.js';
import type { CgroupStats, ResourceLimits } from '../api/index.js';
import { readOr } from '../state/files.js';
import { type CgroupLayout, cgroupLayout } from './hierarchy.js';
import { type Settings, v1Settings, v2Settings } from './limits.js';
import { readStats } from './stats.js';

/** Every container's cgroup sits below this name in each hierarchy, so leftovers are easy to find. */
export const CGROUP_PARENT = 'berth';

const FREEZE_POLL_MS = 5;
const FREEZE_TIMEOUT_MS = 5000;

/**
 * A container's cgroups: one directory per v1 hierarchy (v1, hybrid) and/or
 * one in the unified hierarchy (v2, hybrid), named `berth/<id>`.
 */
export class ContainerCgroup {
  private constructor(
    readonly id: string,
    readonly layout: CgroupLayout,
  ) {}

  /** The cgroup of container `id` (whether or not it exists yet). */
  static of(id: string, layout: CgroupLayout = cgroupLayout()): ContainerCgroup {
    return new ContainerCgroup(id, layout);
  }

  /** Directories, one per hierarchy, v1 first. */
  get dirs(): string[] {
    const v1 = [...new Set(this.layout.v1.values())].map((mount) => join(mount, CGROUP_PARENT, this.id));
    return this.layout.unified ? [...v1, join(this.layout.unified, CGROUP_PARENT, this.id)] : v1;
  }

  /** Creates the directories and applies `limits`; on failure nothing is left. */
  create(limits: ResourceLimits): void {
    try {
      this.#prepareParents();
      for (const dir of this.dirs) fs.mkdirSync(dir, { recursive: true });
      const settings = this.layout.mode === 'v2' ? v2Settings(limits) : [...this.#cpusetDefaults(limits), ...v1Settings(limits)];
      for (const [file, value] of settings) this.#write(file, value);
    } catch (error) {
      this.remove();
      throw error instanceof BerthError ? error : cgroupError(`creating the cgroup of ${this.id.slice(0, 12)}`, error);
    }
  }

  /** Pids of every process in the container. */
  pids(): number[] {
    const dir = this.dirs[0];
    if (!dir) return [];
    return readOr(join(dir, 'cgroup.procs'), '').split('\n').filter(Boolean).map(Number);
  }

  /** Files the monitor reads the OOM-kill counter from. */
  oomEventFiles(): string[] {
    const v1 = this.layout.v1.get('memory');
    if (this.layout.mode !== 'v2' && v1) return [join(v1, CGROUP_PARENT, this.id, 'memory.oom_control')];
    return this.layout.unified ? [join(this.layout.unified, CGROUP_PARENT, this.id, 'memory.events')] : [];
  }

  stats(): CgroupStats {
    return readStats(this.layout, (controller, file) => this.#path(controller, file));
  }

  /** Whether the freezer holds the container now. */
  isFrozen(): boolean {
    if (this.layout.mode === 'v2') return readOr(this.#path('unified', 'cgroup.events'), '').includes('frozen 1');
    return readOr(this.#path('freezer', 'freezer.state'), '').trim() === 'FROZEN';
  }

  /** Freezes (pause) or thaws (unpause) every process, waiting until the kernel says it is done. */
  async setFrozen(frozen: boolean): Promise<void> {
    const v2 = this.layout.mode === 'v2';
    const control = v2 ? this.#path('unified', 'cgroup.freeze') : this.#path('freezer', 'freezer.state');
    fs.writeFileSync(control, v2 ? (frozen ? '1' : '0') : frozen ? 'FROZEN' : 'THAWED');
    const done = (): boolean =>
      v2
        ? readOr(this.#path('unified', 'cgroup.events'), '').includes(`frozen ${frozen ? 1 : 0}`)
        : readOr(control, '').trim() === (frozen ? 'FROZEN' : 'THAWED');
    const deadline = Date.now() + FREEZE_TIMEOUT_MS;
    while (!done()) {
      if (Date.now() > deadline) throw cgroupError(`the container did not ${frozen ? 'freeze' : 'thaw'} in time`, undefined);
      await new Promise((r) => setTimeout(r, FREEZE_POLL_MS));
    }
  }

  /** Removes the directories (the processes must be gone); safe to call twice. */
  remove(): void {
    for (const dir of this.dirs) {
      try {
        fs.rmdirSync(dir);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw cgroupError(`removing ${dir}`, e);
      }
    }
  }

  /** Parents need what children inherit before a child can take processes (v1 cpuset, v2 controllers). */
  #prepareParents(): void {
    const cpuset = this.layout.v1.get('cpuset');
    if (this.layout.mode !== 'v2' && cpuset) {
      const parent = join(cpuset, CGROUP_PARENT);
      fs.mkdirSync(parent, { recursive: true });
      for (const file of ['cpuset.cpus', 'cpuset.mems']) {
        if (readOr(join(parent, file), '').trim() === '') fs.writeFileSync(join(parent, file), readOr(join(cpuset, file), '').trim());
      }
    }
    if (this.layout.mode === 'v2' && this.layout.unified) {
      const root = this.layout.unified;
      const wanted = readOr(join(root, 'cgroup.controllers'), '')
        .split(/\s+/)
        .filter((c) => ['cpu', 'memory', 'pids', 'io', 'cpuset'].includes(c));
      fs.mkdirSync(join(root, CGROUP_PARENT), { recursive: true });
      const enable = wanted.map((c) => `+${c}`).join(' ');
      if (enable) {
        fs.writeFileSync(join(root, 'cgroup.subtree_control'), enable);
        fs.writeFileSync(join(root, CGROUP_PARENT, 'cgroup.subtree_control'), enable);
      }
    }
  }

  /** A v1 cpuset child starts with no CPUs and no memory nodes: give it the parent's unless limits say otherwise. */
  #cpusetDefaults(limits: ResourceLimits): Settings {
    const cpuset = this.layout.v1.get('cpuset');
    if (!cpuset) return [];
    const parent = (file: string): string => readOr(join(cpuset, CGROUP_PARENT, file), '').trim();
    return [
      ['cpuset.cpus', limits.cpusetCpus ? '' : parent('cpuset.cpus')],
      ['cpuset.mems', limits.cpusetMems ? '' : parent('cpuset.mems')],
    ].filter((pair): pair is [string, string] => pair[1] !== '');
  }

  /** Writes a controller file, named `<controller>.<setting>`. */
  #write(file: string, value: string): void {
    const controller = file.split('.')[0] ?? '';
    const path = this.#path(controller, file);
    try {
      fs.writeFileSync(path, value);
    } catch (e) {
      throw cgroupError(`setting ${file}=${value}`, e);
    }
  }

  #path(controller: string, file: string): string {
    const mount = this.layout.mode === 'v2' || controller === 'unified' ? this.layout.unified : this.layout.v1.get(controller);
    if (!mount) throw cgroupError(`the ${controller} cgroup controller is not mounted`, undefined);
    return join(mount, CGROUP_PARENT, this.id, file);
  }
}

function cgroupError(what: string, cause: unknown): BerthError {
  const detail = cause instanceof Error ? `: ${cause.message}` : '';
  return new BerthError('CGROUP_FAILED', `${what}${detail}`, {
    cause,
    hint: 'check that the cgroup controllers are mounted and writable (root), and that the limit is valid for this kernel',
  });
}
