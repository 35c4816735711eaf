import { availableParallelism } from 'node:os';
import type { ResourceLimits } from '../api/index.js';
import { checkText, checkWhole, refuse } from '../container/spec-field.js';

/** Docker's minimum memory limit: below it a container cannot even finish starting. */
export const MIN_MEMORY_BYTES = 6 * 1024 ** 2;

const MAX_BYTES = Number.MAX_SAFE_INTEGER;
/** The kernel's PID_MAX_LIMIT on 64-bit machines: pids.max takes nothing larger. */
const MAX_PIDS = 4_194_304;
const CPU_LIST = /^\d+(-\d+)?(,\d+(-\d+)?)*$/;

/**
 * Refuses limits the cgroup would reject, or that would make the container
 * die while it starts, with the allowed range in the message (Docker's rules,
 * where it has them). 0 (or no value) means "no limit" for every field.
 */
export function validateLimits(l: ResourceLimits): void {
  if (typeof l !== 'object' || l === null) refuse('resources', l, 'must be an object of limits');
  if (l.memory !== undefined && l.memory !== 0) {
    checkWhole(
      'resources.memory',
      l.memory,
      MIN_MEMORY_BYTES,
      MAX_BYTES,
      `a whole number of bytes from ${MIN_MEMORY_BYTES} (6 MiB, the least a container starts with) to 2^53 - 1, or 0 for no limit`,
      'resources.memory is in bytes: 512 MiB is 536870912',
    );
  }
  if (l.memorySwap !== undefined && l.memorySwap !== 0 && l.memorySwap !== -1) {
    if (!l.memory)
      refuse('resources.memorySwap', l.memorySwap, 'needs resources.memory as well', 'set resources.memory too, as Docker asks');
    checkWhole(
      'resources.memorySwap',
      l.memorySwap,
      l.memory,
      MAX_BYTES,
      `-1 (unlimited swap) or a whole number of bytes from resources.memory (${l.memory}) to 2^53 - 1`,
    );
  }
  if (l.cpuShares !== undefined && l.cpuShares !== 0)
    checkWhole('resources.cpuShares', l.cpuShares, 2, 262_144, 'a whole number from 2 to 262144');
  if (l.nanoCpus !== undefined && l.nanoCpus !== 0) {
    const cpus = availableParallelism();
    checkWhole(
      'resources.nanoCpus',
      l.nanoCpus,
      1e7,
      cpus * 1e9,
      `a whole number from 10000000 (0.01 CPU) to ${cpus * 1e9} (the ${cpus} CPUs of this machine)`,
      'resources.nanoCpus is in billionths of a CPU: half a CPU is 500000000',
    );
  }
  for (const field of ['cpusetCpus', 'cpusetMems'] as const) {
    const value = l[field];
    if (value === undefined || value === '') continue;
    checkText(`resources.${field}`, value);
    if (!CPU_LIST.test(value)) refuse(`resources.${field}`, value, 'must be a list of numbers and ranges, e.g. "0-1" or "0,3"');
  }
  if (l.pidsLimit !== undefined && l.pidsLimit !== 0 && l.pidsLimit !== -1) {
    checkWhole('resources.pidsLimit', l.pidsLimit, 1, MAX_PIDS, `a whole number from 1 to ${MAX_PIDS}, or 0 or -1 for no limit`);
  }
  if (l.blkioWeight !== undefined && l.blkioWeight !== 0)
    checkWhole('resources.blkioWeight', l.blkioWeight, 10, 1000, 'a whole number from 10 to 1000');
}
