import * as fs from 'node:fs';
import { posix } from 'node:path';
import { Readable } from 'node:stream';
import type { HeaderData } from 'tar';
import type { PathArchive } from '../engine/api/index.js';
import { ContainerPathError } from '../errors.js';
import { at, type InRoot } from './in-root.js';
import { TAR_END, tarHeader, tarPadding } from './tar-header.js';

const { O_DIRECTORY, O_NOFOLLOW, O_NONBLOCK, O_RDONLY } = fs.constants;
const CHUNK = 64 * 1024;

/**
 * Archives `path` of `root` the way Docker's `GET /containers/{id}/archive`
 * does: entries are named from the path's last component (`data/`,
 * `data/x`), or relative to the directory when the path ends in `/.`; a
 * symlink as the last component is archived as the link. The walk reads
 * through descriptors, one component at a time, never following a link.
 *
 * @param onDone runs when the stream ends or is destroyed (to release the root).
 */
export function archivePath(root: InRoot, path: string, onDone: () => void = () => undefined): PathArchive {
  const clean = posix.normalize(`/${path}`).replace(/(.)\/$/, '$1');
  const contentsOnly = clean === '/' || path.endsWith('/.');
  let fd: number | undefined;
  try {
    // `dir/.` follows a symlinked dir (inside the root); otherwise the last component is archived as it is.
    const { fd: opened, name } = contentsOnly ? { fd: root.openDir(clean), name: '' } : root.parent(clean);
    fd = opened;
    const st = name ? fs.lstatSync(at(fd, name)) : fs.fstatSync(fd);
    if (path.endsWith('/') && !st.isDirectory()) throw new ContainerPathError(path, 'not a directory');
    const linkTarget = st.isSymbolicLink() ? fs.readlinkSync(at(fd, name)) : '';
    const stat = { name: posix.basename(clean) || '/', size: st.size, mode: st.mode, mtime: st.mtime.toISOString(), linkTarget };
    const entries = contentsOnly ? walkDir(openChild(fd, '', true), '') : walk(fd, name, name, st, new Map());
    return { stat, stream: Readable.from(finish(entries, fd, onDone), { objectMode: false }) };
  } catch (error) {
    if (fd !== undefined) fs.closeSync(fd);
    onDone();
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new ContainerPathError(path, 'no such file or directory');
    if (code === 'ENOTDIR') throw new ContainerPathError(path, 'not a directory');
    throw error;
  }
}

async function* finish(entries: AsyncGenerator<Buffer>, parentFd: number, onDone: () => void): AsyncGenerator<Buffer> {
  try {
    yield* entries;
    yield TAR_END;
  } finally {
    fs.closeSync(parentFd);
    onDone();
  }
}

/** Opens `name` in the directory `dirFd` without following a symlink (directories for listing). */
function openChild(dirFd: number, name: string, directory: boolean): number {
  if (!name) return fs.openSync(at(dirFd, ''), O_RDONLY | O_DIRECTORY);
  return fs.openSync(at(dirFd, name), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | (directory ? O_DIRECTORY : 0));
}

async function* walk(dirFd: number, name: string, entryName: string, st: fs.Stats, links: Map<string, string>): AsyncGenerator<Buffer> {
  const base: HeaderData = { path: entryName, mode: st.mode & 0o7777, uid: st.uid, gid: st.gid, mtime: st.mtime, size: 0 };
  if (st.isDirectory()) {
    yield tarHeader({ ...base, path: `${entryName}/`, type: 'Directory' });
    const fd = openChild(dirFd, name, true);
    if (isKernelFs(fd)) fs.closeSync(fd);
    else yield* walkDir(fd, `${entryName}/`, links);
  } else if (st.isFile()) {
    const key = `${st.dev}:${st.ino}`;
    const first = st.nlink > 1 ? links.get(key) : undefined;
    if (first !== undefined) return yield tarHeader({ ...base, type: 'Link', linkpath: first });
    if (st.nlink > 1) links.set(key, entryName);
    yield* fileEntry(openChild(dirFd, name, false), base);
  } else if (st.isSymbolicLink()) {
    yield tarHeader({ ...base, type: 'SymbolicLink', linkpath: fs.readlinkSync(at(dirFd, name)) });
  } else if (st.isCharacterDevice() || st.isBlockDevice()) {
    const type = st.isCharacterDevice() ? 'CharacterDevice' : 'BlockDevice';
    yield tarHeader({ ...base, type, devmaj: major(st.rdev), devmin: minor(st.rdev) });
  } else if (st.isFIFO()) {
    yield tarHeader({ ...base, type: 'FIFO' });
  }
  // Sockets have no tar form; Docker skips them too.
}

async function* walkDir(fd: number, prefix: string, links = new Map<string, string>()): AsyncGenerator<Buffer> {
  try {
    for (const child of fs.readdirSync(at(fd, '')).sort()) {
      const st = lstatOrSkip(at(fd, child));
      if (st) yield* walk(fd, child, `${prefix}${child}`, st, links);
    }
  } finally {
    fs.closeSync(fd);
  }
}

/** A file's header and exactly as many bytes as it announces, even if the file changes meanwhile. */
async function* fileEntry(fd: number, base: HeaderData): AsyncGenerator<Buffer> {
  try {
    const st = fs.fstatSync(fd);
    if (!st.isFile()) return; // Swapped for something else since the lstat.
    yield tarHeader({ ...base, type: 'File', size: st.size });
    let sent = 0;
    while (sent < st.size) {
      const buf = Buffer.allocUnsafe(Math.min(CHUNK, st.size - sent));
      const n = fs.readSync(fd, buf, 0, buf.length, sent);
      if (n === 0) break;
      sent += n;
      yield buf.subarray(0, n);
    }
    if (sent < st.size) yield Buffer.alloc(st.size - sent); // Truncated while read.
    yield tarPadding(st.size);
  } finally {
    fs.closeSync(fd);
  }
}

/** statfs magic numbers of the kernel's own filesystems (linux/magic.h). */
const KERNEL_FS = new Set([
  0x9fa0, // proc
  0x62656572, // sysfs
  0x1cd1, // devpts
  0x27e0eb, // cgroup
  0x63677270, // cgroup2
  0x19800202, // mqueue
  0x73636673, // securityfs
  0x64626720, // debugfs
  0x74726163, // tracefs
  0xcafe4a11, // bpf
]);

/**
 * A running container's /proc and /sys are archived as empty directories:
 * their content is the kernel's view, not files (Docker never sees them either).
 */
function isKernelFs(fd: number): boolean {
  return KERNEL_FS.has(fs.statfsSync(at(fd, '')).type);
}

function lstatOrSkip(path: string): fs.Stats | undefined {
  try {
    return fs.lstatSync(path);
  } catch {
    return undefined; // Removed while we walked.
  }
}

/** glibc's major()/minor() for a dev_t Node gives as a number. */
function major(dev: number): number {
  return Number(((BigInt(dev) >> 8n) & 0xfffn) | ((BigInt(dev) >> 32n) & ~0xfffn));
}

function minor(dev: number): number {
  return Number((BigInt(dev) & 0xffn) | ((BigInt(dev) >> 12n) & ~0xffn));
}
