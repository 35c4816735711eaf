import * as fs from 'node:fs';
import { posix } from 'node:path';
import type { ExtractOptions } from '../engine/api/index.js';
import { readTar, type TarEntry } from '../engine/image/tar-reader.js';
import { native } from '../engine/native.js';
import { BerthError, ContainerPathError } from '../errors.js';
import { at, type InRoot, lstatOrUndefined } from './in-root.js';

const { O_CREAT, O_DIRECTORY, O_EXCL, O_NOFOLLOW, O_RDONLY, O_WRONLY } = fs.constants;

/** What an extraction wrote. */
export interface ExtractStats {
  entries: number;
  bytes: number;
}

/**
 * Unpacks a tar stream into the directory `dest` of `root`, like Docker's
 * `PUT /containers/{id}/archive`: `dest` must exist and be a directory;
 * entry names are relative to it (a leading `/` is dropped, `..` refused);
 * missing parent directories are created; an entry replaces what is there
 * unless both are directories. Owners, modes, times and xattrs come from
 * the archive. Every path is resolved inside `root` (see {@link InRoot}).
 */
export async function extractInto(
  root: InRoot,
  dest: string,
  source: AsyncIterable<Buffer>,
  options: ExtractOptions = {},
): Promise<ExtractStats> {
  checkDestination(root, dest);
  const extractor = new Extractor(root, posix.normalize(`/${dest}`), options);
  try {
    for await (const { entry, body } of readTar(source)) await extractor.write(entry, body);
    extractor.finish();
  } catch (error) {
    if (error instanceof BerthError && !(error.code === 'BAD_LAYER')) throw error;
    const detail = error instanceof Error ? error.message : String(error);
    throw new ContainerPathError(dest, `copying into the container failed: ${detail}`, { cause: error });
  }
  return extractor.stats;
}

function checkDestination(root: InRoot, dest: string): void {
  try {
    fs.closeSync(root.openDir(dest));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT')
      throw new ContainerPathError(dest, 'no such directory in the container', { hint: 'create it first, or copy to its parent' });
    if (code === 'ENOTDIR') throw new ContainerPathError(dest, 'not a directory', { hint: 'archives are extracted into a directory' });
    throw error;
  }
}

class Extractor {
  readonly stats: ExtractStats = { entries: 0, bytes: 0 };
  readonly #dirTimes: { path: string; mtime: number }[] = [];

  constructor(
    readonly root: InRoot,
    readonly dest: string,
    readonly options: ExtractOptions,
  ) {}

  async write(entry: TarEntry, body: AsyncIterable<Buffer>): Promise<void> {
    const rel = relativeName(entry.path);
    this.stats.entries++;
    if (rel === '') return; // "./": the destination itself keeps its metadata.
    const path = posix.join(this.dest, rel);
    const parent = this.#ensureDir(posix.dirname(path));
    try {
      const name = posix.basename(path);
      this.#clear(parent, name, entry.type === 'directory');
      await this.#create(parent, name, path, entry, body);
    } finally {
      fs.closeSync(parent);
    }
  }

  /** Directory times last, deepest first: writing children changes a directory's mtime. */
  finish(): void {
    for (const { path, mtime } of this.#dirTimes.reverse()) {
      const fd = this.root.openDirNoFollow(path);
      try {
        fs.futimesSync(fd, mtime, mtime);
      } finally {
        fs.closeSync(fd);
      }
    }
  }

