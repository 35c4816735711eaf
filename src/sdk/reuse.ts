import { createHash } from 'node:crypto';
import type { ContainerInfo, Engine } from '../engine/api/index.js';
import { ContainerStateError } from '../errors.js';

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
 * makes. Find-or-start holds the engine's reuse lock when it has one (the
 * local engine: a file lock per hash), so parallel processes (vitest
 * workers) asking at once end up with one container. Without it, `start`
 * must name the container ({@link reuseName}): the backend refuses a second
 * of that name, and the loser takes the winner's once it runs.
 */
export async function findOrStart<T>(
  engine: Engine,
  hash: string,
  found: (info: ContainerInfo) => Promise<T>,
  start: () => Promise<T>,
  timeoutMs = 60_000,
): Promise<T> {
  const labels = { [REUSE_LABEL]: hash };
  const attempt = async (): Promise<T> => {
    // Stopped ones too: a stopped reusable container is started again, not replaced (its name would clash).
    const [existing] = await engine.listContainers({ all: true, labels });
    return existing ? found(existing) : start();
  };
  const lock = engine.capabilities?.reuseLock;
  if (lock) return lock(`reuse-${hash.slice(0, 32)}`, attempt);
  try {
    return await attempt();
  } catch (error) {
    if (!(error instanceof ContainerStateError)) throw error;
    return found(await runningOne(engine, labels, timeoutMs, error));
  }
}

/** The name a reusable container gets on a backend without a reuse lock, unless it has one. */
export function reuseName(hash: string): string {
  return `berth-reuse-${hash.slice(0, 32)}`;
}

/** The winner's container, once it runs (the winner starts it; starting it here too would race). */
async function runningOne(engine: Engine, labels: Record<string, string>, timeoutMs: number, lost: Error): Promise<ContainerInfo> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const [existing] = await engine.listContainers({ all: true, labels });
    if (!existing) throw lost; // Not a lost race: a container of that name that is not this configuration's.
    if (existing.State.Running) return existing;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw lost;
}
