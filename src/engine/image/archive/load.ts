import { ArchiveError } from '../../../errors.js';
import type { LoadImagesOptions } from '../../api/index.js';
import { sha256Digest } from '../blob-store.js';
import type { ImageRecord, ImageStore } from '../image-store.js';
import { ingestLayer } from '../layer-ingest.js';
import { formOf } from '../layer-record.js';
import { hasLayerTar } from '../layer-tar.js';
import { type ImageManifest, MediaType, ociLayerMediaType } from '../manifest.js';
import { formatReference, parseReference } from '../reference.js';
import { archiveEntries, asArchiveError } from './archive-file.js';
import { isDirectory, type Planner, plannerFor } from './detect.js';
import { type ArchiveMembers, DirectoryMembers, MissingMemberError, memberName, SpooledMembers } from './members.js';
import type { ArchivePlan, LayerJob, LoadedLayer, PlannedImage } from './plan.js';
import { sniffCompression } from './sniff.js';

/**
 * Loads every image of an archive or OCI layout into the store, like
 * `docker load`: each layer goes through {@link ingestLayer} (stored,
 * verified, unpacked, published atomically); layers the store already has
 * are not unpacked again. Images are registered (and tagged) only when all
 * of them verified. Chain ids of the layers it published are added to
 * `published`, so the caller can prune them when the load fails. Anything
 * wrong with the archive raises {@link ArchiveError}.
 */
export async function loadArchive(
  store: ImageStore,
  source: string,
  options: LoadImagesOptions,
  published: Set<string>,
): Promise<ImageRecord[]> {
  const tag = options.tag === undefined ? undefined : formatReference(parseReference(options.tag));
  const planner = plannerFor(options.format);
  try {
    const plan = isDirectory(source)
      ? await loadDirectory(store, source, planner, published)
      : await loadTar(store, source, planner, published);
    return register(store, plan, tag);
  } catch (error) {
    throw asArchiveError(`cannot load images from ${source}`, error);
  }
}

async function loadDirectory(store: ImageStore, dir: string, planner: Planner, published: Set<string>): Promise<ArchivePlan> {
  const members = new DirectoryMembers(dir);
  const plan = settleFromStore(store, planner(members));
  await ingestRest(store, plan, members, published);
  return plan;
}

/**
 * Reads the tar once. Until the plan is known (its metadata read), members
 * are kept in memory or spooled; after, a layer member streams straight into
 * the store. Layers met before the metadata are ingested from the spool.
 */
async function loadTar(store: ImageStore, source: string, planner: Planner, published: Set<string>): Promise<ArchivePlan> {
  const members = new SpooledMembers(store.blobs.tempPath('spool'));
  try {
    let plan: ArchivePlan | undefined;
    for await (const { entry, body } of archiveEntries(source)) {
      const name = memberName(entry.path);
      if (entry.type === 'symlink' || entry.type === 'hardlink') members.link(name, entry.type, entry.linkpath);
      if (entry.type !== 'file') continue;
      const waiting = plan?.jobs.filter((job) => !job.result && members.resolve(job.member) === name) ?? [];
      if (waiting.length === 1 && waiting[0]) {
        await ingestJob(store, body, waiting[0], published);
        continue;
      }
      await members.keep(name, entry.size, body);
      plan ??= planIfComplete(store, planner, members);
    }
    plan ??= settleFromStore(store, planner(members));
    await ingestRest(store, plan, members, published);
    return plan;
  } finally {
    members.dispose();
  }
}

/** The plan, or undefined while a member it needs has not been read yet. */
function planIfComplete(store: ImageStore, planner: Planner, members: ArchiveMembers): ArchivePlan | undefined {
  try {
    return settleFromStore(store, planner(members));
  } catch (error) {
    if (error instanceof MissingMemberError) return undefined;
    throw error;
  }
}

/**
 * Marks the jobs whose layer the store already has, as the blob the archive
 * names (OCI: a blob the store knows holds that layer; a docker-archive: the
 * plain tar, which the store gives back from any layer it has) or, for a
 * docker-archive, the blob of an image the store already holds (so loading
 * `docker save` output of a pulled image unpacks nothing). The caller holds
 * the store lock, so a prune cannot take them away before the images are
 * registered.
 */
