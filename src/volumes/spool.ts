import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

/**
 * Copies a stream into an unlinked temporary file in `dir` and returns a
 * stream reading it back. The file has no name from the start, so it goes
 * when the reader closes, or when the process dies.
 */
export async function spool(source: Readable, dir: string): Promise<Readable> {
  fs.mkdirSync(dir, { recursive: true });
  const path = join(dir, `spool-${randomBytes(8).toString('hex')}`);
  const fd = fs.openSync(path, fs.constants.O_RDWR | fs.constants.O_CREAT | fs.constants.O_EXCL, 0o600);
  fs.unlinkSync(path);
  try {
    await pipeline(source, fs.createWriteStream('', { fd, autoClose: false }));
  } catch (error) {
    fs.closeSync(fd);
    throw error;
  }
  return fs.createReadStream('', { fd, start: 0 });
}
