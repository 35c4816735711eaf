import * as fs from 'node:fs';
import { ArchiveError, BerthError } from '../../../errors.js';
import { decompress } from '../decompress.js';
import { readTar, type TarItem } from '../tar-reader.js';
import { sniffCompression } from './sniff.js';

/**
 * The entries of a tar archive file (plain, gzip or zstd), in order; each
 * entry's body must be consumed (or skipped) before the next. A file that
 * cannot be read, or is no tar, raises {@link ArchiveError}; errors raised
 * while reading a body reach whoever reads it.
 */
export async function* archiveEntries(path: string): AsyncGenerator<TarItem> {
  const file = fs.createReadStream(path);
  try {
    const { compression, stream } = await sniffCompression(file);
    yield* readTar(decompress(stream, compression));
  } catch (error) {
    throw asArchiveError(`cannot read image archive ${path}`, error);
  } finally {
    file.destroy();
  }
}

/**
 * `error` as an {@link ArchiveError} (as is, if it is one). The cause's own
 * hint (rebuild the image, pull again) does not fit an archive, so the
 * archive's hint replaces it.
 */
export function asArchiveError(what: string, error: unknown): ArchiveError {
  if (error instanceof ArchiveError) return error;
  const reason =
    error instanceof BerthError && error.hint
      ? error.message.slice(0, -`\n  hint: ${error.hint}`.length)
      : String((error as Error).message);
  return new ArchiveError(`${what}: ${reason}`, { cause: error });
}
