import { ArchiveError, ImageNotPresentError } from '../../../errors.js';
import { type ImageRecord, type ImageStore, tagNamed } from '../image-store.js';
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
 * tags, as `docker save` does. Every blob must be in the store.
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
      for (const digest of [record.id, ...manifest.layers.map((l) => l.digest)]) requireBlob(store, record, digest);
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
