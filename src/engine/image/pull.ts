import pRetry from 'p-retry';
import { DigestMismatchError, ImagePullError, LayerError } from '../../errors.js';
import type { ImageConfig, PullProgress } from '../api/index.js';
import { digestHex } from '../paths.js';
import { withFileLock } from '../state/file-lock.js';
import { resumableBlob } from './blob-stream.js';
import { compressionOf } from './decompress.js';
import { chainIds, type ImageRecord, type ImageStore } from './image-store.js';
import { ingestLayer } from './layer-ingest.js';
import { type Descriptor, type ImageIndex, type ImageManifest, isIndex, type Platform, selectPlatform } from './manifest.js';
import { formatReference, type ImageReference, referenceTarget } from './reference.js';
import type { RegistryClient } from './registry-client.js';
import { type StoreAdditions, storeAdditions } from './store-prune.js';

/** Options of {@link pullImage}. */
export interface PullOptions {
  platform: Platform;
  onProgress?: (progress: PullProgress) => void;
  /** Collects the blobs and layers the pull adds, for the caller to take back should it fail (see takeBack). */
  added?: StoreAdditions;
}

/**
 * Pulls an image into the store in one streamed pass per layer: download,
 * verify the blob digest, decompress, verify the diff id and unpack, layers in
 * parallel. Nothing is registered unless every part verified; when a part
 * fails, the pull ends only once every layer has stopped, so what it added
 * (in `options.added`) stays put for the caller to take back.
 */
export async function pullImage(
  store: ImageStore,
  client: RegistryClient,
  ref: ImageReference,
  options: PullOptions,
): Promise<ImageRecord> {
  const name = formatReference(ref);
  try {
    const added = options.added ?? storeAdditions();
    const { manifest, digest } = await fetchImageManifest(store, client, ref, options.platform, added);
    const config = await fetchConfig(store, client, ref.repository, manifest.config, added);
    const diffIds = config.rootfs.diff_ids;
    if (diffIds.length !== manifest.layers.length) {
      throw new LayerError(`manifest has ${manifest.layers.length} layers but the config lists ${diffIds.length}`);
    }
    const chain = chainIds(diffIds);
    await allSettledOrThrow(
      manifest.layers.map((layer, i) =>
        ensureLayer({
          store,
          client,
          repository: ref.repository,
          source: `${ref.registry}/${ref.repository}`,
          layer,
          diffId: diffIds[i] as string,
          chainId: chain[i] as string,
          options,
          added,
        }),
      ),
    );
    const size = manifest.layers.reduce((sum, l) => sum + l.size, 0);
    return store.saveImage({ id: manifest.config.digest, manifestDigest: digest, chainIds: chain, size, config }, name);
  } catch (error) {
    throw error instanceof ImagePullError ? error : new ImagePullError(name, error);
  }
}

/** Waits for every promise, then throws the first failure: nothing of the work goes on after. */
async function allSettledOrThrow(promises: Promise<void>[]): Promise<void> {
  const failed = (await Promise.allSettled(promises)).find((r) => r.status === 'rejected');
  if (failed) throw failed.reason;
}

async function fetchImageManifest(
  store: ImageStore,
  client: RegistryClient,
  ref: ImageReference,
  platform: Platform,
  added: StoreAdditions,
): Promise<{ manifest: ImageManifest; digest: string }> {
  let fetched = await client.getManifest(ref.repository, referenceTarget(ref));
  let doc = JSON.parse(fetched.bytes.toString('utf8')) as ImageManifest | ImageIndex;
  if (isIndex(doc, fetched.mediaType)) {
    putBlob(store, fetched.digest, fetched.bytes, added);
    const chosen = selectPlatform(doc, platform, formatReference(ref));
    fetched = await client.getManifest(ref.repository, chosen.digest);
    doc = JSON.parse(fetched.bytes.toString('utf8')) as ImageManifest;
  }
  if (!('layers' in doc) || !doc.config) throw new LayerError(`manifest of ${formatReference(ref)} is not an image manifest`);
  putBlob(store, fetched.digest, fetched.bytes, added);
  return { manifest: doc, digest: fetched.digest };
}

async function fetchConfig(
  store: ImageStore,
  client: RegistryClient,
  repository: string,
  desc: Descriptor,
  added: StoreAdditions,
): Promise<ImageConfig> {
  if (!store.blobs.has(desc.digest)) {
    await againIfCorrupt(async () => {
      const chunks: Buffer[] = [];
      for await (const chunk of resumableBlob(client, repository, desc.digest, desc.size)) chunks.push(chunk);
      putBlob(store, desc.digest, Buffer.concat(chunks), added);
    });
  }
  return store.blobs.readJson<ImageConfig>(desc.digest);
}

function putBlob(store: ImageStore, digest: string, bytes: Buffer, added: StoreAdditions): void {
  if (store.blobs.put(digest, bytes)) added.blobs.add(digest);
}

/** Downloads of one blob before corrupt content is given up on. */
const BLOB_ATTEMPTS = 3;

/**
 * Runs a blob download again when its content did not match its digest.
 * Nothing else is worth a fresh download: the client has already retried
 * failed requests, and the blob stream resumed broken bodies.
 */
function againIfCorrupt(download: () => Promise<void>): Promise<void> {
  return pRetry(download, {
    retries: BLOB_ATTEMPTS - 1,
    minTimeout: 100,
    shouldRetry: ({ error }) => error instanceof DigestMismatchError,
  });
}

// Pulls in this process share layer work; other processes wait on a file lock.
const inflight = new Map<string, Promise<void>>();

/** One layer to bring into the store, and where from. */
interface LayerJob {
  store: ImageStore;
  client: RegistryClient;
  repository: string;
  /** `registry/repository`, noted as where the blob is. */
  source: string;
  layer: Descriptor;
  diffId: string;
  chainId: string;
  options: PullOptions;
  added: StoreAdditions;
}

function ensureLayer(job: LayerJob): Promise<void> {
  const { store, chainId } = job;
  if (store.hasLayer(chainId)) return Promise.resolve(noteSource(job));
  const key = `${store.paths.root}\0${chainId}`;
  let pending = inflight.get(key);
  if (!pending) {
    pending = withFileLock(store.paths.locks, `layer-${digestHex(chainId)}`, async () => {
      if (store.hasLayer(chainId)) return noteSource(job); // Another process finished it while we waited.
      await againIfCorrupt(() => fetchLayer(job));
    }).finally(() => inflight.delete(key));
    inflight.set(key, pending);
  }
  return pending;
}

/** A layer the store has: the repository is noted as one that holds this blob of it, for later pushes to mount. */
function noteSource({ store, chainId, layer, source }: LayerJob): void {
  store.recordLayerForm(chainId, { digest: layer.digest, mediaType: layer.mediaType, size: layer.size, sources: [source] });
}

async function fetchLayer({ store, client, repository, source, layer, diffId, chainId, options, added }: LayerJob): Promise<void> {
  let downloaded = 0;
  const progress = (done: boolean): void => options.onProgress?.({ layer: layer.digest, downloaded, total: layer.size, done });
  // Noted before, as the blob is stored before the layer is published, either of which may fail.
  if (!store.blobs.has(layer.digest)) added.blobs.add(layer.digest);
  added.layers.add(chainId);
  await ingestLayer(store, resumableBlob(client, repository, layer.digest, layer.size), {
    compression: compressionOf(layer.mediaType),
    mediaType: layer.mediaType,
    source,
    digest: layer.digest,
    diffId,
    chainId: () => chainId,
    onBytes: (n) => {
      downloaded += n;
      progress(false);
    },
  });
  progress(true);
}
