import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import { join } from 'node:path';
import type { CreateVolumeOptions, VolumeInfo } from '../engine/api/index.js';
import { show } from '../engine/container/spec-field.js';
import { treeSize } from '../engine/state/files.js';
import { pidExists } from '../engine/state/process-identity.js';
import { BerthError, VolumeNotFoundError } from '../errors.js';

/** What `volumes/<name>/volume.json` holds. */
interface VolumeFile {
  name: string;
  createdAt: string;
  labels: Record<string, string>;
  anonymous: boolean;
  /** The container an anonymous volume was made for; it goes when that container is gone. */
  owner?: string;
}

const NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]+$/;
/** `.new-<name>-<pid>` and `.gone-<name>-<pid>` beside the volume must still be file names (NAME_MAX 255). */
export const MAX_VOLUME_NAME_LENGTH = 240;

/** Refuses a volume name that is not a plain file name, before anything is made for it. */
export function checkVolumeName(name: string): void {
  if (typeof name !== 'string' || !NAME.test(name) || name.length > MAX_VOLUME_NAME_LENGTH) {
    const allowed = `2-${MAX_VOLUME_NAME_LENGTH} letters, digits, "_", "." or "-", starting with a letter or digit`;
    throw new BerthError('INVALID_VOLUME_NAME', `invalid volume name ${show(name)}: must be ${allowed}`, { hint: `use ${allowed}` });
  }
}
/** Label Berth puts on volumes it made for an image's VOLUME or an unnamed volume mount. */
export const ANONYMOUS_LABEL = 'berth.anonymous';

/**
 * Volumes of the local driver: `volumes/<name>/_data` is the content,
 * `volume.json` the metadata. Callers serialise create and remove across
 * processes with the engine's `volumes` lock, so "in use" checks hold.
 */
export class VolumeStore {
  constructor(readonly dir: string) {
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  }

  /** Creates a volume, or returns the existing one of that name (as Docker does). */
  create(options: CreateVolumeOptions & { owner?: string } = {}): VolumeInfo {
    const anonymous = options.name === undefined;
    const name = options.name ?? randomBytes(32).toString('hex');
    checkVolumeName(name);
    const existing = this.find(name);
    if (existing) return existing;
    const root = join(this.dir, name);
    const staging = join(this.dir, `.new-${name}-${process.pid}`);
    fs.rmSync(staging, { recursive: true, force: true });
    fs.mkdirSync(join(staging, '_data'), { recursive: true, mode: 0o755 });
    const labels = { ...options.labels, ...(anonymous ? { [ANONYMOUS_LABEL]: 'true' } : {}) };
    const file: VolumeFile = {
      name,
      createdAt: new Date().toISOString(),
      labels,
      anonymous,
      ...(options.owner ? { owner: options.owner } : {}),
    };
    fs.writeFileSync(join(staging, 'volume.json'), JSON.stringify(file));
    // A volume appears whole or not at all.
    fs.renameSync(staging, root);
    return this.#info(file);
  }

  /** The volume, or undefined. */
  find(name: string): VolumeInfo | undefined {
    const file = this.#read(name);
    return file ? this.#info(file) : undefined;
  }

  /** The volume; throws {@link VolumeNotFoundError} if missing. */
  get(name: string): VolumeInfo {
    const found = this.find(name);
    if (!found) throw new VolumeNotFoundError(name);
    return found;
  }

  /** Whether Berth created the volume without a name. */
  isAnonymous(name: string): boolean {
    return this.#read(name)?.anonymous ?? false;
  }

  /** The container an anonymous volume belongs to, if it still belongs to one. */
  ownerOf(name: string): string | undefined {
    return this.#read(name)?.owner;
  }

  /** Detaches an anonymous volume from its container: it stays until pruned. */
  disown(name: string): void {
    const file = this.#read(name);
    if (!file?.owner) return;
    const { owner: _gone, ...rest } = file;
    const path = join(this.dir, name, 'volume.json');
    fs.writeFileSync(`${path}.tmp`, JSON.stringify(rest));
    fs.renameSync(`${path}.tmp`, path);
  }

  list(): VolumeInfo[] {
    return fs
      .readdirSync(this.dir)
      .filter((n) => NAME.test(n))
      .flatMap((n) => this.find(n) ?? []);
  }

  /** Deletes the volume and its content; the caller checked it is unused. */
  remove(name: string): void {
    const root = join(this.dir, name);
    if (!NAME.test(name) || !fs.existsSync(root)) throw new VolumeNotFoundError(name);
    // Renamed first so a half-deleted volume never shows up under its name.
    const doomed = join(this.dir, `.gone-${name}-${process.pid}`);
    fs.renameSync(root, doomed);
    fs.rmSync(doomed, { recursive: true, force: true });
  }

  /** Removes what a create or remove that crashed midway left (`.new-*`, `.gone-*` of dead processes). */
  sweepStaging(): string[] {
    const swept: string[] = [];
    for (const entry of fs.readdirSync(this.dir)) {
      const pid = /^\.(?:new|gone)-.+-(\d+)$/.exec(entry)?.[1];
      if (!pid || pidExists(Number(pid))) continue;
      fs.rmSync(join(this.dir, entry), { recursive: true, force: true });
      swept.push(entry);
    }
    return swept;
  }

  /** Bytes used by the volume's files. */
  size(name: string): number {
    return treeSize(join(this.dir, name, '_data'));
  }

  #read(name: string): VolumeFile | undefined {
    if (!NAME.test(name)) return undefined;
    try {
      return JSON.parse(fs.readFileSync(join(this.dir, name, 'volume.json'), 'utf8')) as VolumeFile;
    } catch {
      return undefined;
    }
  }

  #info(file: VolumeFile): VolumeInfo {
    return {
      Name: file.name,
      Driver: 'local',
      Mountpoint: join(this.dir, file.name, '_data'),
      CreatedAt: file.createdAt,
      Labels: file.labels,
      Scope: 'local',
      Options: {},
    };
  }
}
