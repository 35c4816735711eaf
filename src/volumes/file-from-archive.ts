import * as fs from 'node:fs';
import { readTar } from '../engine/image/tar-reader.js';
import { ContainerPathError } from '../errors.js';

/**
 * Writes the single regular file a {@link archivePath} stream holds to
 * `hostPath` (created or truncated, with the file's permission bits);
 * anything but a regular file is a {@link ContainerPathError}.
 */
export async function writeFileFromArchive(path: string, tar: AsyncIterable<Buffer>, hostPath: string): Promise<void> {
  for await (const { entry, body } of readTar(tar)) {
    if (entry.type !== 'file') throw new ContainerPathError(path, `is a ${entry.type}, not a regular file`);
    const fd = fs.openSync(hostPath, 'w', entry.mode & 0o777);
    try {
      for await (const chunk of body) fs.writeSync(fd, chunk);
      fs.fchmodSync(fd, entry.mode & 0o777);
    } finally {
      fs.closeSync(fd);
    }
    return;
  }
  throw new ContainerPathError(path, 'the archive is empty');
}
