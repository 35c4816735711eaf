import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';

/** Archives up to this size stay in memory; larger ones go to a temp file. */
const MEMORY_LIMIT = 64 * 1024 * 1024;

/**
 * Reads a stream to its end and returns a stream replaying it: from memory
 * up to 64 MiB, beyond that from an unlinked temporary file in `dir`, which
 * has no name from the start, so it goes when the reader closes or the
 * process dies. (Memory first: the file would be written back to disk when
 * a view's overlay unmounts and syncs the filesystem under it.)
 */
export async function spool(source: AsyncIterable<Buffer>, dir: string, memoryLimit = MEMORY_LIMIT): Promise<Readable> {
  const chunks: Buffer[] = [];
  let size = 0;
  let fd: number | undefined;
  try {
    for await (const chunk of source) {
      if (fd === undefined) {
        chunks.push(chunk);
        size += chunk.length;
        if (size > memoryLimit) fd = spillToFile(chunks.splice(0), dir);
      } else writeAll(fd, chunk);
    }
  } catch (error) {
    if (fd !== undefined) fs.closeSync(fd);
    throw error;
  }
  return fd === undefined ? Readable.from(chunks, { objectMode: false }) : fs.createReadStream('', { fd, start: 0 });
}

function spillToFile(chunks: Buffer[], dir: string): number {
  fs.mkdirSync(dir, { recursive: true });
  const path = join(dir, `spool-${randomBytes(8).toString('hex')}`);
  const fd = fs.openSync(path, fs.constants.O_RDWR | fs.constants.O_CREAT | fs.constants.O_EXCL, 0o600);
  fs.unlinkSync(path);
  for (const chunk of chunks) writeAll(fd, chunk);
  return fd;
}

function writeAll(fd: number, chunk: Buffer): void {
  let off = 0;
  while (off < chunk.length) off += fs.writeSync(fd, chunk, off);
}
