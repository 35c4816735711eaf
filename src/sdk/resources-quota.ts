import type { ResourceLimits } from '../engine/api/index.js';
import { MIN_MEMORY_BYTES } from '../engine/cgroups/limit-checks.js';
import { refuse } from '../engine/container/spec-field.js';

/** What `withResourcesQuota` takes, as testcontainers does: memory in GiB, CPUs as a (fractional) count. */
export interface ResourcesQuota {
  /** GiB: `0.5` is 512 MiB. */
  memory?: number;
  /** CPUs: `0.5` is half a CPU. */
  cpu?: number;
}

const GIB = 1024 ** 3;
/** More GiB than this is a number of bytes (or MiB) given by mistake. */
export const MAX_QUOTA_GIB = 1024;

/** The engine's limits for a quota; a value in the wrong unit is refused with the right spelling. */
export function quotaLimits(quota: ResourcesQuota): ResourceLimits {
  const limits: ResourceLimits = {};
  if (quota.memory !== undefined && quota.memory !== 0) limits.memory = memoryBytes(quota.memory);
  if (quota.cpu !== undefined && quota.cpu !== 0) {
    if (!(Number.isFinite(quota.cpu) && quota.cpu > 0)) {
      refuse('quota.cpu', quota.cpu, 'must be a positive number of CPUs, e.g. 0.5 for half a CPU, or 0 for no limit');
    }
    limits.nanoCpus = Math.round(quota.cpu * 1e9);
  }
  return limits;
}

function memoryBytes(gib: number): number {
  const allowed = `a number of GiB from ${MIN_MEMORY_BYTES / GIB} (6 MiB) to ${MAX_QUOTA_GIB}, or 0 for no limit`;
  if (!Number.isFinite(gib) || gib < 0) refuse('quota.memory', gib, `must be ${allowed}`);
  if (gib > MAX_QUOTA_GIB) {
    refuse(
      'quota.memory',
      gib,
      `must be ${allowed}: ${gib} looks like bytes or MiB, not GiB`,
      `withResourcesQuota takes GiB, as testcontainers does: 512 MiB is { memory: 0.5 }, ${gib} bytes would be { memory: ${+(gib / GIB).toPrecision(3)} }`,
    );
  }
  const bytes = Math.round(gib * GIB);
  if (bytes < MIN_MEMORY_BYTES)
    refuse('quota.memory', gib, `must be ${allowed}`, 'a container needs at least 6 MiB to start: give { memory: 0.0059 } or more');
  return bytes;
}
