import * as fs from 'node:fs';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { ArchiveError } from '../../../errors.js';
import { digestHex } from '../../paths.js';
import { sha256Digest } from '../blob-store.js';
import type { ImageStore } from '../image-store.js';
import { layerTar } from '../layer-tar.js';
import { type Descriptor, MediaType } from '../manifest.js';
import { DEFAULT_REGISTRY, parseReference } from '../reference.js';
import { type ArchiveMembers, memberName, requireBytes, requireJson } from './members.js';
import { imageDescriptor, indexEntries, writeLayoutFiles } from './oci-layout.js';
import { ArchivePlan, blobMember } from './plan.js';
import type { SavedImage } from './saved-image.js';

/** One image in a docker-archive's manifest.json. */
interface DockerManifestEntry {
  Config: string;
  RepoTags: string[] | null;
  Layers: string[];
}

/**
 * Plans loading every image a docker-archive's manifest.json lists, in the
 * classic shape (`<id>.json`, `<id>/layer.tar`), skopeo's (`<diff id>.tar`)
 * or newer Docker's (`blobs/sha256/<hex>`). Layers are plain tars (whose
 * digest is their diff id) or, as Docker also accepts, compressed ones.
 */
export function planDockerArchive(members: ArchiveMembers): ArchivePlan {
  const entries = requireJson<unknown>(members, 'manifest.json');
  if (!Array.isArray(entries) || !entries.every(isEntry)) {
    throw new ArchiveError('manifest.json is not a list of {Config, RepoTags, Layers}');
  }
  const plan = new ArchivePlan();
  for (const entry of entries) {
    const config = memberName(entry.Config);
    const named = /(?:^|\/)([a-f0-9]{64})(?:\.json)?$/.exec(config)?.[1];
    plan.addImage({
      configBytes: requireBytes(members, config),
      configDigest: named ? `sha256:${named}` : undefined,
      layers: entry.Layers.map((layer) => ({ member: memberName(layer) })),
      tags: entry.RepoTags ?? [],
    });
  }
  return plan;
}

function isEntry(value: unknown): value is DockerManifestEntry {
  const e = value as Partial<DockerManifestEntry> | null;
  return (
    typeof e?.Config === 'string' &&
    Array.isArray(e.Layers) &&
    e.Layers.every((l) => typeof l === 'string') &&
    (e.RepoTags == null || (Array.isArray(e.RepoTags) && e.RepoTags.every((t) => typeof t === 'string')))
  );
}

/**
 * Writes `images` as `docker save` (Docker 25 and later) does into the empty
 * directory `dir`: every layer as an uncompressed tar named by its diff id
 * (given back by the store and checked), configs, and a manifest per
 * image naming those tars, all under `blobs/sha256/`; `manifest.json` (tags
 * in Docker's short form, `null` for an image saved by id), `repositories`
 * (when anything is tagged) and an OCI `index.json`, so older Docker, newer
 * Docker and OCI tools all read it. Returns the member names, metadata
 * first so a reader meets it before the layers.
 */
export async function writeDockerArchive(
  store: ImageStore,
  images: SavedImage[],
  dir: string,
  place: (from: string, to: string) => void,
): Promise<string[]> {
  fs.mkdirSync(join(dir, 'blobs', 'sha256'), { recursive: true });
  const layerMembers = new Set<string>();
  const written = [];
  for (const image of images) written.push(await writeImage(store, image, dir, place, layerMembers));
  fs.writeFileSync(join(dir, 'manifest.json'), JSON.stringify(written.map((w) => w.entry)));
  const own = ['manifest.json'];
  const repositories = repositoriesOf(images);
  if (Object.keys(repositories).length > 0) {
    fs.writeFileSync(join(dir, 'repositories'), JSON.stringify(repositories));
    own.push('repositories');
  }
  const index = written.flatMap((w, i) => indexEntries(w.manifest, images[i]?.tags ?? []));
  return [...own, ...writeLayoutFiles(dir, index), ...written.flatMap((w) => w.metadata), ...layerMembers];
}

/** Writes one image's layers (those not in `layerMembers` yet), config and manifest. */
async function writeImage(
  store: ImageStore,
  { record, manifest: stored, tags }: SavedImage,
  dir: string,
  place: (from: string, to: string) => void,
  layerMembers: Set<string>,
): Promise<{ entry: DockerManifestEntry; manifest: Descriptor; metadata: string[] }> {
  const layers: Descriptor[] = [];
  for (const [i, blob] of stored.layers.entries()) {
    const diffId = record.config.rootfs.diff_ids[i] ?? '';
    const member = blobMember(diffId);
    if (!layerMembers.has(member)) await writeLayerTar(store, blob, record.chainIds[i] ?? '', join(dir, member), place);
    layerMembers.add(member);
    layers.push({ mediaType: MediaType.ociLayerTar, digest: diffId, size: fs.statSync(join(dir, member)).size });
  }
  place(store.blobs.path(record.id), join(dir, blobMember(record.id)));
  const config = { mediaType: MediaType.ociConfig, digest: record.id, size: fs.statSync(store.blobs.path(record.id)).size };
  const bytes = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: MediaType.ociManifest, config, layers }));
  const digest = sha256Digest(bytes);
  fs.writeFileSync(join(dir, blobMember(digest)), bytes);
  return {
    entry: {
      Config: blobMember(record.id),
      RepoTags: tags.length > 0 ? tags.map(familiar) : null,
      Layers: layers.map((l) => blobMember(l.digest)),
    },
    manifest: imageDescriptor(record.config, MediaType.ociManifest, digest, bytes.length),
    metadata: [blobMember(record.id), blobMember(digest)],
  };
}

/** The legacy `repositories` file: short name, then tag, to the hex of the image's top layer diff id. */
function repositoriesOf(images: SavedImage[]): Record<string, Record<string, string>> {
  const repositories: Record<string, Record<string, string>> = {};
  for (const { record, tags } of images) {
    const top = digestHex(record.config.rootfs.diff_ids.at(-1) ?? '');
    for (const tag of tags) {
      const name = familiar(tag).replace(/:[^:/]+$/, '');
      repositories[name] = { ...repositories[name], [parseReference(tag).tag ?? 'latest']: top };
    }
  }
  return repositories;
}

/** A reference as Docker shows it: without `docker.io/` and `library/`. */
export function familiar(reference: string): string {
  const ref = parseReference(reference);
  const name = ref.registry === DEFAULT_REGISTRY ? ref.repository.replace(/^library\//, '') : `${ref.registry}/${ref.repository}`;
  return `${name}:${ref.tag ?? 'latest'}`;
}

/**
 * Puts the layer at `to` as an uncompressed tar whose sha256 is its diff id:
 * the plain blob the store kept, or the tar the store gives back (checked).
 */
async function writeLayerTar(
  store: ImageStore,
  layer: Descriptor,
  chainId: string,
  to: string,
  place: (from: string, to: string) => void,
): Promise<void> {
  if (layer.digest === store.layerRecord(chainId)?.diffId && store.blobs.has(layer.digest)) {
    place(store.blobs.path(layer.digest), to);
    return;
  }
  await pipeline(layerTar(store, chainId), fs.createWriteStream(to));
}
