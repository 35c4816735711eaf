import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import { join } from 'node:path';
import { ContainerNotFoundError, ContainerStateError } from '../../errors.js';
import type { ResolvedMount } from '../../volumes/mount-spec.js';
import type { ContainerSpec } from '../api/index.js';
import type { ResolvedHealthCheck } from '../health/health-check.js';
import { readlinkOr } from '../state/files.js';
import { atProcessEnd } from '../state/process-end.js';
import type { ProcessIdentity } from '../state/process-identity.js';

/** What the engine persists for a container (`containers/<id>/config.json`). */
export interface ContainerRecord {
  id: string;
  name: string;
  created: string;
  spec: ContainerSpec;
  imageId: string;
  /** Overlay lower dirs (chain ids), bottom-most first. */
  chainIds: string[];
  hostname: string;
  argv: string[];
  env: string[];
  workingDir: string;
  stopSignal: NodeJS.Signals;
  /** The process that created it: a container never started is swept once it is gone. */
  owner?: ProcessIdentity;
  /** Mounts as resolved at create time (host sources, volume names). */
  mounts?: ResolvedMount[];
  /** The spec's or the image's health check, when there is one. */
  healthcheck?: ResolvedHealthCheck;
}

/** Files and directories of one container. */
export interface ContainerDirs {
  root: string;
  upper: string;
  work: string;
  rootfs: string;
  log: string;
  exitFile: string;
  config: string;
  /** Who monitors the running container (see ContainerRuntime). */
  monitor: string;
  /** The monitor's attach socket, with openStdin or tty (native/PROTOCOL.md, "Attach"). */
  attach: string;
  /** The published ports as bound at the last start. */
  ports: string;
  /** The health check state (`State.Health`), written by the process that runs the checks. */
  health: string;
}

/**
 * Containers on disk: one directory each, plus a name index whose entries are
 * created exclusively so two processes can never take the same name.
 */
export class ContainerStore {
  readonly #names: string;
  readonly #trash: string;

