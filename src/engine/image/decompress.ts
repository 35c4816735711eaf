import type { Hash } from 'node:crypto';
import { pipeline, Readable } from 'node:stream';
import { createGunzip, createGzip, constants as zlib } from 'node:zlib';
import { Decompress } from 'fzstd';
import { LayerError } from '../../errors.js';
import { type Compression, MediaType } from './manifest.js';

/** Compression named by a layer media type. */
export function compressionOf(mediaType: string): Compression {
  if (mediaType === MediaType.ociLayerTar || mediaType === MediaType.dockerLayerTar) return 'none';
  if (mediaType === MediaType.ociLayerGzip || mediaType === MediaType.dockerLayerGzip) return 'gzip';
  if (mediaType === MediaType.ociLayerZstd) return 'zstd';
  throw new LayerError(`layer media type "${mediaType}" is not supported`);
}

/** Decompresses a stream of chunks; errors on either side end the iteration. */
export function decompress(source: AsyncIterable<Buffer>, compression: Compression): AsyncIterable<Buffer> {
  if (compression === 'none') return source;
  if (compression === 'zstd') return unzstd(source);
  // Larger output chunks: fewer hops through the async pipeline per megabyte.
  const gunzip = createGunzip({ chunkSize: 256 * 1024 });
  return pipeline(Readable.from(source, { objectMode: false }), gunzip, (err) => {
    if (err && !gunzip.destroyed) gunzip.destroy(err);
  });
}

/**
 * Compresses a stream of chunks with gzip, in the thread pool, at zlib's
 * default level (Docker's too: a rebuilt layer is about the size the
 * registry's was).
 */
export function gzipStream(source: AsyncIterable<Buffer>): AsyncIterable<Buffer> {
  const gzip = createGzip({ level: zlib.Z_DEFAULT_COMPRESSION, chunkSize: 256 * 1024 });
  return pipeline(Readable.from(source, { objectMode: false }), gzip, (err) => {
    if (err && !gzip.destroyed) gzip.destroy(err);
  });
}

/** Passes chunks through while feeding them to `hash` (and to `sink`, if given). */
export async function* tap(source: AsyncIterable<Buffer>, hash: Hash, sink?: (chunk: Buffer) => void): AsyncGenerator<Buffer> {
  for await (const chunk of source) {
    hash.update(chunk);
    sink?.(chunk);
    yield chunk;
  }
}

/**
 * zstd via fzstd (pure JavaScript): Node 20 has no zstd in node:zlib, and a
 * native binding would need a prebuilt download or a toolchain at install.
 */
async function* unzstd(source: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
  const out: Buffer[] = [];
  const decoder = new Decompress((chunk) => {
    out.push(Buffer.from(chunk)); // Copied: the decoder may reuse its window buffer.
  });
  try {
    for await (const chunk of source) {
      decoder.push(chunk);
      yield* out.splice(0);
    }
    decoder.push(new Uint8Array(0), true);
  } catch (error) {
    throw error instanceof LayerError ? error : new LayerError(`zstd layer is corrupt: ${(error as Error).message}`);
  }
  yield* out.splice(0);
}
