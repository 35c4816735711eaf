import * as fs from 'node:fs';
import { join } from 'node:path';
import type { PruneResult } from '../api/index.js';
import { digestHex } from '../paths.js';
import { treeSize } from '../state/files.js';
import { pidExists } from '../state/process-identity.js';
import type { ImageRecord, ImageStore } from './image-store.js';
import type { ImageManifest } from './manifest.js';

/** Blobs (digests) and unpacked layers (chain ids) an operation added to the store. */
export interface StoreAdditions {
  blobs: Set<string>;
  layers: Set<string>;
}

/** An empty {@link StoreAdditions} to collect into. */
export function storeAdditions(): StoreAdditions {
  return { blobs: new Set(), layers: new Set() };
}

/**
 * Removes unpacked layers and blobs that no image record and no container
 * (`inUse` chain ids) references, and staging left by dead processes. The
 * caller holds the store's exclusive lock, so no pull is publishing meanwhile.
 */
export function pruneStore(store: ImageStore, inUse: Iterable<string>): PruneResult {
  const keep = referenced(store, inUse);
  const result: PruneResult = { layersRemoved: 0, blobsRemoved: 0, stagingRemoved: 0, bytesFreed: 0 };
  for (const hex of fs.readdirSync(store.paths.layers)) {
    if (/^[a-f0-9]{64}$/.test(hex)) removeLayer(store, `sha256:${hex}`, keep, result);
  }
  for (const digest of store.blobs.list()) removeBlob(store, digest, keep, result);
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
 * Takes back what a failed operation (a pull) added: those of `added` that
 * no image record and no container (`inUse` chain ids) references. Under the
 * store's exclusive lock, as a prune: an operation that shares a layer with
 * the failed one has registered its image by then.
 */
export function takeBack(store: ImageStore, inUse: Iterable<string>, added: StoreAdditions): PruneResult {
  const keep = referenced(store, inUse);
  const result: PruneResult = { layersRemoved: 0, blobsRemoved: 0, stagingRemoved: 0, bytesFreed: 0 };
  for (const chainId of added.layers) removeLayer(store, chainId, keep, result);
  for (const digest of added.blobs) removeBlob(store, digest, keep, result);
  return result;
}

/** The layers and blobs images and containers use. */
function referenced(store: ImageStore, inUse: Iterable<string>): { layers: Set<string>; blobs: Set<string> } {
  const layers = new Set<string>(inUse);
  const blobs = new Set<string>();
  for (const image of store.list()) {
    for (const c of image.chainIds) layers.add(c);
    blobs.add(image.id).add(image.manifestDigest);
    if (!store.blobs.has(image.manifestDigest)) continue;
    for (const layer of store.blobs.readJson<ImageManifest>(image.manifestDigest).layers ?? []) blobs.add(layer.digest);
  }
  return { layers, blobs };
}

function removeLayer(store: ImageStore, chainId: string, keep: { layers: Set<string> }, result: PruneResult): void {
  const dir = join(store.paths.layers, digestHex(chainId));
  if (keep.layers.has(chainId) || !fs.existsSync(dir)) return;
  result.bytesFreed += treeSize(dir);
  fs.rmSync(dir, { recursive: true, force: true });
  result.layersRemoved++;
}

function removeBlob(store: ImageStore, digest: string, keep: { blobs: Set<string> }, result: PruneResult): void {
  if (keep.blobs.has(digest) || !store.blobs.has(digest)) return;
  result.bytesFreed += fs.statSync(store.blobs.path(digest)).size;
  store.blobs.remove(digest);
  result.blobsRemoved++;
}

/**
 * Removes one image record and, of its layers and blobs, those no other
 * image and no container (`inUse` chain ids) references: a prune of that
 * image alone, cheap enough for the end of a process. The caller holds the
 * store's exclusive lock.
 */
export function dropImage(store: ImageStore, record: ImageRecord, inUse: Iterable<string>): void {
  const layerBlobs = store.blobs.has(record.manifestDigest)
    ? (store.blobs.readJson<ImageManifest>(record.manifestDigest).layers ?? []).map((l) => l.digest)
    : [];
  store.remove(record.id);
  takeBack(store, inUse, { layers: new Set(record.chainIds), blobs: new Set([record.id, record.manifestDigest, ...layerBlobs]) });
}
