/** Reads the fixture images' OCI layouts (as test/fixtures/build-images.sh left them). */
import * as fs from 'node:fs';
import { join } from 'node:path';
import type { ImageIndex, ImageManifest } from '../../src/engine/image/manifest.js';

/** Where build-images.sh leaves the layouts (same default as the script). */
export const FIXTURE_CACHE = process.env.BERTH_FIXTURE_CACHE ?? '/var/cache/berth-fixtures';

/** A blob of fixture `name`'s layout, parsed as JSON. */
export function fixtureBlob<T>(name: string, digest: string): T {
  return JSON.parse(fs.readFileSync(join(FIXTURE_CACHE, name, 'blobs', 'sha256', digest.slice(7)), 'utf8')) as T;
}

/** The digest of single-platform fixture `name`'s image manifest (what the registry serves for its tag). */
export function fixtureManifestDigest(name: string): string {
  const index = JSON.parse(fs.readFileSync(join(FIXTURE_CACHE, name, 'index.json'), 'utf8')) as ImageIndex;
  const top = index.manifests[0];
  if (!top) throw new Error(`fixture ${name} has an empty index.json`);
  return top.digest;
}

/** The image manifest of single-platform fixture `name`. */
export function fixtureManifest(name: string): ImageManifest {
  return fixtureBlob<ImageManifest>(name, fixtureManifestDigest(name));
}
