import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import { join } from 'node:path';
import { DigestMismatchError } from '../../errors.js';
import { type Compression, decompress, tap } from './decompress.js';
import type { ImageStore } from './image-store.js';
import { unpackLayer } from './layer-unpack.js';

/** What a layer blob must turn out to be; omitted digests are computed, not checked. */
export interface LayerExpectation {
  compression: Compression;
  /** Digest of the blob as stored/transferred (compressed). */
  digest?: string;
  /** Digest of the uncompressed tar. */
  diffId?: string;
  /** The layer's chain id, given its diff id (where it is published). */
  chainId: (diffId: string) => string;
  /** Called with the byte count of each blob chunk read. */
  onBytes?: (bytes: number) => void;
}

/** The digests an ingested layer turned out to have. */
export interface IngestedLayer {
  digest: string;
  diffId: string;
  chainId: string;
  size: number;
}

/**
 * Stores and unpacks one layer blob in a single pass: the blob is kept in
 * the content store, decompressed, hashed and unpacked into a staging
 * directory; only when every digest verifies is the layer published (by
 * rename) under its chain id. On any failure nothing is left behind.
 */
export async function ingestLayer(store: ImageStore, source: AsyncIterable<Buffer>, expect: LayerExpectation): Promise<IngestedLayer> {
  const staging = store.stageLayer();
  const blobTmp = store.blobs.tempPath();
  const blobFd = fs.openSync(blobTmp, 'w');
  let closed = false;
  try {
    const blobHash = createHash('sha256');
    const diffHash = createHash('sha256');
    let size = 0;
    const blob = tap(source, blobHash, (chunk) => {
      fs.writeSync(blobFd, chunk);
      size += chunk.length;
      expect.onBytes?.(chunk.length);
    });
    const tar = tap(decompress(blob, expect.compression), diffHash);
    await unpackLayer(tar, join(staging, 'diff'));
    for await (const _ of tar) void _; // Hash what follows the end-of-archive blocks too.
    const digest = checked(expect.digest, `sha256:${blobHash.digest('hex')}`, 'layer blob');
    const diffId = checked(expect.diffId, `sha256:${diffHash.digest('hex')}`, `uncompressed layer ${digest}`);
    const chainId = expect.chainId(diffId);
    fs.writeFileSync(join(staging, 'meta.json'), JSON.stringify({ chainId, diffId, digest, size }));
    fs.closeSync(blobFd);
    closed = true;
    store.blobs.commit(blobTmp, digest);
    store.publishLayer(staging, chainId);
    return { digest, diffId, chainId, size };
  } catch (error) {
    fs.rmSync(staging, { recursive: true, force: true });
    throw error;
  } finally {
    if (!closed) fs.closeSync(blobFd);
    fs.rmSync(blobTmp, { force: true });
  }
}

function checked(expected: string | undefined, actual: string, what: string): string {
  if (expected !== undefined && expected !== actual) throw new DigestMismatchError(expected, actual, what);
  return actual;
}
