import * as fs from 'node:fs';
import { dirname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { ArchiveError } from '../../errors.js';
import type { ArchiveFormat } from '../api/index.js';
import { archiveEntries } from '../image/archive/archive-file.js';
import { familiar } from '../image/archive/docker-archive.js';
import { DirectoryMembers, memberName } from '../image/archive/members.js';
import { planOciLayout } from '../image/archive/oci-layout.js';
import { blobMember } from '../image/archive/plan.js';
import { linkOrCopy } from '../image/archive/save.js';

/**
 * Makes, in the empty directory `staging`, a docker-archive of the images of
 * the OCI layout `layout`, for daemons that load only that (Docker before
 * 25): the layout's config and layer blobs as they are (linked where the
 * filesystem allows; a compressed layer is fine, the daemon decompresses
 * it) and a `manifest.json` naming them with the tags of the layout's
 * annotations. The layout is checked first as the local engine's load
 * checks it (digests of manifests and configs, no symbolic links, this
 * machine's platform of an index). Returns the member names to tar.
 */
export function dockerArchiveFromLayout(layout: string, staging: string): string[] {
  const plan = planOciLayout(new DirectoryMembers(layout));
  fs.mkdirSync(join(staging, 'blobs', 'sha256'), { recursive: true });
  const blobs = new Set<string>();
  const entries = plan.images.map((image) => {
    const layers = image.layers.map((job) => job.member);
    for (const member of [blobMember(image.id), ...layers]) blobs.add(member);
    return { Config: blobMember(image.id), RepoTags: image.tags.length > 0 ? image.tags.map(familiar) : null, Layers: layers };
  });
  for (const member of blobs) linkOrCopy(join(layout, member), join(staging, member));
  fs.writeFileSync(join(staging, 'manifest.json'), JSON.stringify(entries));
  return ['manifest.json', ...blobs];
}

/**
 * The format of an archive file, told by its members as the local engine's
 * load tells it: `manifest.json` makes a docker-archive (which newer Docker
 * writes beside an OCI layout), `oci-layout` alone an oci-archive.
 */
export async function archiveFormat(source: string): Promise<ArchiveFormat> {
  let layout = false;
  for await (const { entry } of archiveEntries(source)) {
    const name = memberName(entry.path);
    if (name === 'manifest.json') return 'docker-archive';
    layout ||= name === 'oci-layout';
  }
  if (layout) return 'oci-archive';
  throw new ArchiveError(`${source} holds neither manifest.json (docker-archive) nor oci-layout (OCI layout)`, {
    hint: 'load an archive made by docker save, skopeo or Berth',
  });
}

/** Writes the regular files of an archive (plain, gzip or zstd) into `dir`; links and other kinds are left out. */
export async function extractArchive(source: string, dir: string): Promise<void> {
  for await (const { entry, body } of archiveEntries(source)) {
    if (entry.type !== 'file') continue;
    const to = join(dir, memberName(entry.path));
    fs.mkdirSync(dirname(to), { recursive: true });
    await pipeline(body, fs.createWriteStream(to));
  }
}
