import type { CommitOptions, ImageConfig } from '../api/index.js';
import { identify } from '../state/process-identity.js';
import { diffTar, type LayerGraft } from './diff-tar.js';
import { chainIds, type ImageRecord, type ImageStore } from './image-store.js';
import { writeImage } from './image-writer.js';
import { ingestLayer } from './layer-ingest.js';
import { hostPlatform, type ImageManifest, MediaType } from './manifest.js';
import { formatReference, parseReference } from './reference.js';

/** Docker's layer media types and their OCI names: the committed manifest is OCI throughout. */
const OCI_LAYER: Record<string, string> = {
  [MediaType.dockerLayerGzip]: MediaType.ociLayerGzip,
  [MediaType.dockerLayerTar]: MediaType.ociLayerTar,
};

/**
 * Makes an image of `parent` plus the changes in a container's overlay upper
 * dir (one new layer) and the content of `grafts`, with `config` as the
 * image's run settings, like `docker commit`. The layer is ingested like a pulled one (unpacked,
 * published atomically), so the image can run, be pushed or saved at once.
 */
export async function commitImage(
  store: ImageStore,
  parent: ImageRecord,
  upper: string,
  config: NonNullable<ImageConfig['config']>,
  options: CommitOptions = {},
  grafts: LayerGraft[] = [],
): Promise<ImageRecord> {
  const history = { created_by: 'berth commit', ...(options.comment ? { comment: options.comment } : {}) };
  return stackImage(store, parent, { upper, grafts, config, history: [history], ...options });
}

/** A history entry as image configs hold them (`created` is set when the image is made). */
export type HistoryEntry = Omit<NonNullable<ImageConfig['history']>[number], 'created'>;

/** What {@link stackImage} puts on top of its parent. */
export interface StackedImage {
  /** An overlay upper dir (or a staging dir laid out like one) that becomes one new layer; none: the layers stay as they are. */
  upper?: string;
  grafts?: LayerGraft[];
  config: NonNullable<ImageConfig['config']>;
  /** Entries added to the parent's history: one without `empty_layer` for the new layer, if any. */
  history: HistoryEntry[];
  reference?: string;
  comment?: string;
  author?: string;
  temporary?: boolean;
}

/**
 * An image of `parent` (none: an empty base, as `FROM scratch`) with at
 * most one layer more, new run settings and history: what commit and each
 * build step make.
 */
export async function stackImage(store: ImageStore, parent: ImageRecord | undefined, image: StackedImage): Promise<ImageRecord> {
  const base = parent?.config ?? { ...hostPlatform(), rootfs: { type: 'layers' as const, diff_ids: [] } };
  const parentDiffIds = base.rootfs.diff_ids;
  const parentChain = parent?.chainIds ?? [];
  let layer: { diffId: string; digest: string; size: number; chainId: string } | undefined;
  if (image.upper !== undefined) {
    const lowers = [...parentChain].reverse().map((c) => store.layerDiff(c));
    layer = await ingestLayer(store, diffTar(image.upper, image.grafts ?? [], lowers), {
      compression: 'none',
      mediaType: MediaType.ociLayerTar,
      chainId: (diffId) => chainIds([...parentDiffIds, diffId]).at(-1) ?? diffId,
    });
  }
  const created = new Date().toISOString();
  // The parent's comment and author describe the parent, not this image.
  const { comment: _comment, author: _author, ...inherited } = base;
  const imageConfig: ImageConfig = {
    ...inherited,
    created,
    config: image.config,
    rootfs: { type: 'layers', diff_ids: layer ? [...parentDiffIds, layer.diffId] : parentDiffIds },
    history: [...(base.history ?? []), ...image.history.map((h) => ({ created, ...h }))],
    ...(image.author ? { author: image.author } : {}),
    ...(image.comment ? { comment: image.comment } : {}),
  };
  const reference = image.reference ? formatReference(parseReference(image.reference)) : undefined;
  const layers = parent ? parentLayers(store, parent) : [];
  if (layer) layers.push({ mediaType: MediaType.ociLayerTar, digest: layer.digest, size: layer.size });
  const chain = layer ? [...parentChain, layer.chainId] : parentChain;
  const owner = image.temporary ? identify() : undefined;
  const size = (parent?.size ?? 0) + (layer?.size ?? 0);
  return writeImage(store, { config: imageConfig, layers, chainIds: chain, size, ...(owner ? { owner } : {}) }, reference);
}

function parentLayers(store: ImageStore, parent: ImageRecord): ImageManifest['layers'] {
  const manifest = JSON.parse(store.blobs.read(parent.manifestDigest).toString('utf8')) as ImageManifest;
  return manifest.layers.map((l) => ({ ...l, mediaType: OCI_LAYER[l.mediaType] ?? l.mediaType }));
}
