import { accessSync, existsSync, constants as fsConstants } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { NativeUnavailableError } from '../errors.js';

/** What a file gets once its content is written (see {@link NativeAddon.writeFiles}). */
export interface FileFinish {
  uid: number;
  gid: number;
  /** Permission bits, setuid, setgid and sticky included. */
  mode: number;
  /** Modification (and access) time, in seconds since the epoch. */
  mtime: number;
  xattrs: [string, Buffer][];
}

/** Writes into one open file, for {@link NativeAddon.writeFiles}. */
export interface FileJob {
  fd: number;
  /** The file's name, for error messages (what is written is the fd). */
  path: string;
  chunks: Buffer[];
  /** Offset of the first chunk. */
  position: number;
  /** Owner, mode, xattrs and times to set after the content, through the fd. */
  finish: FileFinish | null;
  /** Close the fd afterwards (also when this or an earlier job failed). */
  close: boolean;
}

/** The syscalls Node lacks, from Berth's addon (`native/addon`). */
export interface NativeAddon {
  mount(source: string | null, target: string, fstype: string | null, flags: number, data: string | null): void;
  umount(target: string, flags: number): void;
  mknod(path: string, mode: number, major: number, minor: number): void;
  lsetxattr(path: string, name: string, value: Buffer): void;
  lgetxattr(path: string, name: string): Buffer | null;
  llistxattr(path: string): string[];
  /**
   * In libuv's thread pool, one job after the other: each job's writes,
   * finish and close. After a failure the remaining jobs only close their
   * fds; rejects with the first failure. The chunks must not change until
   * the promise settles.
   */
  writeFiles(jobs: FileJob[]): Promise<void>;
  /** ORs `FS_*_FL` flags into a file's attribute flags, as chattr does. */
  addInodeFlags(path: string, flags: number): void;
  /**
   * openat2(2) below `rootFd` with RESOLVE_IN_ROOT: `path` and any symlink on
   * the way resolve as if `rootFd` were `/`. Returns a new (close-on-exec) fd.
   */
  openInRoot(rootFd: number, path: string, flags: number, mode: number): number;
  /** flock(2) without blocking: false when another holder has it. */
  tryLock(fd: number, exclusive: 0 | 1): boolean;
  unlock(fd: number): void;
  /** Creates a bridge with its address, up; false when the link exists already. */
  netCreateBridge(name: string, address: string, prefix: number): boolean;
  /** Deletes a link; false when there is none. */
  netDeleteLink(name: string): boolean;
  /** A veth from `bridge` into pid's netns (named `ifname` there), addressed, up, default route via `gateway` unless "", port isolated if `isolated`. */
  netAttach(
    pid: number,
    bridge: string,
    hostIf: string,
    ifname: string,
    address: string,
    prefix: number,
    gateway: string,
    isolated: 0 | 1,
  ): void;
  /** Deletes `ifname` inside pid's netns; false when it or the process is gone. */
  netDetach(pid: number, ifname: string): boolean;
  /** Binds and listens on host:port (IPv6 hosts v6-only) for the splice relay; returns its id. Throws code EADDRINUSE if taken. */
  proxyListen(host: string, port: number): number;
  /** Connections accepted from now on are relayed to ip:port. */
  proxyTarget(id: number, ip: string, port: number): void;
  /** Stops listening and ends the relayed connections. */
  proxyClose(id: number): void;
  /**
   * posix_spawn of `file` with `argv` in a new session; `stdio[i]` is the
   * child's fd i. `fds[i]` is our end of its pipe (-1 for null). `onExit`
   * runs once it ended (code -1 when killed by a signal); `watch` says
   * whether waiting for that keeps Node alive (it does at first).
   */
  spawnProcess(
    file: string,
    argv: string[],
    stdio: ('null' | 'in' | 'out')[],
    onExit: (code: number, signal: number) => void,
  ): { pid: number; fds: number[]; watch: { ref(): void; unref(): void } };
  readonly constants: Record<
    | 'MS_RDONLY'
    | 'MS_NOSUID'
    | 'MS_NODEV'
    | 'MS_NOEXEC'
    | 'MS_BIND'
    | 'MS_REC'
    | 'MS_PRIVATE'
    | 'MS_SLAVE'
    | 'MS_SHARED'
    | 'MS_REMOUNT'
    | 'MNT_DETACH'
    | 'MNT_FORCE'
    | 'S_IFCHR'
    | 'S_IFBLK'
    | 'S_IFIFO'
    | 'O_PATH'
    | 'FS_TOPDIR_FL',
    number
  >;
}

const REBUILD_HINT = 'run `npm rebuild berth` (needs python3, make and g++), and check that the install step did not fail';

/** Root of the installed package (where binding.gyp and build/ live). */
export const PACKAGE_ROOT = findPackageRoot();

let addon: NativeAddon | undefined;

/** Loads the addon once; throws a typed error saying how to build it. */
export function native(): NativeAddon {
  if (addon) return addon;
  const require = createRequire(import.meta.url);
  try {
    addon = require(join(PACKAGE_ROOT, 'build', 'Release', 'berth_native.node')) as NativeAddon;
  } catch (cause) {
    throw new NativeUnavailableError("Berth's native addon is not built", { hint: REBUILD_HINT, cause });
  }
  return addon;
}

/** Path of the `berth-helper` executable; throws a typed error if it is missing. */
export function helperPath(): string {
  const path = process.env.BERTH_HELPER ?? join(PACKAGE_ROOT, 'build', 'Release', 'berth-helper');
  try {
    accessSync(path, fsConstants.X_OK);
  } catch (cause) {
    throw new NativeUnavailableError(`Berth's container helper is missing at ${path}`, { hint: REBUILD_HINT, cause });
  }
  return path;
}

function findPackageRoot(): string {
  // This code runs from src/engine/native.ts, or bundled into a file somewhere under dist/: the root is the
  // nearest directory above with binding.gyp.
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'binding.gyp'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new NativeUnavailableError(`no binding.gyp above ${fileURLToPath(import.meta.url)}`, { hint: REBUILD_HINT });
    dir = parent;
  }
  return dir;
}
