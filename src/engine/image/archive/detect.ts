import * as fs from 'node:fs';
import { ArchiveError } from '../../../errors.js';
import type { ArchiveFormat } from '../../api/index.js';
import { planDockerArchive } from './docker-archive.js';
import { type ArchiveMembers, MissingMemberError } from './members.js';
import { planOciLayout } from './oci-layout.js';
import type { ArchivePlan } from './plan.js';

const ARCHIVE_FORMATS = ['oci-dir', 'oci-archive', 'docker-archive'] as const satisfies readonly ArchiveFormat[];

/** `format`, checked: callers without the types may pass anything. */
export function checkFormat(format: string): ArchiveFormat {
  const known = ARCHIVE_FORMATS.find((f) => f === format);
  if (!known) throw new ArchiveError(`unknown image archive format "${format}"`, { hint: `use one of ${ARCHIVE_FORMATS.join(', ')}` });
  return known;
}

/** Turns the members of an archive into the images it holds. */
export type Planner = (members: ArchiveMembers) => ArchivePlan;

/**
 * The planner for a format, or (none given) one that tells the format by
 * the members: `manifest.json` makes a docker-archive (newer Docker writes
 * an OCI layout beside it, but its tags are in manifest.json), `oci-layout`
 * alone an OCI layout. Asked while a tar is still being read, it reports a
 * member it lacks so far as {@link MissingMemberError}.
 */
export function plannerFor(format: ArchiveFormat | undefined): Planner {
  if (format !== undefined) return checkFormat(format) === 'docker-archive' ? planDockerArchive : planOciLayout;
  return (members) => {
    if (members.bytes('manifest.json')) return planDockerArchive(members);
    if (members.bytes('oci-layout')) return planOciLayout(members);
    throw new MissingMemberError('manifest.json', 'holds neither manifest.json (docker-archive) nor oci-layout (OCI layout)');
  };
}

/** Whether `source` is a directory (an OCI layout) rather than a tar file. */
export function isDirectory(source: string): boolean {
  try {
    return fs.statSync(source).isDirectory();
  } catch (error) {
    throw new ArchiveError(`cannot read image archive ${source}: ${(error as Error).message}`, {
      cause: error,
      hint: 'check the path: it must be an archive file or an OCI layout directory',
    });
  }
}
