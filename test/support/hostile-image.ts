import * as fs from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { create } from 'tar';
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
