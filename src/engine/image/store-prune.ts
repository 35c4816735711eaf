import * as fs from 'node:fs';
import { join } from 'node:path';
import { digestHex } from '../paths.js';
import { treeSize } from '../state/files.js';
import { pidExists } from '../state/process-identity.js';
import type { ImageRecord, ImageStore } from './image-store.js';
import type { ImageManifest } from './manifest.js';

/** What a prune removed. */
export interface PruneResult {
  layersRemoved: number;
  blobsRemoved: number;
  stagingRemoved: number;
  bytesFreed: number;
}

/**
 * Removes unpacked layers and blobs that no image record and no container
 * (`inUse` chain ids) references, and staging left by dead processes. The
 * caller holds the store's exclusive lock, so no pull is publishing meanwhile.
 */
export function pruneStore(store: ImageStore, inUse: Iterable<string>): PruneResult {
  const { keepLayers, keepBlobs } = referenced(store, store.list(), inUse);
  const result: PruneResult = { layersRemoved: 0, blobsRemoved: 0, stagingRemoved: 0, bytesFreed: 0 };
  for (const hex of fs.readdirSync(store.paths.layers)) {
    if (!/^[a-f0-9]{64}$/.test(hex) || keepLayers.has(`sha256:${hex}`)) continue;
    result.bytesFreed += treeSize(join(store.paths.layers, hex));
    fs.rmSync(join(store.paths.layers, hex), { recursive: true, force: true });
    result.layersRemoved++;
  }
  for (const digest of store.blobs.list()) {
    if (keepBlobs.has(digest)) continue;
    result.bytesFreed += fs.statSync(store.blobs.path(digest)).size;
    store.blobs.remove(digest);
    result.blobsRemoved++;
  }
  for (const name of fs.readdirSync(store.paths.tmp)) {
    const pid = Number(/^[a-z]+-(\d+)-/.exec(name)?.[1]);
    if (pid && pid !== process.pid && pidExists(pid)) continue;
    if (pid === process.pid) continue;
    fs.rmSync(join(store.paths.tmp, name), { recursive: true, force: true });
    result.stagingRemoved++;
  }
  return result;
}

/**
 * Removes one image record and, of its layers and blobs, those no other
 * image and no container (`inUse` chain ids) references: a prune of that
 * image alone, cheap enough for the end of a process. The caller holds the
 * store's exclusive lock.
 */
export function dropImage(store: ImageStore, record: ImageRecord, inUse: Iterable<string>): void {
  store.remove(record.id);
  const own = referenced(store, [record], []);
  const { keepLayers, keepBlobs } = referenced(store, store.list(), inUse);
  for (const chainId of own.keepLayers) {
    if (!keepLayers.has(chainId)) fs.rmSync(join(store.paths.layers, digestHex(chainId)), { recursive: true, force: true });
  }
  for (const digest of own.keepBlobs) {
    if (!keepBlobs.has(digest)) store.blobs.remove(digest);
  }
}

/** The layers and blobs `images` and the containers' chain ids `inUse` reference. */
function referenced(
  store: ImageStore,
  images: ImageRecord[],
  inUse: Iterable<string>,
): { keepLayers: Set<string>; keepBlobs: Set<string> } {
  const keepLayers = new Set<string>(inUse);
  const keepBlobs = new Set<string>();
  for (const image of images) {
    for (const c of image.chainIds) keepLayers.add(c);
    keepBlobs.add(image.id).add(image.manifestDigest);
    if (!store.blobs.has(image.manifestDigest)) continue;
    for (const layer of store.blobs.readJson<ImageManifest>(image.manifestDigest).layers ?? []) keepBlobs.add(layer.digest);
  }
  return { keepLayers, keepBlobs };
}
