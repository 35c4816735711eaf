import * as fs from 'node:fs';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { ArchiveError, DigestMismatchError, StoredLayerError } from '../../../errors.js';
import type { ImageConfig } from '../../api/index.js';
import { sha256Digest } from '../blob-store.js';
import type { ImageStore } from '../image-store.js';
import { layerTar } from '../layer-tar.js';
import {
  type Descriptor,
  hostPlatform,
  type ImageIndex,
  type ImageManifest,
  isIndex,
  layerMediaTypeIn,
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
 * placed with `place`. A layer whose blob the store did not keep is written
 * as its uncompressed tar (given back by the store and checked, named by its
 * diff id), and the image's manifest rewritten to name it: that image keeps
 * its id, not its manifest digest. Returns the member names in the order an
 * archive should hold them: metadata before layers, so a reader can unpack
 * layers as they stream by.
 */
export async function writeOciLayout(
  store: ImageStore,
  images: SavedImage[],
  dir: string,
  place: (from: string, to: string) => void,
): Promise<string[]> {
  fs.mkdirSync(join(dir, 'blobs', 'sha256'), { recursive: true });
  const metadata = new Set<string>();
  const layers = new Set<string>();
  const manifests: Descriptor[] = [];
  for (const image of images) {
    const manifest = await layoutManifest(store, image, dir, place, layers);
    metadata.add(manifest.digest).add(image.record.id);
    const desc = imageDescriptor(image.record.config, image.manifest.mediaType, manifest.digest, manifest.size);
    manifests.push(...indexEntries(desc, image.tags));
  }
  for (const image of images) place(store.blobs.path(image.record.id), join(dir, blobMember(image.record.id)));
  return [...writeLayoutFiles(dir, manifests), ...[...metadata, ...layers].map(blobMember)];
}

/**
 * Puts the image's layers into the layout (those not in `layers` yet), then
 * its manifest: the stored one, or one rewritten for the layers written as
 * plain tars.
 */
async function layoutManifest(
  store: ImageStore,
  { record, manifest, manifestBytes }: SavedImage,
  dir: string,
  place: (from: string, to: string) => void,
  layers: Set<string>,
): Promise<{ digest: string; size: number }> {
  const written: Descriptor[] = [];
  for (const [i, layer] of manifest.layers.entries()) {
    const desc = store.blobs.has(layer.digest) ? layer : plainLayer(manifest, layer, record.chainIds[i] ?? '', store);
    const to = join(dir, blobMember(desc.digest));
    if (!layers.has(desc.digest)) {
      if (desc === layer) place(store.blobs.path(layer.digest), to);
      else await pipeline(layerTar(store, record.chainIds[i] ?? ''), fs.createWriteStream(to));
    }
    layers.add(desc.digest);
    written.push(desc);
  }
  if (written.every((desc, i) => desc === manifest.layers[i])) {
    place(store.blobs.path(record.manifestDigest), join(dir, blobMember(record.manifestDigest)));
    return { digest: record.manifestDigest, size: manifestBytes.length };
  }
  const bytes = Buffer.from(JSON.stringify({ ...manifest, layers: written }));
  const digest = sha256Digest(bytes);
  fs.writeFileSync(join(dir, blobMember(digest)), bytes);
  return { digest, size: bytes.length };
}

/** The descriptor of a layer as its uncompressed tar, in a manifest of the same kind as `manifest`. */
function plainLayer(manifest: ImageManifest, layer: Descriptor, chainId: string, store: ImageStore): Descriptor {
  const record = store.layerRecord(chainId);
  if (record?.diffSize === undefined) throw new StoredLayerError(chainId, 'its record lacks the size of its tar: pull or load it again');
  const mediaType = layerMediaTypeIn(manifest.mediaType, 'none') ?? MediaType.ociLayerTar;
  return { mediaType, digest: record.diffId, size: record.diffSize, ...(layer.annotations ? { annotations: layer.annotations } : {}) };
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
