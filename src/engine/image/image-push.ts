import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { compressionOf, gzipStream, tap } from './decompress.js';
import type { ImageRecord, ImageStore } from './image-store.js';
import type { LayerForm } from './layer-record.js';
import { layerTar } from './layer-tar.js';
import type { Compression } from './manifest.js';
import { type Descriptor, type ImageManifest, layerMediaTypeIn, MediaType } from './manifest.js';
import { mounted, type PushOptions } from './push.js';
import { type ImageReference, parseReference, referenceTarget } from './reference.js';
import { RegistryClient } from './registry-client.js';

/** Where a push goes, and what it may mount from. */
interface PushTarget {
  store: ImageStore;
  client: RegistryClient;
  ref: ImageReference;
  /** Repositories of the target registry that hold the image's blobs as its manifest names them. */
  mountFrom: string[];
}

/**
 * Pushes an image of the store to `target`. Its config and manifest go as
 * stored; each layer goes as the cheapest blob that holds it:
 *
 * 1. one the registry has (HEAD) or mounts from a repository of its own the
 *    store knows holds it (where it was pulled from or pushed to), for the
 *    blob the manifest names and then for any other the store has noted;
 * 2. else the blob the store kept, uploaded;
 * 3. else the layer's tar, rebuilt from its unpacked files (checked against
 *    its diff id), gzip-compressed anew (a plain layer stays plain) and
 *    uploaded. That blob is not the one the manifest names, so the pushed
 *    manifest names it instead and has another digest, as with `docker push`.
 *
 * Returns the digest of the manifest pushed.
 */
export async function pushStoredImage(
  store: ImageStore,
  record: ImageRecord,
  target: string,
  options: PushOptions = {},
): Promise<{ digest: string }> {
  const ref = parseReference(target);
  const push: PushTarget = { store, client: new RegistryClient(ref.registry, options), ref, mountFrom: options.mountFrom ?? [] };
  const bytes = store.blobs.read(record.manifestDigest);
  const manifest = JSON.parse(bytes.toString('utf8')) as ImageManifest;
  const config = manifest.config.digest;
  // The config went wherever its layers went: the repositories there that hold them may have it to mount.
  const withLayers = record.chainIds.flatMap((c) => store.layerRecord(c)?.forms.flatMap((f) => f.sources) ?? []);
  const configFrom = [...push.mountFrom, ...withLayers.flatMap((s) => repositoryAt(s, ref.registry))];
  if (!(await present(push, config, configFrom))) await upload(push, config, store.blobs.path(config));
  const settled = await Promise.allSettled(manifest.layers.map((desc, i) => pushLayer(push, manifest, desc, record.chainIds[i] ?? '')));
  const failed = settled.find((s) => s.status === 'rejected');
  if (failed) throw failed.reason;
  const layers = settled.map((s, i) => (s.status === 'fulfilled' ? s.value : (manifest.layers[i] as Descriptor)));
  const same = layers.every((layer, i) => layer === manifest.layers[i]);
  const pushed = same ? bytes : Buffer.from(JSON.stringify({ ...manifest, layers }));
  const digest = await push.client.putManifest(ref.repository, referenceTarget(ref), pushed, manifest.mediaType ?? MediaType.ociManifest);
  return { digest };
}

/** Pushes one layer (see {@link pushStoredImage}); returns its descriptor in the pushed manifest. */
async function pushLayer(push: PushTarget, manifest: ImageManifest, desc: Descriptor, chainId: string): Promise<Descriptor> {
  const { store } = push;
  for (const form of candidates(push, manifest, desc, chainId)) {
    const mountFrom = form.sources.flatMap((s) => repositoryAt(s, push.ref.registry));
    if (await present(push, form.digest, form.digest === desc.digest ? [...push.mountFrom, ...mountFrom] : mountFrom)) {
      return noted(push, manifest, desc, chainId, form);
    }
  }
  if (store.blobs.has(desc.digest)) {
    await upload(push, desc.digest, store.blobs.path(desc.digest));
    return noted(push, manifest, desc, chainId, { digest: desc.digest, size: desc.size, sources: [] });
  }
  const rebuilt = await rebuiltBlob(store, chainId, compressionOf(desc.mediaType) === 'none' ? 'none' : 'gzip');
  try {
    await upload(push, rebuilt.digest, rebuilt.path);
  } finally {
    fs.rmSync(rebuilt.path, { force: true });
  }
  const form = { digest: rebuilt.digest, mediaType: layerMediaTypeIn(manifest.mediaType, rebuilt.compression), size: rebuilt.size };
  return noted(push, manifest, desc, chainId, { ...form, sources: [] });
}