  async #create(parent: number, name: string, path: string, entry: TarEntry, body: AsyncIterable<Buffer>): Promise<void> {
    const target = at(parent, name);
    const uid = this.options.uid ?? entry.uid;
    const gid = this.options.gid ?? entry.gid;
    switch (entry.type) {
      case 'directory':
        return this.#directory(target, path, entry, uid, gid);
      case 'file':
        return this.#file(target, entry, body, uid, gid);
      case 'symlink':
        fs.symlinkSync(entry.linkpath, target);
        break;
      case 'hardlink':
        return this.#hardlink(target, entry);
      default:
        this.#special(target, entry);
    }
    fs.lchownSync(target, uid, gid);
    this.#xattrs(target, entry);
    fs.lutimesSync(target, entry.mtime, entry.mtime);
  }

  #directory(target: string, path: string, entry: TarEntry, uid: number, gid: number): void {
    if (!lstatOrUndefined(target)?.isDirectory()) fs.mkdirSync(target, { mode: 0o700 });
    const fd = fs.openSync(target, O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
    try {
      fs.fchownSync(fd, uid, gid);
      fs.fchmodSync(fd, entry.mode);
    } finally {
      fs.closeSync(fd);
    }
    this.#xattrs(target, entry);
    this.#dirTimes.push({ path, mtime: entry.mtime });
  }

  async #file(target: string, entry: TarEntry, body: AsyncIterable<Buffer>, uid: number, gid: number): Promise<void> {
    const fd = fs.openSync(target, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, 0o600);
    try {
      for await (const chunk of body) {
        let off = 0;
        while (off < chunk.length) off += fs.writeSync(fd, chunk, off);
        this.stats.bytes += chunk.length;
      }
      fs.fchownSync(fd, uid, gid);
      // After chown, which clears setuid/setgid.
      fs.fchmodSync(fd, entry.mode);
      this.#xattrs(target, entry);
      fs.futimesSync(fd, entry.mtime, entry.mtime);
    } finally {
      fs.closeSync(fd);
    }
  }

  #hardlink(target: string, entry: TarEntry): void {
    const linked = posix.join(this.dest, relativeName(entry.linkpath));
    const { fd, name } = this.root.parent(linked);
    try {
      // link(2) does not follow a symlink as the last component of the old path.
      fs.linkSync(at(fd, name), target);
    } finally {
      fs.closeSync(fd);
    }
  }

  #special(target: string, entry: TarEntry): void {
    const { S_IFCHR, S_IFBLK, S_IFIFO } = native().constants;
    const kind = entry.type === 'char' ? S_IFCHR : entry.type === 'block' ? S_IFBLK : S_IFIFO;
    // chmod(2) would follow a symlink swapped in afterwards; without the umask mknod sets the exact mode.
    const umask = process.umask(0);
    try {
      native().mknod(target, kind | entry.mode, entry.devmajor, entry.devminor);
    } finally {
      process.umask(umask);
    }
  }

  #xattrs(target: string, entry: TarEntry): void {
    for (const [name, value] of entry.xattrs) native().lsetxattr(target, name, value);
  }

  /** Removes what is at `name` unless a directory meets a directory (they merge). */
  #clear(parent: number, name: string, directory: boolean): void {
    const existing = lstatOrUndefined(at(parent, name));
    if (!existing || (directory && existing.isDirectory())) return;
    removeTree(parent, name);
  }

  /** O_PATH fd of a directory inside the root, creating missing ones (0755, like Docker). */
  #ensureDir(path: string): number {
    try {
      return this.root.openDir(path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT' || path === '/') throw error;
    }
    const parent = this.#ensureDir(posix.dirname(path));
    try {
      fs.mkdirSync(at(parent, posix.basename(path)), { mode: 0o755 });
    } catch (error) {
      // EEXIST: a dangling symlink, or a racing writer; opening again tells which.
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    } finally {
      fs.closeSync(parent);
    }
    return this.root.openDir(path);
  }
}

/** Removes `name` in the directory `dirFd`, depth-first, one component at a time. */
export function removeTree(dirFd: number, name: string): void {
  const path = at(dirFd, name);
  if (!fs.lstatSync(path).isDirectory()) {
    fs.unlinkSync(path);
    return;
  }
  const fd = fs.openSync(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
  try {
    for (const child of fs.readdirSync(at(fd, ''))) removeTree(fd, child);
  } finally {
    fs.closeSync(fd);
  }
  fs.rmdirSync(path);
}

/** An archive entry's name relative to the destination; refuses names that climb out. */
function relativeName(name: string): string {
  if (name.includes('\0')) throw new ContainerPathError(name, 'archive entry name contains a NUL byte');
  const parts = name.split('/').filter((p) => p !== '' && p !== '.');
  if (parts.includes('..')) {
    throw new ContainerPathError(name, 'archive entry contains "..": it would escape the destination', {
      hint: 'build the archive with paths relative to the destination directory',
    });
  }
  return parts.join('/');
}
