import type { ImageConfig } from '../api/index.js';
import type { ProcessIdentity } from '../state/process-identity.js';
import { sha256Digest } from './blob-store.js';
import type { ImageRecord, ImageStore } from './image-store.js';
import { type ImageManifest, MediaType } from './manifest.js';

/** What an image made here (import, commit) consists of besides its config. */
export interface MadeImage {
  config: ImageConfig;
  /** Layer descriptors, bottom-most first, for the manifest. */
  layers: ImageManifest['layers'];
  /** The layers' chain ids, bottom-most first. */
  chainIds: string[];
  /** Unpacked size of all layers. */
  size: number;
  /** The process the image lives for, if only for one (see {@link ImageRecord.owner}). */
  owner?: ProcessIdentity;
}

/**
 * Stores the config and an OCI manifest for `image` as blobs and registers
 * the image (tagged `reference`, if given), so it can run, be pushed or be
 * saved like a pulled one.
 */
export function writeImage(store: ImageStore, image: MadeImage, reference?: string): ImageRecord {
  const configBytes = Buffer.from(JSON.stringify(image.config));
  const configDigest = sha256Digest(configBytes);
  store.blobs.put(configDigest, configBytes);
  const manifest: ImageManifest = {
    schemaVersion: 2,
    mediaType: MediaType.ociManifest,
    config: { mediaType: MediaType.ociConfig, digest: configDigest, size: configBytes.length },
    layers: image.layers,
  };
  const manifestBytes = Buffer.from(JSON.stringify(manifest));
  const manifestDigest = sha256Digest(manifestBytes);
  store.blobs.put(manifestDigest, manifestBytes);
  const record = {
    id: configDigest,
    manifestDigest,
    chainIds: image.chainIds,
    size: image.size,
    config: image.config,
    ...(image.owner ? { owner: image.owner } : {}),
  };
  return store.saveImage(record, reference);
}
