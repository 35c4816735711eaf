import type { ImageConfig, ImportOptions } from '../api/index.js';
import { DEFAULT_PATH } from '../container/command.js';
import type { ImageRecord, ImageStore } from './image-store.js';
import { writeImage } from './image-writer.js';
import { ingestLayer } from './layer-ingest.js';
import { hostPlatform, MediaType } from './manifest.js';
import { formatReference, parseReference } from './reference.js';

/**
 * Imports a rootfs tarball as a one-layer image tagged `reference`, like
 * `docker import`. The image's manifest names the tarball as given (plain or
 * gzip) as its layer, which is stored like a pulled one, so the image can be
 * pushed or saved like a pulled one.
 */
export async function importImage(
  store: ImageStore,
  source: AsyncIterable<Buffer>,
  reference: string,
  options: ImportOptions = {},
): Promise<ImageRecord> {
  const name = formatReference(parseReference(reference));
  const { gzip, stream } = await sniffGzip(source, options.gzip);
  const media = gzip ? MediaType.ociLayerGzip : MediaType.ociLayerTar;
  const layer = await ingestLayer(store, stream, { compression: gzip ? 'gzip' : 'none', mediaType: media, chainId: (diffId) => diffId });
  return writeImage(
    store,
    {
      config: imageConfig(layer.diffId, options),
      layers: [{ mediaType: media, digest: layer.digest, size: layer.size }],
      chainIds: [layer.chainId],
      size: layer.size,
    },
    name,
  );
}

function imageConfig(diffId: string, options: ImportOptions): ImageConfig {
  const platform = hostPlatform();
  const created = new Date().toISOString();
  return {
    architecture: platform.architecture,
    os: platform.os,
    created,
    config: {
      Env: options.env ?? [`PATH=${DEFAULT_PATH}`],
      ...(options.cmd ? { Cmd: options.cmd } : {}),
      ...(options.entrypoint ? { Entrypoint: options.entrypoint } : {}),
      ...(options.workingDir ? { WorkingDir: options.workingDir } : {}),
      ...(options.volumes ? { Volumes: Object.fromEntries(options.volumes.map((v) => [v, {}])) } : {}),
      ...(options.healthcheck ? { Healthcheck: options.healthcheck } : {}),
    },
    rootfs: { type: 'layers', diff_ids: [diffId] },
    history: [{ created, created_by: 'berth import' }],
  };
}

/** Peeks at the first chunk to tell gzip (1f 8b) from a plain tar. */
async function sniffGzip(
  source: AsyncIterable<Buffer>,
  forced: boolean | undefined,
): Promise<{ gzip: boolean; stream: AsyncIterable<Buffer> }> {
  const it = source[Symbol.asyncIterator]();
  const first = await it.next();
  const head = first.done ? Buffer.alloc(0) : Buffer.from(first.value);
  const gzip = forced ?? (head[0] === 0x1f && head[1] === 0x8b);
  async function* replay(): AsyncGenerator<Buffer> {
    if (head.length > 0) yield head;
    for (let next = await it.next(); !next.done; next = await it.next()) yield Buffer.from(next.value);
  }
  return { gzip, stream: replay() };
}
