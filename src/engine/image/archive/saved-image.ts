import { ArchiveError, ImageNotPresentError } from '../../../errors.js';
import { type ImageRecord, type ImageStore, tagNamed } from '../image-store.js';
import { hasLayerTar } from '../layer-tar.js';
import type { ImageManifest } from '../manifest.js';

/** An image to write into an archive, with the tags it is saved under. */
export interface SavedImage {
  record: ImageRecord;
  manifest: ImageManifest;
  manifestBytes: Buffer;
  /** Canonical references; empty for an image saved by id. */
  tags: string[];
}

/**
 * The images `references` name, each once: an image named by a tag is saved
 * with that tag (and any other tag it was named by), one named by id without
 * tags, as `docker save` does. Every image must be whole in the store: its
 * manifest, config, and each layer as a blob or unpacked with what rebuilds
 * its tar.
 */
export function selectImages(store: ImageStore, references: string[]): SavedImage[] {
  if (references.length === 0) throw new ArchiveError('no images to save', { hint: 'name at least one image by reference or id' });
  const byId = new Map<string, SavedImage>();
  for (const reference of references) {
    const record = store.resolve(reference);
    if (!record) throw new ImageNotPresentError(reference);
    let image = byId.get(record.id);
    if (!image) {
      requireBlob(store, record, record.manifestDigest);
      const manifestBytes = store.blobs.read(record.manifestDigest);
      const manifest = JSON.parse(manifestBytes.toString('utf8')) as ImageManifest;
      requireBlob(store, record, record.id);
      for (const [i, layer] of manifest.layers.entries()) requireLayer(store, record, layer.digest, record.chainIds[i] ?? '');
      image = { record, manifest, manifestBytes, tags: [] };
      byId.set(record.id, image);
    }
    const tag = tagNamed(record, reference);
    if (tag && !image.tags.includes(tag)) image.tags.push(tag);
  }
  return [...byId.values()];
}

function requireBlob(store: ImageStore, record: ImageRecord, digest: string): void {
  if (!store.blobs.has(digest)) {
    throw new ArchiveError(`the store lacks blob ${digest} of image ${record.id}`, {
      hint: 'pull or load the image again to restore its blobs',
    });
  }
}

function requireLayer(store: ImageStore, record: ImageRecord, digest: string, chainId: string): void {
  if (store.blobs.has(digest) || hasLayerTar(store, chainId)) return;
  throw new ArchiveError(`the store lacks layer ${chainId} of image ${record.id} (neither its blob ${digest} nor its unpacked files)`, {
    hint: 'pull or load the image again to restore its layers',
  });
}
