import { createHash, randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import { join } from 'node:path';
import { debug } from '../../debug.js';
import { ImageNotPresentError } from '../../errors.js';
import type { ImageConfig } from '../api/index.js';
import { native } from '../native.js';
import { digestHex, type StatePaths } from '../paths.js';
import { writeAtomic } from '../state/files.js';
import type { ProcessIdentity } from '../state/process-identity.js';
import { BlobStore } from './blob-store.js';
import { type LayerForm, type LayerRecord, readLayerRecord, TAR_SKELETON, withForm, writeLayerRecord } from './layer-record.js';
import { formatReference, parseReference } from './reference.js';

/** What the store knows of one image, keyed by its id (the config digest). */
export interface ImageRecord {
  /** Image id: the digest of its config. */
  id: string;
  /** Digest of the manifest it was pulled or built with. */
  manifestDigest: string;
  /** Canonical references tagged to this image. */
  repoTags: string[];
  /** Layer chain ids, bottom-most first. */
  chainIds: string[];
  /** Total unpacked content size in bytes. */
  size: number;
  config: ImageConfig;
  /**
   * The process the image lives for (a snapshot): removed when it ends, or
   * by the next engine to start once it is gone. Absent: kept until removed.
   */
  owner?: ProcessIdentity;
}

/** Options of an {@link ImageStore}. */
export interface ImageStoreOptions {
  /**
   * Keep each layer's blob as pulled or loaded besides the unpacked layer
   * (default false: the layer is kept unpacked only, with its tar skeleton).
   */
  keepLayerBlobs?: boolean;
}

/**
 * Images, tags and unpacked layers on disk. Unpacked layers are shared by
 * chain id; each layer directory holds only that layer's changes (overlayfs
 * stacks them), and appears by an atomic rename once complete, so a crash
 * mid-pull leaves nothing that a later pull would use. Beside its files
 * (`diff/`), a layer directory holds its {@link LayerRecord} and the tar
 * skeleton that rebuilds its tar; its compressed blob is not kept unless
 * `keepLayerBlobs` is set (or the skeleton cannot rebuild the tar).
 */
export class ImageStore {
  readonly blobs: BlobStore;
  readonly keepLayerBlobs: boolean;

  constructor(
    readonly paths: StatePaths,
    options: ImageStoreOptions = {},
  ) {
    for (const dir of [paths.blobs, paths.layers, paths.images, paths.refs, paths.tmp]) fs.mkdirSync(dir, { recursive: true });
    this.blobs = new BlobStore(paths.blobs, paths.tmp);
    this.keepLayerBlobs = options.keepLayerBlobs ?? false;
    spreadSubdirectories(paths.tmp);
  }

  /** A layer's directory: its files (`diff`), record and tar skeleton. */
  layerDir(chainId: string): string {
    return join(this.paths.layers, digestHex(chainId));
  }

  /** The directory overlayfs uses for a layer (its `diff`). */
  layerDiff(chainId: string): string {
    return join(this.layerDir(chainId), 'diff');
  }

  /** The tar skeleton of a layer, if it has one that rebuilds its tar. */
  layerSkeleton(chainId: string): string | undefined {
    const path = join(this.layerDir(chainId), TAR_SKELETON);
    return this.layerRecord(chainId)?.rebuilds && fs.existsSync(path) ? path : undefined;
  }

  /** What the store knows of a layer besides its files, or undefined when it has no such layer. */
  layerRecord(chainId: string): LayerRecord | undefined {
    return readLayerRecord(this.layerDir(chainId));
  }

  /**
   * Notes that `form` holds the layer (a blob pulled, pushed, mounted or
   * found at a registry). Only a hint for later pushes: of two notes made at
   * once, one may be lost.
   */
  recordLayerForm(chainId: string, form: LayerForm): void {
    const record = this.layerRecord(chainId);
    const updated = record && withForm(record, form);
    if (updated) writeLayerRecord(this.layerDir(chainId), updated);
  }

  hasLayer(chainId: string): boolean {
    return fs.existsSync(this.layerDiff(chainId));
  }

  /** A staging dir for a layer being unpacked; publish it with {@link publishLayer}. */
  stageLayer(): string {
    const dir = join(this.paths.tmp, `layer-${process.pid}-${randomBytes(6).toString('hex')}`);
    fs.mkdirSync(join(dir, 'diff'), { recursive: true });
    return dir;
  }

  /**
   * Moves a completely unpacked layer into place; a concurrent winner is
   * kept, and learns the blob this one came as (`form`).
   */
  publishLayer(staging: string, chainId: string, form: LayerForm): void {
    try {
      fs.renameSync(staging, this.layerDir(chainId));
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code !== 'ENOTEMPTY' && code !== 'EEXIST') throw e;
      fs.rmSync(staging, { recursive: true, force: true });
      this.recordLayerForm(chainId, form);
    }
  }

  /** Records an image and tags it with `reference` (if given). */
  saveImage(record: Omit<ImageRecord, 'repoTags'>, reference?: string): ImageRecord {
    const existing = this.get(record.id);
    const tags = new Set(existing?.repoTags ?? []);
    if (reference) tags.add(reference);
    const full: ImageRecord = { ...record, repoTags: [...tags] };
    writeAtomic(this.#imagePath(record.id), JSON.stringify(full));
    if (reference) writeAtomic(this.#refPath(reference), record.id);
    return full;
  }

  /** Looks an image up by reference (any form), or by id / id prefix. */
  resolve(nameOrId: string): ImageRecord | undefined {
    const byId = this.#byId(nameOrId);
    if (byId) return byId;
    const name = canonical(nameOrId);
    if (!name) return undefined;
    const id = readOrUndefined(this.#refPath(name));
    return id ? this.get(id) : undefined;
  }

  get(id: string): ImageRecord | undefined {
    const text = readOrUndefined(this.#imagePath(id));
    return text ? (JSON.parse(text) as ImageRecord) : undefined;
  }

  list(): ImageRecord[] {
    return fs
      .readdirSync(this.paths.images)
      .filter((f) => f.endsWith('.json'))
      .map((f) => this.get(`sha256:${f.slice(0, -5)}`))
      .filter((r): r is ImageRecord => r !== undefined);
  }

  /** Adds `reference` as a tag of image `id` (moving it from any other image). */
  tag(id: string, reference: string): ImageRecord {
    const record = this.get(id);
    if (!record) throw new ImageNotPresentError(id);
    const previous = this.resolve(reference);
    if (previous && previous.id !== id) this.#dropTag(previous, reference);
    return this.saveImage(record, reference);
  }

  /**
   * Removes a tag, or (given an id, or the last tag) the image record itself,
   * as `docker rmi` does. Layers and blobs stay until {@link pruneStore}.
   * Returns whether the image record was deleted.
   */
  remove(nameOrId: string): { record: ImageRecord; deleted: boolean } {
    const record = this.resolve(nameOrId);
    if (!record) throw new ImageNotPresentError(nameOrId);
    const tag = tagNamed(record, nameOrId);
    if (tag && removesTagOnly(record, nameOrId)) {
      this.#dropTag(record, tag);
      return { record, deleted: false };
    }
    for (const t of record.repoTags) fs.rmSync(this.#refPath(t), { force: true });
    fs.rmSync(this.#imagePath(record.id), { force: true });
    return { record, deleted: true };
  }

  #dropTag(record: ImageRecord, reference: string): void {
    fs.rmSync(this.#refPath(reference), { force: true });
    const updated = { ...record, repoTags: record.repoTags.filter((t) => t !== reference) };
    writeAtomic(this.#imagePath(record.id), JSON.stringify(updated));
  }

  #byId(text: string): ImageRecord | undefined {
    const hex = text.startsWith('sha256:') ? text.slice(7) : text;
    if (!/^[a-f0-9]{12,64}$/.test(hex)) return undefined;
    if (hex.length === 64) return this.get(`sha256:${hex}`);
    const match = fs.readdirSync(this.paths.images).find((f) => f.startsWith(hex));
    return match ? this.get(`sha256:${match.slice(0, -5)}`) : undefined;
  }

  #imagePath(id: string): string {
    return join(this.paths.images, `${digestHex(id)}.json`);
  }

  #refPath(reference: string): string {
    return join(this.paths.refs, encodeURIComponent(reference));
  }
}

/** The tag of `record` that `reference` names, or undefined when it names the image by id. */
export function tagNamed(record: ImageRecord, reference: string): string | undefined {
  const hex = reference.startsWith('sha256:') ? reference.slice(7) : reference;
  if (/^[a-f0-9]{12,64}$/.test(hex) && record.id.slice(7).startsWith(hex)) return undefined;
  const name = canonical(reference);
  return name !== undefined && record.repoTags.includes(name) ? name : undefined;
}

/**
 * Whether removing `reference` takes only that tag from `record` (one of
 * several tags), not the image itself (by id, or its last tag), as `docker rmi`.
 */
export function removesTagOnly(record: ImageRecord, reference: string): boolean {
  return tagNamed(record, reference) !== undefined && record.repoTags.length > 1;
}

/** Chain ids from diff ids, as the OCI image spec defines them. */
export function chainIds(diffIds: string[]): string[] {
  const out: string[] = [];
  for (const diffId of diffIds) {
    const prev = out[out.length - 1];
    out.push(prev ? `sha256:${createHash('sha256').update(`${prev} ${diffId}`).digest('hex')}` : diffId);
  }
  return out;
}

/**
 * Marks the staging dir as a top of directory hierarchies (chattr +T), so
 * ext4 puts each layer staged in it in a block group of its own choosing
 * rather than in the store's. On ext4 without a journal, every new inode
 * skips, one by one, the inodes of its group deleted in the last minute or
 * more: unpacking the Debian layer next to a just-removed one took 2-4 s of
 * kernel time instead of 0.3 s. Only a placement hint: filesystems without
 * the flag refuse it, and nothing depends on it.
 */
function spreadSubdirectories(dir: string): void {
  try {
    native().addInodeFlags(dir, native().constants.FS_TOPDIR_FL);
  } catch (error) {
    debug('no top-directory hint on %s: %s', dir, (error as Error).message);
  }
}

/** The canonical form of a reference, or undefined if it is not one. */
function canonical(text: string): string | undefined {
  try {
    return formatReference(parseReference(text));
  } catch {
    return undefined;
  }
}

function readOrUndefined(path: string): string | undefined {
  try {
    return fs.readFileSync(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
}
