import { ByteReader } from '../byte-reader.js';
import type { Compression } from '../manifest.js';

/**
 * Tells a gzip (`1f 8b`) or zstd (`28 b5 2f fd`) stream from a plain one by
 * its first bytes, and gives the stream back whole.
 */
export async function sniffCompression(
  source: AsyncIterable<Buffer>,
): Promise<{ compression: Compression; stream: AsyncIterable<Buffer> }> {
  const reader = new ByteReader(source);
  const head = await reader.read(4);
  const magic = head.toString('hex');
  const compression = magic.startsWith('1f8b') ? 'gzip' : magic === '28b52ffd' ? 'zstd' : 'none';
  async function* whole(): AsyncGenerator<Buffer> {
    if (head.length > 0) yield head;
    yield* reader.stream(Number.POSITIVE_INFINITY);
  }
  return { compression, stream: whole() };
}
