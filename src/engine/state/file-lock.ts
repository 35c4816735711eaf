import * as fs from 'node:fs';
import { join } from 'node:path';
import { native } from '../native.js';

const POLL_MIN_MS = 5;
const POLL_MAX_MS = 100;
/** Lock files of one object (a layer, a container) carry its 64-hex id; the others are the store's few fixed ones. */
const PER_OBJECT = /-[0-9a-f]{64}\.lock$/;
/** Something to Atomics.wait on: a synchronous sleep. */
const SLEEPER = new Int32Array(new SharedArrayBuffer(4));

/**
 * Runs `fn` holding a flock on `<dir>/<name>.lock` (exclusive, or shared with
 * other shared holders), seen by every process on the machine. The kernel drops the lock when its holder
 * dies, so a crashed owner never blocks the others. Waiting polls (a blocking
 * flock would stall Node's event loop), with backoff.
 *
 * An exclusive holder unlinks the file before it lets go, so the locks of
 * layers and containers do not pile up one file per object ever locked. That
 * is safe because every locker checks, once it holds the lock, that the path
 * still names the file it locked, and starts again on a fresh one if not.
 */
export async function withFileLock<T>(
  dir: string,
  name: string,
  fn: () => Promise<T>,
  mode: 'exclusive' | 'shared' = 'exclusive',
): Promise<T> {
  const path = lockPath(dir, name);
  for (;;) {
    const fd = fs.openSync(path, fs.constants.O_RDWR | fs.constants.O_CREAT, 0o600);
    let wait = POLL_MIN_MS;
    while (!native().tryLock(fd, mode === 'exclusive' ? 1 : 0)) {
      await new Promise((r) => setTimeout(r, wait));
      wait = Math.min(wait * 2, POLL_MAX_MS);
    }
    if (!namesFile(path, fd)) {
      fs.closeSync(fd);
      continue;
    }
    try {
      return await fn();
    } finally {
      release(path, fd, mode);
    }
  }
}

/**
 * Runs `fn` under the exclusive lock if it is free now or within `waitMs`
 * (the thread sleeps meanwhile: for the end of a process, where nothing
 * asynchronous runs); returns whether it ran.
 */
export function trySyncLock(dir: string, name: string, fn: () => void, waitMs = 0): boolean {
  const path = lockPath(dir, name);
  const deadline = Date.now() + waitMs;
  for (;;) {
    const fd = fs.openSync(path, fs.constants.O_RDWR | fs.constants.O_CREAT, 0o600);
    if (!native().tryLock(fd, 1)) {
      fs.closeSync(fd);
      if (Date.now() >= deadline) return false;
      Atomics.wait(SLEEPER, 0, 0, POLL_MIN_MS);
      continue;
    }
    if (!namesFile(path, fd)) {
      fs.closeSync(fd);
      continue;
    }
    try {
      fn();
      return true;
    } finally {
      release(path, fd, 'exclusive');
    }
  }
}

/**
 * Removes the per-object lock files in `dir` that nobody holds: those of a
 * process killed while it held one (an exclusive holder unlinks its own).
 * Returns how many went.
 */
export function sweepLockFiles(dir: string): number {
  let names: string[];
  try {
    names = fs.readdirSync(dir).filter((n) => PER_OBJECT.test(n));
  } catch {
    return 0;
  }
  let removed = 0;
  for (const name of names) {
    let fd: number;
    try {
      fd = fs.openSync(join(dir, name), fs.constants.O_RDWR);
    } catch {
      continue; // Unlinked by its holder meanwhile.
    }
    const path = join(dir, name);
    if (native().tryLock(fd, 1) && namesFile(path, fd)) {
      release(path, fd, 'exclusive');
      removed++;
    } else {
      fs.closeSync(fd);
    }
  }
  return removed;
}

function lockPath(dir: string, name: string): string {
  fs.mkdirSync(dir, { recursive: true });
  return join(dir, `${name}.lock`);
}

/** Whether `path` still names the file open as `fd` (an exclusive holder may have unlinked it). */
function namesFile(path: string, fd: number): boolean {
  try {
    const onDisk = fs.statSync(path);
    const held = fs.fstatSync(fd);
    return onDisk.ino === held.ino && onDisk.dev === held.dev;
  } catch {
    return false;
  }
}

/**
 * Lets go of a lock; an exclusive holder first unlinks the file, which no
 * one else holds. A shared holder leaves it: other shared holders may still
 * hold it, and a new exclusive locker must meet them on the same file.
 */
function release(path: string, fd: number, mode: 'exclusive' | 'shared'): void {
  try {
    if (mode === 'exclusive') fs.rmSync(path, { force: true });
  } finally {
    // Closing the descriptor releases the lock.
    fs.closeSync(fd);
  }
}
