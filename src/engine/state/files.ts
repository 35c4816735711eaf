import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import { join } from 'node:path';

/** A text file's content, or `fallback` when it cannot be read (gone, never made, a kernel file that vanished). */
export function readOr(path: string, fallback = ''): string {
  try {
    return fs.readFileSync(path, 'utf8');
  } catch {
    return fallback;
  }
}

/** Where a symlink points, or undefined when there is none (or it cannot be read). */
export function readlinkOr(path: string): string | undefined {
  try {
    return fs.readlinkSync(path);
  } catch {
    return undefined;
  }
}

/** Bytes in the regular files below `dir` (links and special files count nothing). */
export function treeSize(dir: string): number {
  let total = 0;
  for (const entry of fs.readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (entry.isFile()) total += fs.lstatSync(join(entry.parentPath, entry.name)).size;
  }
  return total;
}

/** Writes `text` to `path` through a temporary file beside it: readers see the old content or the new, never a part. */
export function writeAtomic(path: string, text: string): void {
  const tmp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  fs.writeFileSync(tmp, text);
  fs.renameSync(tmp, path);
}
