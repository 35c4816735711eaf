import * as fs from 'node:fs';
import { join } from 'node:path';
import { LayerError } from '../../errors.js';
import { native } from '../native.js';
import { readTar, type TarEntry, type TarRecorder } from './tar-reader.js';
import { WriteBehind } from './write-behind.js';

/** A layer entry named `.wh.<name>` deletes `<name>` of the layers below. */
export const WHITEOUT_PREFIX = '.wh.';
/** A layer entry with this name hides what the layers below have in its directory. */
export const OPAQUE_MARKER = '.wh..wh..opq';
/** Overlayfs marks a directory whose lower contents are hidden with this xattr. */
export const OPAQUE_XATTR = 'trusted.overlay.opaque';

/** Counts of what an unpack wrote, for progress and tests. */
export interface UnpackStats {
  entries: number;
  bytes: number;
}

/**
 * Unpacks a layer tar into `dir` (an empty directory) in overlayfs form:
 * `.wh.<name>` whiteouts become 0/0 character devices and `.wh..wh..opq`
 * marks its directory opaque. Ownership, modes (setuid included), times,
 * hardlinks, symlinks, device nodes and xattrs are kept.
 *
 * Every path is resolved inside `dir` without following any symlink, and
 * entries that would land outside it (`..`, absolute paths, writes through a
 * symlink, hardlinks to outside) are refused with {@link LayerError}.
 *
 * File content is written behind, after the source has moved on: a chunk's
 * memory must not be reused once it is yielded (no Node stream does).
 * A `recorder` is told the archive's bytes as they are read (see readTar).
 */
export async function unpackLayer(source: AsyncIterable<Buffer>, dir: string, recorder?: TarRecorder): Promise<UnpackStats> {
  const unpacker = new Unpacker(dir);
  try {
    for await (const { entry, body } of readTar(source, recorder)) {
      await unpacker.write(entry, body);
    }
    await unpacker.finish();
  } catch (error) {
    await unpacker.abandon();
    throw error;
  }
  return unpacker.stats;
}

class Unpacker {
  readonly stats: UnpackStats = { entries: 0, bytes: 0 };
  /** Relative paths known to be real directories (not symlinks) inside the layer. */
  readonly #dirs = new Set<string>(['']);
  readonly #dirTimes: { abs: string; mtime: number }[] = [];
  readonly #writes = new WriteBehind();

  constructor(readonly root: string) {}

  async write(entry: TarEntry, body: AsyncIterable<Buffer>): Promise<void> {
    const rel = cleanPath(entry.path);
    this.stats.entries++;
    if (rel === '') return this.#directory('', entry); // "./" itself: metadata of the layer root.
    const slash = rel.lastIndexOf('/');
    const parent = slash === -1 ? '' : rel.slice(0, slash);
    const base = rel.slice(slash + 1);
    this.#ensureDir(parent, entry.path);
    if (base === OPAQUE_MARKER) return native().lsetxattr(this.#abs(parent), OPAQUE_XATTR, Buffer.from('y'));
    if (base.startsWith(WHITEOUT_PREFIX)) return this.#whiteout(parent, base.slice(WHITEOUT_PREFIX.length), entry);
    if (entry.type === 'directory') return this.#directory(rel, entry);
    const abs = this.#abs(rel);
    switch (entry.type) {
      case 'file':
        return this.#file(rel, abs, entry, body);
      case 'symlink':
        this.#create(rel, () => fs.symlinkSync(entry.linkpath, abs));
        break;
      case 'hardlink':
        this.#create(rel, () => fs.linkSync(this.#linkTarget(entry), abs));
        return; // A hardlink shares its target's inode: no metadata of its own.
      default:
        this.#create(rel, () => this.#special(abs, entry));
    }
    this.#metadata(abs, entry);
  }

  /** Runs `make`; if something is already there (a later entry replaces it), clears it and runs `make` again. */
  #create<T>(rel: string, make: () => T): T {
    try {
      return make();
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      this.#clear(rel);
      return make();
    }
  }

  async finish(): Promise<void> {
    await this.#writes.flush();
    // Directory times last, deepest first: writing children changes a directory's mtime.
    for (const { abs, mtime } of this.#dirTimes.reverse()) fs.utimesSync(abs, mtime, mtime);
  }

  /** Waits for the files still being written, so nothing writes into the layer once it is removed. */
  abandon(): Promise<void> {
    return this.#writes.settle();
  }

  /**
   * The name is made here, at once, as every other entry's (later entries
   * and checks see it); content and metadata follow in the thread pool,
   * through the open descriptor. Owner always (a setgid parent directory
   * would otherwise hand its group down), mode after it (chown clears
   * setuid/setgid).
   */
  async #file(rel: string, abs: string, entry: TarEntry, body: AsyncIterable<Buffer>): Promise<void> {
    const flags = fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL | fs.constants.O_NOFOLLOW;
    const fd = this.#create(rel, () => fs.openSync(abs, flags, 0o600));
    const { uid, gid, mode, mtime } = entry;
    this.stats.bytes += await this.#writes.file(fd, abs, body, { uid, gid, mode, mtime, xattrs: [...entry.xattrs] });
  }

