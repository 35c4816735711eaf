import { createHash } from 'node:crypto';
import { join } from 'node:path';
import type { ContainerInfo, Engine } from '../engine/api/index.js';
import { hostRunDir } from '../engine/paths.js';
import { withFileLock } from '../engine/state/file-lock.js';

/** The label that marks a reusable container with the hash of its configuration. */
export const REUSE_LABEL = 'berth.reuse-hash';

/**
 * The hash a reusable container is found by: sha256 of its whole
 * configuration in a canonical form (object keys sorted), so two builders
 * that would make the same container share it, and any difference does not.
 */
export function reuseHash(configuration: unknown): string {
  return createHash('sha256').update(canonicalJson(configuration)).digest('hex');
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/**
 * Returns the container (running or stopped) labelled with `hash`, or the one `start`
 * makes. Find-or-start holds a file lock per hash, so parallel processes
 * (vitest workers) asking at once end up with one container.
 */
export async function findOrStart<T>(
  engine: Engine,
  hash: string,
  found: (info: ContainerInfo) => Promise<T>,
  start: () => Promise<T>,
): Promise<T> {
  // Host-wide, not per state root: a reused container is found by its label through whichever engine.
  return withFileLock(join(hostRunDir(), 'locks'), `reuse-${hash.slice(0, 32)}`, async () => {
    // Stopped ones too: a stopped reusable container is started again, not replaced (its name would clash).
    const [existing] = await engine.listContainers({ all: true, labels: { [REUSE_LABEL]: hash } });
    return existing ? found(existing) : start();
  });
}
