import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import { join } from 'node:path';
import type { ImageRecord, ImageStore } from '../engine/image/image-store.js';
import { withFileLock } from '../engine/state/file-lock.js';

/**
 * The build cache: a content key (the step, its parent's key, for COPY and
 * ADD the checksum of what they take, for RUN the build args in scope)
 * mapped to the image the step made. Entries live in the state root, so
 * every process on the machine shares them; a step is looked up and made
 * under a lock of its key, so two builds of it wait for each other and make
 * it once. An entry whose image was pruned is a miss.
 */
export class BuildCache {
  readonly #dir: string;

  constructor(
    readonly store: ImageStore,
    root: string,
  ) {
    this.#dir = join(root, 'build-cache');
  }

  /** The key of a step: hash of its parent's key and what the step is. */
  static key(parent: string, ...parts: string[]): string {
    return createHash('sha256')
      .update([parent, ...parts].join('\0'))
      .digest('hex');
  }

  /**
   * The image cached for `key`, else the one `make` produces (then cached),
   * all under the key's lock. `noCache` skips the lookup.
   */
  async through(key: string, noCache: boolean, make: () => Promise<ImageRecord>): Promise<{ image: ImageRecord; cached: boolean }> {
    return withFileLock(this.store.paths.locks, `build-${key}`, async () => {
      const hit = noCache ? undefined : this.#lookup(key);
      if (hit) return { image: hit, cached: true };
      const image = await make();
      this.#record(key, image.id);
      return { image, cached: false };
    });
  }

  #lookup(key: string): ImageRecord | undefined {
    try {
      const { image } = JSON.parse(fs.readFileSync(join(this.#dir, key), 'utf8')) as { image: string };
      return this.store.get(image);
    } catch {
      return undefined;
    }
  }

  /** Written aside and renamed: a reader never sees half an entry. */
  #record(key: string, image: string): void {
    fs.mkdirSync(this.#dir, { recursive: true });
    const staging = join(this.#dir, `.${key}.${process.pid}`);
    fs.writeFileSync(staging, JSON.stringify({ image }));
    fs.renameSync(staging, join(this.#dir, key));
  }
}
