import * as fs from 'node:fs';
import { join } from 'node:path';
import { ArchiveError, DigestMismatchError } from '../../../errors.js';
import { sha256Digest } from '../blob-store.js';
import type { ImageStore } from '../image-store.js';
import {
  type Descriptor,
  hostPlatform,
  type ImageConfig,
  type ImageIndex,
  type ImageManifest,
  isIndex,
  MediaType,
  selectPlatform,
} from '../manifest.js';
import { parseReference } from '../reference.js';
import { type ArchiveMembers, parseJson, requireBytes, requireJson } from './members.js';
import { ArchivePlan, blobMember } from './plan.js';
import type { SavedImage } from './saved-image.js';

/** Annotation naming an image in an OCI layout: a full reference, or (as skopeo writes) a bare tag. */
export const REF_NAME = 'org.opencontainers.image.ref.name';
/** Annotation containerd and Docker write with the full reference beside a bare {@link REF_NAME}. */
const CONTAINERD_NAME = 'io.containerd.image.name';

/**
 * Plans loading every image an OCI image layout's index.json names (for a
 * nested index, this machine's platform), checking each manifest and config
 * against its digest. Tags come from the annotations: a full reference is
 * kept, a bare tag such as `latest` names no repository and tags nothing.
 */
export function planOciLayout(members: ArchiveMembers): ArchivePlan {
  const layout = requireJson<{ imageLayoutVersion?: unknown }>(members, 'oci-layout');
  if (typeof layout.imageLayoutVersion !== 'string' || !layout.imageLayoutVersion.startsWith('1.')) {
    throw new ArchiveError(`unsupported OCI image layout version ${JSON.stringify(layout.imageLayoutVersion)}`);
  }
  const index = requireJson<ImageIndex>(members, 'index.json');
  if (!Array.isArray(index?.manifests)) throw new ArchiveError('index.json lists no manifests');
  const plan = new ArchivePlan();
  for (const entry of index.manifests) {
    const { manifest, digest, bytes } = imageManifest(members, entry);
    plan.addImage({
      configBytes: verifiedBlob(members, manifest.config.digest),
      configDigest: manifest.config.digest,
      manifest: { digest, bytes },
      layers: manifest.layers.map((l) => ({ member: blobMember(l.digest), digest: l.digest, mediaType: l.mediaType })),
      tags: tagsOf(entry),
    });
  }
  return plan;
}

function imageManifest(members: ArchiveMembers, entry: Descriptor): { manifest: ImageManifest; digest: string; bytes: Buffer } {
  let desc = entry;
  let doc = documentAt(members, desc.digest);
  if (isIndex(doc.json, desc.mediaType)) {
    try {
      desc = selectPlatform(doc.json, hostPlatform(), desc.digest);
    } catch (error) {
      throw new ArchiveError(`the archive has no image for this machine: ${(error as Error).message}`, { cause: error });
    }
    doc = documentAt(members, desc.digest);
  }
  const manifest = doc.json as ImageManifest;
  if (!Array.isArray(manifest.layers) || typeof manifest.config?.digest !== 'string') {
    throw new ArchiveError(`blob ${desc.digest} is not an image manifest`);
  }
  return { manifest, digest: desc.digest, bytes: doc.bytes };
}

function documentAt(members: ArchiveMembers, digest: string): { json: ImageManifest | ImageIndex; bytes: Buffer } {
  const bytes = verifiedBlob(members, digest);
  const json = parseJson<ImageManifest | ImageIndex | null>(bytes, `manifest ${digest}`);
  if (typeof json !== 'object' || json === null) throw new ArchiveError(`blob ${digest} is not a manifest`);
  return { json, bytes };
}

/** A blob's bytes, checked against its digest. */
function verifiedBlob(members: ArchiveMembers, digest: string): Buffer {
  const bytes = requireBytes(members, blobMember(digest));
  const actual = sha256Digest(bytes);
  if (actual !== digest) throw new DigestMismatchError(digest, actual, `blob ${blobMember(digest)} in the archive`);
  return bytes;
}

function tagsOf(entry: Descriptor): string[] {
  const name = entry.annotations?.[CONTAINERD_NAME] ?? entry.annotations?.[REF_NAME];
  // A bare tag has neither `/` nor `:`; a reference has at least one of them (or is ambiguous: tag it nothing).
  return name !== undefined && /[/:]/.test(name) ? [name] : [];
}

/**
 * Writes an OCI image layout of `images` into the empty directory `dir`:
 * each image's manifest, config and layer blobs as the store holds them,
 * placed with `place`. Returns the member names in the order an archive
 * should hold them: metadata before layers, so a reader can unpack layers
 * as they stream by.
 */
export function writeOciLayout(store: ImageStore, images: SavedImage[], dir: string, place: (from: string, to: string) => void): string[] {
  fs.mkdirSync(join(dir, 'blobs', 'sha256'), { recursive: true });
  const metadata = new Set<string>();
  const layers = new Set<string>();
  for (const image of images) metadata.add(image.record.manifestDigest).add(image.record.id);
  for (const image of images) for (const layer of image.manifest.layers) layers.add(layer.digest);
  for (const digest of [...metadata, ...layers]) place(store.blobs.path(digest), join(dir, blobMember(digest)));
  const manifests = images.flatMap((image) => {
    const desc = imageDescriptor(image.record.config, image.manifest.mediaType, image.record.manifestDigest, image.manifestBytes.length);
    return indexEntries(desc, image.tags);
  });
  return [...writeLayoutFiles(dir, manifests), ...[...metadata, ...layers].map(blobMember)];
}

/** The index.json descriptor of an image manifest, with its platform from the config. */
export function imageDescriptor(config: ImageConfig, mediaType: string | undefined, digest: string, size: number): Descriptor {
  const { os, architecture, variant } = config;
  return { mediaType: mediaType ?? MediaType.ociManifest, digest, size, platform: { os, architecture, ...(variant ? { variant } : {}) } };
}

/**
 * index.json entries for an image: one per tag, named as containerd and
 * Docker name them (the full reference, and the bare tag as
 * {@link REF_NAME}), or a single unnamed one for an image saved by id.
 */
export function indexEntries(desc: Descriptor, tags: string[]): Descriptor[] {
  if (tags.length === 0) return [desc];
  return tags.map((tag) => ({ ...desc, annotations: { [CONTAINERD_NAME]: tag, [REF_NAME]: parseReference(tag).tag ?? 'latest' } }));
}

/** Writes `oci-layout` and `index.json`; returns the names of the layout's own members. */
export function writeLayoutFiles(dir: string, manifests: Descriptor[]): string[] {
  fs.writeFileSync(join(dir, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  const index: ImageIndex = { schemaVersion: 2, mediaType: MediaType.ociIndex, manifests };
  fs.writeFileSync(join(dir, 'index.json'), JSON.stringify(index));
  return ['oci-layout', 'index.json', 'blobs', 'blobs/sha256'];
}
