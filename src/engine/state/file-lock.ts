import * as fs from 'node:fs';
import { join } from 'node:path';
import { native } from '../native.js';

const POLL_MIN_MS = 5;
const POLL_MAX_MS = 100;
/** Something to Atomics.wait on: a synchronous sleep. */
const SLEEPER = new Int32Array(new SharedArrayBuffer(4));

/**
 * Runs `fn` holding a flock on `<dir>/<name>.lock` (exclusive, or shared with
 * other shared holders), seen by every process on the machine. The kernel drops the lock when its holder
 * dies, so a crashed owner never blocks the others. Waiting polls (a blocking
 * flock would stall Node's event loop), with backoff.
 */
export async function withFileLock<T>(
  dir: string,
  name: string,
  fn: () => Promise<T>,
  mode: 'exclusive' | 'shared' = 'exclusive',
): Promise<T> {
  fs.mkdirSync(dir, { recursive: true });
  const fd = fs.openSync(join(dir, `${name}.lock`), fs.constants.O_RDWR | fs.constants.O_CREAT, 0o600);
  try {
    let wait = POLL_MIN_MS;
    while (!native().tryLock(fd, mode === 'exclusive' ? 1 : 0)) {
      await new Promise((r) => setTimeout(r, wait));
      wait = Math.min(wait * 2, POLL_MAX_MS);
    }
    return await fn();
  } finally {
    // Closing the descriptor releases the lock; the file stays for the next user.
    fs.closeSync(fd);
  }
}

/**
 * Runs `fn` under the exclusive lock if it is free now or within `waitMs`
 * (the thread sleeps meanwhile: for the end of a process, where nothing
 * asynchronous runs); returns whether it ran.
 */
export function trySyncLock(dir: string, name: string, fn: () => void, waitMs = 0): boolean {
  fs.mkdirSync(dir, { recursive: true });
  const fd = fs.openSync(join(dir, `${name}.lock`), fs.constants.O_RDWR | fs.constants.O_CREAT, 0o600);
  try {
    const deadline = Date.now() + waitMs;
    while (!native().tryLock(fd, 1)) {
      if (Date.now() >= deadline) return false;
      Atomics.wait(SLEEPER, 0, 0, POLL_MIN_MS);
    }
    fn();
    return true;
  } finally {
    fs.closeSync(fd);
  }
}
