import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { create } from 'tar';
import { ArchiveError } from '../../../errors.js';
import type { ArchiveFormat } from '../../api/index.js';
import type { ImageStore } from '../image-store.js';
import { checkFormat } from './detect.js';
import { writeDockerArchive } from './docker-archive.js';
import { writeOciLayout } from './oci-layout.js';
import { selectImages } from './saved-image.js';

// Fixed mtime: the same images always make the same archive bytes.
const EPOCH = new Date(0);

/**
 * Saves the images `references` name to `destination` as an OCI layout
 * directory, an oci-archive or a docker-archive, like `docker save` / `skopeo
 * copy`. The result appears by a rename from a temporary name beside
 * `destination`, so a failure leaves nothing there; an existing file is
 * replaced, an existing non-empty directory is refused.
 */
export async function saveArchive(store: ImageStore, references: string[], destination: string, format: ArchiveFormat): Promise<void> {
  checkFormat(format);
  checkDestination(destination);
  const images = selectImages(store, references);
  if (format === 'oci-dir') {
    await publish(destination, async (dir) => {
      fs.mkdirSync(dir);
      await writeOciLayout(store, images, dir, (from, to) => fs.copyFileSync(from, to, fs.constants.COPYFILE_FICLONE));
    });
    return;
  }
  // Staged in the store's tmp (same filesystem as the blobs, which are hardlinked, not copied; rebuilt layers are written there).
  const staging = store.blobs.tempPath('save');
  fs.mkdirSync(staging);
  try {
    const members =
      format === 'oci-archive'
        ? await writeOciLayout(store, images, staging, linkOrCopy)
        : await writeDockerArchive(store, images, staging, linkOrCopy);
    await publish(destination, (file) => create({ file, cwd: staging, portable: true, noDirRecurse: true, mtime: EPOCH }, members));
  } finally {
    fs.rmSync(staging, { recursive: true, force: true });
  }
}

/** Writes to a temporary path beside `destination` with `write`, then renames it into place. */
async function publish(destination: string, write: (path: string) => Promise<void>): Promise<void> {
  const tmp = join(dirname(destination), `.${basename(destination)}.berth-${process.pid}-${randomBytes(4).toString('hex')}.tmp`);
  try {
    await write(tmp);
    fs.renameSync(tmp, destination);
  } catch (error) {
    fs.rmSync(tmp, { recursive: true, force: true });
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOTEMPTY' || code === 'EEXIST' || code === 'EISDIR' || code === 'ENOTDIR') {
      throw new ArchiveError(`cannot save images to ${destination}: something is in the way there (${code})`, {
        cause: error,
        hint: 'an OCI layout goes to a new or empty directory, an archive to a new or existing file: pick another path, or remove what is there',
      });
    }
    if (typeof code === 'string' && code.startsWith('E')) throw unwritable(destination, `${code}: ${(error as Error).message}`, error);
    throw error;
  }
}

/**
 * Refuses, before any image is staged, a destination that cannot be
 * written: a NUL byte, a missing or read-only directory.
 */
function checkDestination(destination: string): void {
  if (typeof destination !== 'string' || destination === '' || destination.includes('\0')) {
    throw unwritable(String(destination), 'the path is empty or contains a NUL byte');
  }
  const dir = dirname(destination);
  try {
    if (!fs.statSync(dir).isDirectory()) throw unwritable(destination, `${dir} is not a directory`);
    fs.accessSync(dir, fs.constants.W_OK);
  } catch (error) {
    if (error instanceof ArchiveError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    throw unwritable(
      destination,
      code === 'ENOENT' ? `the directory ${dir} does not exist` : `the directory ${dir} is not writable (${code})`,
      error,
    );
  }
}

function unwritable(destination: string, detail: string, cause?: unknown): ArchiveError {
  return new ArchiveError(`cannot save images to ${JSON.stringify(destination)}: ${detail}`, {
    ...(cause ? { cause } : {}),
    hint: 'save to a path in an existing, writable directory (create the directory first)',
  });
}

function linkOrCopy(from: string, to: string): void {
  try {
    fs.linkSync(from, to);
  } catch {
    fs.copyFileSync(from, to);
  }
}
