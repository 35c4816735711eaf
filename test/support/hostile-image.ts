import * as fs from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { create } from 'tar';
import { sha256Digest } from '../../src/engine/image/blob-store.js';
import { type Descriptor, hostPlatform, MediaType } from '../../src/engine/image/manifest.js';
import { pushOciLayout } from '../../src/engine/image/push.js';
import type { ImageSummary } from '../../src/index.js';
import { getEngine } from '../../src/index.js';
import { writeBusyboxRootfs } from './busybox-rootfs.js';

/** What to add to a busybox rootfs. */
export interface ImageExtras {
  /** Symlinks to plant, e.g. `{ data: '/../../etc' }` (name relative to /). */
  symlinks?: Record<string, string>;
  /** Files to add (name relative to /). */
  files?: Record<string, string>;
  /** The image config's VOLUME paths. */
  volumes?: string[];
}

/**
 * Imports a busybox image with extra entries, such as symlinks that point
 * out of the rootfs, as a hostile image would carry them.
 */
export async function hostileImage(reference: string, extras: ImageExtras): Promise<ImageSummary> {
  const dir = fs.mkdtempSync(join(tmpdir(), 'berth-hostile-'));
  try {
    writeBusyboxRootfs(dir);
    for (const [name, target] of Object.entries(extras.symlinks ?? {})) fs.symlinkSync(target, join(dir, name));
    for (const [name, content] of Object.entries(extras.files ?? {})) {
      fs.mkdirSync(dirname(join(dir, name)), { recursive: true });
      fs.writeFileSync(join(dir, name), content);
    }
    const tar = create({ cwd: dir, portable: false }, ['.']) as unknown as AsyncIterable<Buffer>;
    return await getEngine().importImage(tar, reference, { cmd: ['sh'], ...(extras.volumes ? { volumes: extras.volumes } : {}) });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Pushes an image made of these uncompressed layer tars (bottom-most first),
 * as they are, to `target` on a registry: a hostile layer reaches the
 * engine through a real pull, past every check a build would make.
 */
export async function pushRawLayers(target: string, layers: Buffer[]): Promise<void> {
  const dir = fs.mkdtempSync(join(tmpdir(), 'berth-raw-image-'));
  try {
    const blobs = join(dir, 'blobs', 'sha256');
    fs.mkdirSync(blobs, { recursive: true });
    const put = (mediaType: string, bytes: Buffer): Descriptor => {
      const digest = sha256Digest(bytes);
      fs.writeFileSync(join(blobs, digest.slice(7)), bytes);
      return { mediaType, digest, size: bytes.length };
    };
    const diffIds = layers.map((tar) => sha256Digest(tar));
    const config = put(
      MediaType.ociConfig,
      Buffer.from(JSON.stringify({ ...hostPlatform(), rootfs: { type: 'layers', diff_ids: diffIds } })),
    );
    const manifest = {
      schemaVersion: 2,
      mediaType: MediaType.ociManifest,
      config,
      layers: layers.map((tar) => put(MediaType.ociLayerTar, tar)),
    };
    const index = { schemaVersion: 2, manifests: [put(MediaType.ociManifest, Buffer.from(JSON.stringify(manifest)))] };
    fs.writeFileSync(join(dir, 'index.json'), JSON.stringify(index));
    await pushOciLayout(dir, target);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