/**
 * The blobs known to hold the layer that the manifest can name: the one it
 * names first, then others the store noted (with a media type that fits the
 * manifest).
 */
function candidates(push: PushTarget, manifest: ImageManifest, desc: Descriptor, chainId: string): LayerForm[] {
  const forms = push.store.layerRecord(chainId)?.forms ?? [];
  const own = forms.find((f) => f.digest === desc.digest) ?? { digest: desc.digest, size: desc.size, sources: [] };
  const others = forms.filter((f) => f.digest !== desc.digest && mediaTypeIn(manifest, f) !== undefined);
  return [own, ...others];
}

/** The media type `form` has in `manifest`, if it can have one there. */
function mediaTypeIn(manifest: ImageManifest, form: LayerForm): string | undefined {
  try {
    return form.mediaType === undefined ? undefined : layerMediaTypeIn(manifest.mediaType, compressionOf(form.mediaType));
  } catch {
    return undefined; // A media type Berth does not know.
  }
}

/**
 * Notes that the target repository holds `form` now, and returns the
 * descriptor that names it: `desc` itself, or one for the other blob.
 */
function noted(push: PushTarget, manifest: ImageManifest, desc: Descriptor, chainId: string, form: LayerForm): Descriptor {
  push.store.recordLayerForm(chainId, { ...form, sources: [`${push.ref.registry}/${push.ref.repository}`] });
  if (form.digest === desc.digest) return desc;
  const mediaType = mediaTypeIn(manifest, form) ?? desc.mediaType;
  return { mediaType, digest: form.digest, size: form.size, ...(desc.annotations ? { annotations: desc.annotations } : {}) };
}

/** Whether the target repository has the blob, or now has it mounted from one of `mountFrom`. */
async function present(push: PushTarget, digest: string, mountFrom: string[]): Promise<boolean> {
  const { client, ref } = push;
  return (await client.hasBlob(ref.repository, digest)) || (await mounted(client, ref.repository, digest, [...new Set(mountFrom)]));
}

async function upload(push: PushTarget, digest: string, path: string): Promise<void> {
  await push.client.uploadBlob(push.ref.repository, digest, () => fs.createReadStream(path), fs.statSync(path).size);
}

/** The repository part of `registry/repository` when it is on `registry`. */
function repositoryAt(source: string, registry: string): string[] {
  return source.startsWith(`${registry}/`) ? [source.slice(registry.length + 1)] : [];
}

/**
 * The layer's tar rebuilt (and checked) from the store, compressed as asked,
 * in a temporary file of the store's (the caller removes it): its digest
 * must be known before the upload starts.
 */
async function rebuiltBlob(
  store: ImageStore,
  chainId: string,
  compression: Compression,
): Promise<{ path: string; digest: string; size: number; compression: Compression }> {
  const path = store.blobs.tempPath('push');
  const hash = createHash('sha256');
  let size = 0;
  const tar = layerTar(store, chainId);
  try {
    const blob = compression === 'gzip' ? gzipStream(tar) : tar;
    await pipeline(
      tap(blob, hash, (chunk) => {
        size += chunk.length;
      }),
      fs.createWriteStream(path),
    );
  } catch (error) {
    fs.rmSync(path, { force: true });
    throw error;
  }
  return { path, digest: `sha256:${hash.digest('hex')}`, size, compression };
}
