import type { CommitOptions, ImageConfig } from '../api/index.js';
import { identify } from '../state/process-identity.js';
import { diffTar, type LayerGraft } from './diff-tar.js';
import { chainIds, type ImageRecord, type ImageStore } from './image-store.js';
import { writeImage } from './image-writer.js';
import { ingestLayer } from './layer-ingest.js';
import { type ImageManifest, MediaType } from './manifest.js';
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
  const parentDiffIds = parent.config.rootfs.diff_ids;
  const lowers = [...parent.chainIds].reverse().map((c) => store.layerDiff(c));
  const layer = await ingestLayer(store, diffTar(upper, grafts, lowers), {
    compression: 'none',
    mediaType: MediaType.ociLayerTar,
    chainId: (diffId) => chainIds([...parentDiffIds, diffId]).at(-1) ?? diffId,
  });
  const created = new Date().toISOString();
  // The parent's comment and author describe the parent, not this image.
  const { comment: _comment, author: _author, ...inherited } = parent.config;
  const imageConfig: ImageConfig = {
    ...inherited,
    created,
    config,
    rootfs: { type: 'layers', diff_ids: [...parentDiffIds, layer.diffId] },
    history: [
      ...(parent.config.history ?? []),
      { created, created_by: 'berth commit', ...(options.comment ? { comment: options.comment } : {}) },
    ],
    ...(options.author ? { author: options.author } : {}),
    ...(options.comment ? { comment: options.comment } : {}),
  };
  const reference = options.reference ? formatReference(parseReference(options.reference)) : undefined;
  const layers = [...parentLayers(store, parent), { mediaType: MediaType.ociLayerTar, digest: layer.digest, size: layer.size }];
  const chain = [...parent.chainIds, layer.chainId];
  const owner = options.temporary ? identify() : undefined;
  return writeImage(
    store,
    { config: imageConfig, layers, chainIds: chain, size: parent.size + layer.size, ...(owner ? { owner } : {}) },
    reference,
  );
}

function parentLayers(store: ImageStore, parent: ImageRecord): ImageManifest['layers'] {
  const manifest = JSON.parse(store.blobs.read(parent.manifestDigest).toString('utf8')) as ImageManifest;
  return manifest.layers.map((l) => ({ ...l, mediaType: OCI_LAYER[l.mediaType] ?? l.mediaType }));
}
