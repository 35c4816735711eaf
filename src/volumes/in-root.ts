import * as fs from 'node:fs';
import { posix } from 'node:path';
import { native } from '../engine/native.js';

const { O_DIRECTORY, O_NOFOLLOW, O_RDONLY } = fs.constants;

/** A container path split into its parent directory (an open fd) and its last name. */
export interface ParentEntry {
  /** O_PATH descriptor of the parent directory; the caller closes it. */
  fd: number;
  /** Last component; '' when the path is the root itself. */
  name: string;
}

/**
 * A directory treated as `/`: the rootfs of a container (through
 * /proc/<pid>/root) or a volume. Every lookup goes through openat2 with
 * RESOLVE_IN_ROOT, so symlinks, `..` and absolute links resolve inside it,
 * whatever the container or the image planted there.
 *
 * Node has no *at() calls, so operations on a last component use
 * `/proc/self/fd/<parent>/<name>`: the kernel follows the magic link to the
 * parent that openat2 found, and calls that do not follow a final symlink
 * (lstat, mkdir, unlink, symlink, open with O_NOFOLLOW) act on `name` in it.
 * Never a longer path: a later component could be a symlink out.
 */
export class InRoot {
  readonly fd: number;

  private constructor(fd: number) {
    this.fd = fd;
  }

  /** Opens `dir` (a host path) as the root. */
  static open(dir: string): InRoot {
    return new InRoot(fs.openSync(dir, native().constants.O_PATH | O_DIRECTORY));
  }

  /** Closes the root's descriptor. */
  close(): void {
    fs.closeSync(this.fd);
  }

  /** Opens a path inside the root; throws Node-style errors (code ENOENT, ENOTDIR, ELOOP…). */
  open(path: string, flags: number, mode = 0): number {
    return native().openInRoot(this.fd, path, flags, mode);
  }

  /** O_PATH descriptor of a directory inside the root (symlinks followed, inside the root). */
  openDir(path: string): number {
    return this.open(path, native().constants.O_PATH | O_DIRECTORY);
  }

  /** Opens a directory for reading or fchmod, refusing a symlink as the last component. */
  openDirNoFollow(path: string): number {
    return this.open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
  }

  /** Opens the parent of `path`; `name` is its last component. */
  parent(path: string): ParentEntry {
    const clean = posix.normalize(`/${path}`);
    const name = posix.basename(clean);
    if (name === '..') throw Object.assign(new Error(`${path}: ".." as the last component`), { code: 'EINVAL' });
    return { fd: this.openDir(posix.dirname(clean)), name: name === '/' ? '' : name };
  }

  /** lstat of a path's last component (symlinks before it resolved inside the root); undefined if missing. */
  lstat(path: string): fs.Stats | undefined {
    const { fd, name } = this.parent(path);
    try {
      // The magic link itself would lstat as a symlink: the root is fstat'ed.
      return name ? lstatOrUndefined(at(fd, name)) : fs.fstatSync(fd);
    } finally {
      fs.closeSync(fd);
    }
  }
}

/** The path naming `name` inside the directory open as `fd` (see {@link InRoot}). */
export function at(fd: number, name: string): string {
  return name ? `/proc/self/fd/${fd}/${name}` : `/proc/self/fd/${fd}`;
}

/** lstat, or undefined when nothing is there. */
export function lstatOrUndefined(path: string): fs.Stats | undefined {
  try {
    return fs.lstatSync(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
}
