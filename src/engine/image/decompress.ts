import type { Hash } from 'node:crypto';
import { pipeline, Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { LayerError } from '../../errors.js';
import { MediaType } from './manifest.js';

/** Compression of a layer blob. */
export type Compression = 'gzip' | 'none';

/** Compression named by a layer media type. */
export function compressionOf(mediaType: string): Compression {
  if (mediaType === MediaType.ociLayerTar) return 'none';
  if (mediaType === MediaType.ociLayerGzip || mediaType === MediaType.dockerLayerGzip) return 'gzip';
  throw new LayerError(`layer media type "${mediaType}" is not supported`);
}

/** Decompresses a stream of chunks; errors on either side end the iteration. */
export function decompress(source: AsyncIterable<Buffer>, compression: Compression): AsyncIterable<Buffer> {
  if (compression === 'none') return source;
  const gunzip = createGunzip();
  return pipeline(Readable.from(source, { objectMode: false }), gunzip, (err) => {
    if (err && !gunzip.destroyed) gunzip.destroy(err);
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
