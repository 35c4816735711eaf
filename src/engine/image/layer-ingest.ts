import { createHash, type Hash } from 'node:crypto';
import * as fs from 'node:fs';
import { join } from 'node:path';
import { debug } from '../../debug.js';
import { DigestMismatchError } from '../../errors.js';
import { decompress, tap } from './decompress.js';
import type { ImageStore } from './image-store.js';
import { TAR_SKELETON, writeLayerRecord } from './layer-record.js';
import { unpackLayer } from './layer-unpack.js';
import type { Compression } from './manifest.js';
import { ociLayerMediaType } from './manifest.js';
import { TarSkeletonWriter } from './tar-skeleton.js';

/** What a layer blob must turn out to be; omitted digests are computed, not checked. */
export interface LayerExpectation {
  compression: Compression;
  /** Digest of the blob as stored/transferred (compressed). */
  digest?: string;
  /** Digest of the uncompressed tar. */
  diffId?: string;
  /** The layer's chain id, given its diff id (where it is published). */
  chainId: (diffId: string) => string;
  /** The blob's media type, for the layer's record (default: the OCI one of its compression). */
  mediaType?: string;
  /** The repository (`registry/repository`) the blob came from, if it came from a registry. */
  source?: string;
  /** Called with the byte count of each blob chunk read. */
  onBytes?: (bytes: number) => void;
}

/** The digests an ingested layer turned out to have. */
export interface IngestedLayer {
  digest: string;
  diffId: string;
  chainId: string;
  /** Bytes of the blob. */
  size: number;
  /** Bytes of the uncompressed tar. */
  diffSize: number;
}

/**
 * Stores and unpacks one layer blob in a single pass: the blob is
 * decompressed, hashed and unpacked into a staging directory, its tar
 * skeleton written beside; only when every digest verifies is the layer
 * published (by rename) under its chain id, with its record. The blob itself
 * is spooled to a temporary file and kept in the content store only when
 * the store keeps layer blobs or the skeleton cannot rebuild the tar. On any
 * failure nothing is left behind.
 */
export async function ingestLayer(store: ImageStore, source: AsyncIterable<Buffer>, expect: LayerExpectation): Promise<IngestedLayer> {
  const staging = store.stageLayer();
  const blobTmp = store.blobs.tempPath();
  const blobFd = fs.openSync(blobTmp, 'w');
  const input = new HeldSource(source);
  const blobHash = createHash('sha256');
  const skeleton = new TarSkeletonWriter(join(staging, TAR_SKELETON));
  let closed = false;
  let blob: AsyncGenerator<Buffer> | undefined;
  try {
    const diffHash = createHash('sha256');
    let size = 0;
    let diffSize = 0;
    blob = tap(input, blobHash, (chunk) => {
      fs.writeSync(blobFd, chunk);
      size += chunk.length;
      expect.onBytes?.(chunk.length);
    });
    const tar = tap(decompress(blob, expect.compression), diffHash, (chunk) => {
      diffSize += chunk.length;
    });
    await unpackLayer(tar, join(staging, 'diff'), skeleton);
    for await (const _ of tar) void _; // Hash what follows the end-of-archive blocks too.
    const digest = checked(expect.digest, `sha256:${blobHash.digest('hex')}`, 'layer blob');
    const diffId = checked(expect.diffId, `sha256:${diffHash.digest('hex')}`, `uncompressed layer ${digest}`);
    const chainId = expect.chainId(diffId);
    const { rebuilds, reason } = await skeleton.finish();
    if (!rebuilds) debug('layer %s keeps its blob: its tar cannot be rebuilt from its files (%s)', chainId, reason);
    const form = {
      digest,
      mediaType: expect.mediaType ?? ociLayerMediaType(expect.compression),
      size,
      sources: expect.source ? [expect.source] : [],
    };
    writeLayerRecord(staging, { chainId, diffId, diffSize, rebuilds, forms: [form] });
    fs.closeSync(blobFd);
    closed = true;
    if (store.keepLayerBlobs || !rebuilds) store.blobs.commit(blobTmp, digest);
    store.publishLayer(staging, chainId, form);
    return { digest, diffId, chainId, size, diffSize };
  } catch (error) {
    await skeleton.abandon();
    fs.rmSync(staging, { recursive: true, force: true });
    throw await diagnosed(error, expect.digest, blob, input, blobHash);
  } finally {
    if (!closed) fs.closeSync(blobFd);
    fs.rmSync(blobTmp, { force: true });
    await input.close();
  }
}

/**
 * A corrupt blob usually breaks the decompressor or the tar reader before its
 * digest can be checked. When the blob has a known digest and the failure was
 * not the download's own, the rest is read and hashed: a wrong digest is then
 * reported as what it is, a {@link DigestMismatchError} (which a pull retries).
 */
async function diagnosed(
  error: unknown,
  expected: string | undefined,
  blob: AsyncGenerator<Buffer> | undefined,
  input: HeldSource,
  blobHash: Hash,
): Promise<unknown> {
  if (expected === undefined || blob === undefined || error instanceof DigestMismatchError || input.failed) return error;
  try {
    await blob.return(undefined); // Waits for a read in progress, so every chunk it took is hashed.
    for (;;) {
      const next = await input.next();
      if (next.done) break;
      blobHash.update(next.value);
    }
  } catch {
    return error;
  }
  if (input.failed) return error; // A read the decompressor had started failed after all.
  const actual = `sha256:${blobHash.digest('hex')}`;
  return actual === expected ? error : new DigestMismatchError(expected, actual, 'layer blob');
}

/**
 * Iterates a source without letting consumers close it early: when the
 * decompressor fails it returns its input, but the rest of the blob may still
 * be needed (see {@link diagnosed}). {@link close} ends it for good.
 */
class HeldSource implements AsyncIterable<Buffer> {
  readonly #iterator: AsyncIterator<Buffer>;
  /** Whether the source itself threw (a download failure, not a content one). */
  failed = false;

  constructor(source: AsyncIterable<Buffer>) {
    this.#iterator = source[Symbol.asyncIterator]();
  }

  async next(): Promise<IteratorResult<Buffer>> {
    try {
      return await this.#iterator.next();
    } catch (error) {
      this.failed = true;
      throw error;
    }
  }

  async close(): Promise<void> {
    await this.#iterator.return?.(undefined).catch(() => undefined);
  }

  [Symbol.asyncIterator](): AsyncIterator<Buffer> {
    return { next: () => this.next(), return: async () => ({ done: true, value: undefined }) };
  }
}

function checked(expected: string | undefined, actual: string, what: string): string {
  if (expected !== undefined && expected !== actual) throw new DigestMismatchError(expected, actual, what);
  return actual;
}
