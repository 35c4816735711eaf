import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import { StoredLayerError } from '../../errors.js';
import { sniffCompression } from './archive/sniff.js';
import { decompress, tap } from './decompress.js';
import type { ImageStore } from './image-store.js';
import type { LayerRecord } from './layer-record.js';
import { rebuildTar } from './tar-skeleton.js';

/** Whether the store can give layer `chainId`'s tar back: it is unpacked, and has a tar skeleton or a blob kept. */
export function hasLayerTar(store: ImageStore, chainId: string): boolean {
  const record = store.hasLayer(chainId) ? store.layerRecord(chainId) : undefined;
  return record !== undefined && (store.layerSkeleton(chainId) !== undefined || keptBlob(store, record) !== undefined);
}

/** A blob the store kept of the layer, if any. */
export function keptBlob(store: ImageStore, record: LayerRecord): string | undefined {
  return record.forms.find((f) => store.blobs.has(f.digest))?.digest;
}

/**
 * Layer `chainId`'s uncompressed tar, byte for byte as it was pulled, loaded
 * or committed: decompressed from a blob the store kept, else rebuilt from
 * the unpacked files and the tar skeleton. Checked against the layer's diff
 * id as it streams: a tar that does not match throws
 * {@link StoredLayerError} at its end, so whoever consumes it must discard
 * what it got on an error.
 */
export async function* layerTar(store: ImageStore, chainId: string): AsyncGenerator<Buffer> {
  const record = store.hasLayer(chainId) ? store.layerRecord(chainId) : undefined;
  if (!record) throw new StoredLayerError(chainId, 'it is not in the store');
  const blob = keptBlob(store, record);
  const skeleton = store.layerSkeleton(chainId);
  let source: AsyncIterable<Buffer>;
  if (blob) {
    const { compression, stream } = await sniffCompression(fs.createReadStream(store.blobs.path(blob)));
    source = decompress(stream, compression);
  } else if (skeleton) {
    source = rebuildTar(skeleton, store.layerDiff(chainId), chainId);
  } else {
    throw new StoredLayerError(chainId, 'the store kept neither its blob nor the tar skeleton that rebuilds its tar');
  }
  const hash = createHash('sha256');
  yield* tap(source, hash);
  const actual = `sha256:${hash.digest('hex')}`;
  if (actual !== record.diffId) {
    const from = blob ? `its blob ${blob}` : 'its unpacked files';
    throw new StoredLayerError(chainId, `the tar from ${from} hashes to ${actual}, not to its diff id ${record.diffId}`);
  }
}
