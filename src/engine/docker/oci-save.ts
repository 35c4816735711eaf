import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import { join } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { ArchiveError, DigestMismatchError } from '../../errors.js';
import { planDockerArchive } from '../image/archive/docker-archive.js';
import { memberName, SpooledMembers } from '../image/archive/members.js';
import { imageDescriptor, indexEntries, writeLayoutFiles } from '../image/archive/oci-layout.js';
import { blobMember, type LayerJob, type PlannedImage } from '../image/archive/plan.js';
import { sha256Digest } from '../image/blob-store.js';
import { type Descriptor, MediaType } from '../image/manifest.js';
import { readTar } from '../image/tar-reader.js';

/**
 * Writes the images of a docker-archive (what a daemon's `GET /images/get`
 * streams) as an OCI image layout into the empty directory `dir`: each
 * config as it is (its digest stays the image id), each layer as the plain
 * tar the daemon gave (named by its diff id, checked), an OCI manifest per
 * image and an `index.json` naming it by its tags, as the local engine's
 * save without kept blobs writes it. Members are spooled under `spool` until
 * the archive's `manifest.json` (last in Docker's archives) says what they
 * are. Returns the member names, metadata first.
 */
export async function writeOciFromDockerArchive(archive: AsyncIterable<Buffer>, dir: string, spool: string): Promise<string[]> {
  const members = new SpooledMembers(spool);
  try {
    for await (const { entry, body } of readTar(archive)) {
      const name = memberName(entry.path);
      if (entry.type === 'symlink' || entry.type === 'hardlink') members.link(name, entry.type, entry.linkpath);
      if (entry.type === 'file') await members.keep(name, entry.size, body);
    }
    const plan = planDockerArchive(members);
    fs.mkdirSync(join(dir, 'blobs', 'sha256'), { recursive: true });
    const layers = new Map<string, Descriptor>();
    for (const job of plan.jobs) layers.set(job.chainId, await writeLayer(members.open(job.member), job, dir));
    const index: Descriptor[] = [];
    const metadata: string[] = [];
    for (const image of plan.images) {
      const manifest = writeManifest(image, layers, dir);
      index.push(...indexEntries(manifest, image.tags));
      metadata.push(blobMember(image.id), blobMember(manifest.digest));
    }
    return [...writeLayoutFiles(dir, index), ...metadata, ...[...layers.values()].map((l) => blobMember(l.digest))];
  } finally {
    members.dispose();
  }
}

/** Copies a layer member to its blob, checking that it is the plain tar its diff id names. */
async function writeLayer(source: NodeJS.ReadableStream, job: LayerJob, dir: string): Promise<Descriptor> {
  const to = join(dir, blobMember(job.diffId));
  const hash = createHash('sha256');
  let size = 0;
  const count = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      hash.update(chunk);
      size += chunk.length;
      done(null, chunk);
    },
  });
  await pipeline(source, count, fs.createWriteStream(to));
  const digest = `sha256:${hash.digest('hex')}`;
  if (digest !== job.diffId) {
    fs.rmSync(to, { force: true });
    throw new DigestMismatchError(job.diffId, digest, `layer ${job.member} the daemon saved`);
  }
  return { mediaType: MediaType.ociLayerTar, digest, size };
}

/** Writes an image's config and OCI manifest blobs; returns the manifest's index descriptor. */
function writeManifest(image: PlannedImage, layers: Map<string, Descriptor>, dir: string): Descriptor {
  fs.writeFileSync(join(dir, blobMember(image.id)), image.configBytes);
  const config = { mediaType: MediaType.ociConfig, digest: image.id, size: image.configBytes.length };
  const manifest = {
    schemaVersion: 2,
    mediaType: MediaType.ociManifest,
    config,
    layers: image.layers.map((job) => {
      const layer = layers.get(job.chainId);
      if (!layer) throw new ArchiveError(`layer ${job.diffId} of image ${image.id} is missing from the daemon's archive`);
      return layer;
    }),
  };
  const bytes = Buffer.from(JSON.stringify(manifest));
  const digest = sha256Digest(bytes);
  fs.writeFileSync(join(dir, blobMember(digest)), bytes);
  return imageDescriptor(image.config, MediaType.ociManifest, digest, bytes.length);
}