function settleFromStore(store: ImageStore, plan: ArchivePlan): ArchivePlan {
  for (const image of plan.images) {
    const existing = store.get(image.id);
    if (!existing || !isComplete(store, existing)) continue;
    const layers = store.blobs.readJson<ImageManifest>(existing.manifestDigest).layers;
    for (const [i, job] of image.layers.entries()) {
      const blob = layers[i];
      if (job.result || job.digest || !blob) continue;
      job.result = { digest: blob.digest, diffId: job.diffId, chainId: job.chainId, size: blob.size, mediaType: blob.mediaType };
    }
  }
  for (const job of plan.jobs) {
    const digest = job.digest ?? job.diffId; // A docker-archive layer is a plain tar: its digest is its diff id.
    const record = job.result || !hasLayerTar(store, job.chainId) ? undefined : store.layerRecord(job.chainId);
    const form = record && formOf(record, digest);
    if (!form) continue;
    const mediaType = job.mediaType ?? form.mediaType ?? MediaType.ociLayerTar;
    job.result = { digest, diffId: job.diffId, chainId: job.chainId, size: form.size, mediaType };
  }
  return plan;
}

/** Whether the store holds an image's record, config, manifest and layers. */
function isComplete(store: ImageStore, record: ImageRecord): boolean {
  return record.chainIds.every((c) => hasLayerTar(store, c)) && store.blobs.has(record.id) && store.blobs.has(record.manifestDigest);
}

async function ingestRest(store: ImageStore, plan: ArchivePlan, members: ArchiveMembers, published: Set<string>): Promise<void> {
  for (const job of plan.jobs) {
    if (job.result) continue;
    const stream = members.open(job.member);
    try {
      await ingestJob(store, stream, job, published);
    } finally {
      stream.destroy();
    }
  }
}

/** Ingests one layer; its compression is told by its first bytes, whatever the archive calls it. */
async function ingestJob(store: ImageStore, source: AsyncIterable<Buffer>, job: LayerJob, published: Set<string>): Promise<void> {
  const { compression, stream } = await sniffCompression(source);
  const mediaType = job.mediaType ?? ociLayerMediaType(compression);
  const layer = await ingestLayer(store, stream, {
    compression,
    mediaType,
    digest: job.digest,
    diffId: job.diffId,
    chainId: () => job.chainId,
  });
  published.add(layer.chainId);
  job.result = { ...layer, mediaType };
}

/**
 * Stores configs and manifests, then records and tags every image. An image
 * the store already holds keeps its record (and manifest); it gains the tags.
 */
function register(store: ImageStore, plan: ArchivePlan, tag: string | undefined): ImageRecord[] {
  if (tag !== undefined && plan.images.length !== 1) {
    throw new ArchiveError(`the archive holds ${plan.images.length} images, so the tag ${tag} would be ambiguous`, {
      hint: 'load without a tag, then tag the image you mean with tagImage()',
    });
  }
  return plan.images.map((image) => {
    const existing = store.get(image.id);
    let record = existing && isComplete(store, existing) ? existing : recordOf(store, image);
    for (const name of tag === undefined ? image.tags : [...image.tags, tag]) record = store.tag(image.id, name);
    return record;
  });
}

function recordOf(store: ImageStore, image: PlannedImage): ImageRecord {
  const layers = image.layers.map((job) => {
    if (!job.result) throw new Error(`unreachable: layer ${job.member} was not loaded`);
    return job.result;
  });
  const manifest = image.manifest ?? writtenManifest(image, layers);
  store.blobs.put(image.id, image.configBytes);
  store.blobs.put(manifest.digest, manifest.bytes);
  const size = layers.reduce((sum, l) => sum + l.size, 0);
  return store.saveImage({
    id: image.id,
    manifestDigest: manifest.digest,
    chainIds: layers.map((l) => l.chainId),
    size,
    config: image.config,
  });
}

/** An OCI manifest for an image the archive gives no manifest for, naming the layer blobs as stored. */
function writtenManifest(image: PlannedImage, layers: LoadedLayer[]): { digest: string; bytes: Buffer } {
  const manifest: ImageManifest = {
    schemaVersion: 2,
    mediaType: MediaType.ociManifest,
    config: { mediaType: MediaType.ociConfig, digest: image.id, size: image.configBytes.length },
    layers: layers.map((l) => ({ mediaType: l.mediaType, digest: l.digest, size: l.size })),
  };
  const bytes = Buffer.from(JSON.stringify(manifest));
  return { digest: sha256Digest(bytes), bytes };
}
