/** Throwaway engine stores for tests that need an empty one, removed after the file's tests. */
import * as fs from 'node:fs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import type { BerthConfig } from '../../src/index.js';
import { LocalEngine } from '../../src/index.js';

/** No mirrors and no extra insecure registries, whatever the machine's config says. */
export const PLAIN_CONFIG: BerthConfig = { insecureRegistries: [], registryMirrors: {} };

/**
 * `root()` makes a new empty store dir (named `berth-<prefix>-…`), and
 * `engine(config)` an engine on one; all of them are removed after the
 * calling file's tests.
 */
export function scratchStores(prefix: string): { root: () => string; engine: (config?: BerthConfig) => LocalEngine } {
  const roots: string[] = [];
  afterAll(() => {
    for (const root of roots) fs.rmSync(root, { recursive: true, force: true });
  });
  const root = (): string => {
    const dir = mkdtempSync(join(tmpdir(), `berth-${prefix}-`));
    roots.push(dir);
    return dir;
  };
  return { root, engine: (config = PLAIN_CONFIG) => new LocalEngine({ root: root(), config }) };
}
