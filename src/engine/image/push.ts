import * as fs from 'node:fs';
import { join } from 'node:path';
import { RegistryError } from '../../errors.js';
import { digestHex } from '../paths.js';
import type { ImageIndex, ImageManifest } from './manifest.js';
import { MediaType } from './manifest.js';
import { parseReference, referenceTarget } from './reference.js';
import { RegistryClient, type RegistryClientOptions } from './registry-client.js';

/** A source of blobs by digest (an OCI layout dir, or the local store). */
export interface BlobSource {
  path(digest: string): string;
}

/**
 * Pushes one manifest (or index) and everything it references to `target`
 * (`host[:port]/repo:tag`): blobs the registry already has are skipped, and an
 * index's child manifests are pushed by digest before the index itself.
 */
export async function pushManifest(
  blobs: BlobSource,
  manifestBytes: Buffer,
  mediaType: string,
  target: string,
  options: PushOptions = {},
): Promise<{ digest: string }> {
  const ref = parseReference(target);
  const client = new RegistryClient(ref.registry, options);
  await pushTree(client, ref.repository, blobs, manifestBytes, options.mountFrom ?? []);
  const digest = await client.putManifest(ref.repository, referenceTarget(ref), manifestBytes, mediaType);
  return { digest };
}

async function pushTree(client: RegistryClient, repository: string, blobs: BlobSource, bytes: Buffer, mountFrom: string[]): Promise<void> {
  const doc = JSON.parse(bytes.toString('utf8')) as ImageManifest | ImageIndex;
  if ('manifests' in doc) {
    for (const child of doc.manifests) {
      const childBytes = fs.readFileSync(blobs.path(child.digest));
      await pushTree(client, repository, blobs, childBytes, mountFrom);
      await client.putManifest(repository, child.digest, childBytes, child.mediaType);
    }
    return;
  }
  for (const desc of [doc.config, ...doc.layers]) {
    if (await client.hasBlob(repository, desc.digest)) continue;
    if (await mounted(client, repository, desc.digest, mountFrom)) continue;
    const path = blobs.path(desc.digest);
    await client.uploadBlob(repository, desc.digest, () => fs.createReadStream(path), fs.statSync(path).size);
  }
}

/** Whether the blob could be mounted into `repository` from one of `mountFrom` (on the same registry). */
export async function mounted(client: RegistryClient, repository: string, digest: string, mountFrom: string[]): Promise<boolean> {
  for (const from of mountFrom) {
    if (from !== repository && (await client.mountBlob(repository, digest, from))) return true;
  }
  return false;
}

/** Options of a push. */
export interface PushOptions extends RegistryClientOptions {
  /** Repositories on the same registry that may hold the blobs already (cross-repo mount). */
  mountFrom?: string[];
}

/**
 * Pushes the image of an OCI image layout directory to `target`. With
 * several manifests in the layout, `refName` picks the one annotated with
 * `org.opencontainers.image.ref.name`.
 */
export async function pushOciLayout(
  layoutDir: string,
  target: string,
  options: PushOptions & { refName?: string } = {},
): Promise<{ digest: string }> {
  const blobs: BlobSource = { path: (digest) => join(layoutDir, 'blobs', 'sha256', digestHex(digest)) };
  const index = JSON.parse(fs.readFileSync(join(layoutDir, 'index.json'), 'utf8')) as ImageIndex;
  const desc = options.refName
    ? index.manifests.find((m) => m.annotations?.['org.opencontainers.image.ref.name'] === options.refName)
    : index.manifests[0];
  if (!desc)
    throw new RegistryError(`OCI layout ${layoutDir} has no manifest${options.refName ? ` named ${options.refName}` : ''}`, undefined);
  const bytes = fs.readFileSync(blobs.path(desc.digest));
  return pushManifest(blobs, bytes, desc.mediaType ?? MediaType.ociManifest, target, options);
}
