import { createHash, randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import { join } from 'node:path';
import { DigestMismatchError } from '../../errors.js';
import { digestHex } from '../paths.js';

/** sha256 of some bytes, as an OCI digest string. */
export function sha256Digest(bytes: Buffer | string): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

/**
 * Content-addressed blobs (manifests, configs, compressed layers) stored as
 * `<dir>/<hex>`. A blob appears only complete and verified: it is written to
 * a temporary file beside the target and renamed into place.
 */
export class BlobStore {
  constructor(
    readonly dir: string,
    readonly tmpDir: string,
  ) {}

  path(digest: string): string {
    return join(this.dir, digestHex(digest));
  }

  has(digest: string): boolean {
    return fs.existsSync(this.path(digest));
  }

  read(digest: string): Buffer {
    return fs.readFileSync(this.path(digest));
  }

  readJson<T>(digest: string): T {
    return JSON.parse(this.read(digest).toString('utf8')) as T;
  }

  /** Stores bytes under `digest` after checking they hash to it; returns whether they were new to the store. */
  put(digest: string, bytes: Buffer): boolean {
    const actual = sha256Digest(bytes);
    if (actual !== digest) throw new DigestMismatchError(digest, actual, 'blob');
    if (this.has(digest)) return false;
    const tmp = this.tempPath();
    try {
      fs.writeFileSync(tmp, bytes);
      fs.renameSync(tmp, this.path(digest));
    } catch (e) {
      fs.rmSync(tmp, { force: true });
      throw e;
    }
    return true;
  }

  /** A fresh path in the staging dir, on the same filesystem as the store. */
  tempPath(prefix = 'blob'): string {
    return join(this.tmpDir, `${prefix}-${process.pid}-${randomBytes(6).toString('hex')}`);
  }

  /** Moves a verified temporary file into place (a concurrent writer may have won; both are equal). */
  commit(tmp: string, digest: string): void {
    fs.renameSync(tmp, this.path(digest));
  }

  remove(digest: string): void {
    fs.rmSync(this.path(digest), { force: true });
  }

  list(): string[] {
    return fs
      .readdirSync(this.dir)
      .filter((f) => /^[a-f0-9]{64}$/.test(f))
      .map((hex) => `sha256:${hex}`);
  }
}