  constructor(readonly dir: string) {
    this.#names = join(dir, '.names');
    this.#trash = join(dir, '.trash');
    fs.mkdirSync(this.#names, { recursive: true });
    fs.mkdirSync(this.#trash, { recursive: true });
  }

  /** A new 64-hex container id. */
  static newId(): string {
    return randomBytes(32).toString('hex');
  }

  dirs(id: string): ContainerDirs {
    const root = join(this.dir, id);
    return {
      root,
      upper: join(root, 'upper'),
      work: join(root, 'work'),
      rootfs: join(root, 'rootfs'),
      log: join(root, 'output.log'),
      exitFile: join(root, 'exit.json'),
      config: join(root, 'config.json'),
      monitor: join(root, 'monitor.json'),
      attach: join(root, 'attach.sock'),
      ports: join(root, 'ports.json'),
      health: join(root, 'health.json'),
    };
  }

  /**
   * Creates the container's directories and claims its name. The directory
   * comes first: a name whose container has no directory is stale, and
   * anyone may take it (see {@link sweepNames}).
   */
  create(record: ContainerRecord): ContainerDirs {
    const dirs = this.dirs(record.id);
    fs.mkdirSync(dirs.root, { mode: 0o700 });
    try {
      this.#claimName(record.name, record.id);
    } catch (e) {
      fs.rmSync(dirs.root, { recursive: true, force: true });
      throw e;
    }
    try {
      for (const d of [dirs.work, dirs.rootfs]) fs.mkdirSync(d, { recursive: true, mode: 0o700 });
      // The upper dir's mode becomes the mode of the container's `/` (the container dir above stays 0700).
      fs.mkdirSync(dirs.upper);
      fs.chmodSync(dirs.upper, 0o755); // Whatever the umask.
      fs.writeFileSync(dirs.config, JSON.stringify(record));
    } catch (e) {
      this.remove(record);
      throw e;
    }
    return dirs;
  }

  get(idOrName: string): ContainerRecord {
    const id = this.#resolveId(idOrName);
    try {
      return JSON.parse(fs.readFileSync(this.dirs(id).config, 'utf8')) as ContainerRecord;
    } catch {
      throw new ContainerNotFoundError(idOrName);
    }
  }

  /** Every container record on disk. */
  list(): ContainerRecord[] {
    const records: ContainerRecord[] = [];
    for (const id of fs.readdirSync(this.dir)) {
      if (!/^[a-f0-9]{64}$/.test(id)) continue;
      try {
        records.push(JSON.parse(fs.readFileSync(this.dirs(id).config, 'utf8')) as ContainerRecord);
      } catch {
        // Being created or removed right now: not a container yet, or not any more.
      }
    }
    return records;
  }

  /** Removes the container's directory and name; safe to call twice. */
  remove(record: Pick<ContainerRecord, 'id' | 'name'>): void {
    this.#discard(this.dirs(record.id).root);
    const namePath = join(this.#names, record.name);
    if (readlinkOr(namePath) === record.id) fs.rmSync(namePath, { force: true });
  }

  /**
   * The container is gone the moment its directory moves to the trash; the
   * files go in the background, since deleting even an empty container's
   * dozen directories takes milliseconds on ext4.
   */
  #discard(root: string): void {
    const trashed = join(this.#trash, `${root.slice(-64)}-${randomBytes(4).toString('hex')}`);
    try {
      fs.renameSync(root, trashed);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return;
      fs.rmSync(root, { recursive: true, force: true });
      return;
    }
    reclaim(trashed);
  }

  /** Starts deleting what removed containers left in the trash, by this process or by one that died first. */
  emptyTrash(): void {
    for (const entry of fs.readdirSync(this.#trash)) reclaim(join(this.#trash, entry));
  }

  /**
   * Removes the directories of containers whose creation never finished (no
   * config: the creator died first), except those `isRecent` says may be
   * another process's creation under way. Returns their ids.
   */
  sweepHalfMade(isRecent: (dir: string) => boolean): string[] {
    const ids = fs.readdirSync(this.dir).filter((id) => /^[a-f0-9]{64}$/.test(id));
    const halfMade = ids.filter((id) => !fs.existsSync(this.dirs(id).config) && !isRecent(this.dirs(id).root));
    for (const id of halfMade) this.#discard(this.dirs(id).root);
    return halfMade;
  }

  /**
   * Removes the names of containers whose directory is gone: a monitor that
   * cleaned up after a dead owner removes the directory but leaves the name.
   * Returns the names found stale.
   */
  sweepNames(): string[] {
    return fs.readdirSync(this.#names).filter((name) => this.#dropStaleName(name));
  }

  /**
   * Removes `name` if its container has no directory. The link is first
   * moved aside and read again, so a name that another process removed and
   * claimed anew meanwhile is put back, not lost.
   */
  #dropStaleName(name: string): boolean {
    const path = join(this.#names, name);
    const owner = readlinkOr(path);
    if (!owner || fs.existsSync(this.dirs(owner).root)) return false;
    const aside = join(this.#names, `.stale-${randomBytes(6).toString('hex')}`);
    try {
      fs.renameSync(path, aside);
    } catch {
      return true; // Someone else removed it first.
    }
    const moved = readlinkOr(aside);
    if (moved !== owner) {
      try {
        fs.linkSync(aside, path); // Only if the name is still free; link(2) does not follow the symlink.
      } catch {
        // Claimed again in between: the newer claim stands.
      }
    }
    fs.rmSync(aside, { force: true });
    return moved === owner;
  }

  #claimName(name: string, id: string, retry = true): void {
    try {
      fs.symlinkSync(id, join(this.#names, name));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      // A monitor that cleaned up after a dead owner leaves the name behind: reclaim it.
      if (retry && this.#dropStaleName(name)) {
        this.#claimName(name, id, false);
        return;
      }
      const owner = readlinkOr(join(this.#names, name));
      throw new ContainerStateError(
        `the container name "${name}" is already in use by container ${owner?.slice(0, 12)}`,
        'remove that container or choose another name',
      );
    }
  }

  #resolveId(idOrName: string): string {
    const byName = readlinkOr(join(this.#names, idOrName));
    if (byName) return byName;
    if (/^[a-f0-9]{64}$/.test(idOrName)) return idOrName;
    if (/^[a-f0-9]{6,63}$/.test(idOrName)) {
      const match = fs.readdirSync(this.dir).filter((d) => d.startsWith(idOrName));
      if (match.length === 1 && match[0]) return match[0];
    }
    throw new ContainerNotFoundError(idOrName);
  }
}

/** Trashed directories this process is still deleting, finished synchronously should it end first. */
const inFlight = new Set<string>();

/** Deletes a trashed directory in the background. */
function reclaim(path: string): void {
  inFlight.add(path);
  finishInFlightAtProcessEnd();
  void fs.promises
    .rm(path, { recursive: true, force: true })
    .catch(() => undefined) // Left for the next engine's emptyTrash.
    .finally(() => inFlight.delete(path));
}

function finishInFlightAtProcessEnd(): void {
  atProcessEnd('finish-trash', () => {
    for (const left of inFlight) {
      try {
        fs.rmSync(left, { recursive: true, force: true });
      } catch {
        // The next engine's emptyTrash takes it.
      }
    }
  });
}