  #special(abs: string, entry: TarEntry): void {
    const { S_IFCHR, S_IFBLK, S_IFIFO } = native().constants;
    const kind = entry.type === 'char' ? S_IFCHR : entry.type === 'block' ? S_IFBLK : S_IFIFO;
    native().mknod(abs, kind | entry.mode, entry.devmajor, entry.devminor);
  }

  #directory(rel: string, entry: TarEntry): void {
    const abs = this.#abs(rel);
    const existing = lstatOrUndefined(abs);
    if (existing && !existing.isDirectory()) this.#clear(rel);
    if (!existing?.isDirectory()) fs.mkdirSync(abs, { mode: 0o700 });
    this.#dirs.add(rel);
    this.#metadata(abs, entry);
    this.#dirTimes.push({ abs, mtime: entry.mtime });
  }

  #whiteout(parent: string, name: string, entry: TarEntry): void {
    if (name === '' || name === '.' || name === '..' || name.startsWith(WHITEOUT_PREFIX)) {
      // `.wh..wh.*` names other than the opaque marker are aufs internals with no meaning here.
      if (name.startsWith(WHITEOUT_PREFIX)) return;
      throw new LayerError(`layer whiteout "${entry.path}" names no file`, entry.path);
    }
    const rel = parent ? `${parent}/${name}` : name;
    this.#clear(rel);
    native().mknod(this.#abs(rel), native().constants.S_IFCHR, 0, 0);
  }

  #metadata(abs: string, entry: TarEntry): void {
    fs.lchownSync(abs, entry.uid, entry.gid);
    // chmod after chown: chown clears setuid/setgid bits. Symlinks have no mode of their own.
    if (entry.type !== 'symlink') fs.chmodSync(abs, entry.mode);
    for (const [name, value] of entry.xattrs) native().lsetxattr(abs, name, value);
    if (entry.type !== 'directory') fs.lutimesSync(abs, entry.mtime, entry.mtime);
  }

  #linkTarget(entry: TarEntry): string {
    const rel = cleanPath(entry.linkpath);
    const slash = rel.lastIndexOf('/');
    if (rel === '') throw new LayerError(`hardlink "${entry.path}" has an empty target`, entry.path);
    this.#ensureDir(slash === -1 ? '' : rel.slice(0, slash), entry.linkpath);
    const target = this.#abs(rel);
    const st = lstatOrUndefined(target);
    if (!st) throw new LayerError(`hardlink "${entry.path}" points at "${entry.linkpath}", which the layer does not contain`, entry.path);
    if (st.isDirectory()) throw new LayerError(`hardlink "${entry.path}" points at a directory`, entry.path);
    return target;
  }

  /** Makes sure every component of `rel` is a real directory inside the layer, creating missing ones. */
  #ensureDir(rel: string, original: string): void {
    if (this.#dirs.has(rel)) return;
    let prefix = '';
    for (const part of rel.split('/')) {
      prefix = prefix ? `${prefix}/${part}` : part;
      if (this.#dirs.has(prefix)) continue;
      const st = lstatOrUndefined(this.#abs(prefix));
      if (!st) fs.mkdirSync(this.#abs(prefix), { mode: 0o755 });
      else if (!st.isDirectory()) {
        const what = st.isSymbolicLink() ? 'a symlink' : 'not a directory';
        throw new LayerError(`layer entry "${original}" would be written through "${prefix}", which is ${what}`, original);
      }
      this.#dirs.add(prefix);
    }
  }

  /** Removes whatever is at `rel` so a later entry can replace it. */
  #clear(rel: string): void {
    const abs = this.#abs(rel);
    const st = lstatOrUndefined(abs);
    if (!st) return;
    if (st.isDirectory()) {
      fs.rmSync(abs, { recursive: true, force: true });
      for (const d of this.#dirs) if (d === rel || d.startsWith(`${rel}/`)) this.#dirs.delete(d);
    } else fs.unlinkSync(abs);
  }

  #abs(rel: string): string {
    return rel === '' ? this.root : join(this.root, rel);
  }
}

/** Names separated by single slashes, none of them `.` or `..`: already clean. */
const PLAIN_PATH = /^(?!\.{1,2}(?:\/|$))[^/\0]+(?:\/(?!\.{1,2}(?:\/|$))[^/\0]+)*$/;

/**
 * Normalises a tar path to a clean relative path, refusing anything that
 * could leave the layer directory.
 */
export function cleanPath(path: string): string {
  if (PLAIN_PATH.test(path)) return path;
  if (path.startsWith('/')) throw new LayerError(`layer entry "${path}" has an absolute path`, path);
  if (path.includes('\0')) throw new LayerError(`layer entry "${path}" contains a NUL byte`, path);
  const parts = path.split('/').filter((p) => p !== '' && p !== '.');
  if (parts.includes('..')) throw new LayerError(`layer entry "${path}" contains "..": it would escape the layer`, path);
  return parts.join('/');
}

function lstatOrUndefined(path: string): fs.Stats | undefined {
  // No exception for a missing path: most directories of a layer are new, and an Error costs a stack trace.
  return fs.lstatSync(path, { throwIfNoEntry: false });
}
