import type { ResourceLimits } from '../api/index.js';
/** `[file, value]` pairs, written in order. */
export type Settings = [string, string][];

const CPU_PERIOD_US = 100_000;

function quota(nanoCpus: number): number {
  return Math.round((nanoCpus * CPU_PERIOD_US) / 1e9);
}

/** cgroup v1 files for `limits` (memory before memsw: the kernel wants memsw ≥ memory). */
export function v1Settings(l: ResourceLimits): Settings {
  const s: Settings = [];
  if (l.memory) {
    s.push(['memory.limit_in_bytes', String(l.memory)]);
    const swap = l.memorySwap ?? l.memory * 2;
    s.push(['memory.memsw.limit_in_bytes', String(swap)]);
  }
  if (l.cpuShares) s.push(['cpu.shares', String(l.cpuShares)]);
  if (l.nanoCpus) s.push(['cpu.cfs_period_us', String(CPU_PERIOD_US)], ['cpu.cfs_quota_us', String(quota(l.nanoCpus))]);
  if (l.cpusetCpus) s.push(['cpuset.cpus', l.cpusetCpus]);
  if (l.cpusetMems) s.push(['cpuset.mems', l.cpusetMems]);
  if (l.pidsLimit && l.pidsLimit > 0) s.push(['pids.max', String(l.pidsLimit)]);
  if (l.blkioWeight) s.push(['blkio.bfq.weight', String(l.blkioWeight)]);
  return s;
}

/** cgroup v2 files for `limits`. */
export function v2Settings(l: ResourceLimits): Settings {
  const s: Settings = [];
  if (l.memory) {
    s.push(['memory.max', String(l.memory)]);
    const swap = l.memorySwap ?? l.memory * 2;
    s.push(['memory.swap.max', swap < 0 ? 'max' : String(Math.max(swap - l.memory, 0))]);
  }
  // Docker's conversion of shares (2–262144) to weight (1–10000).
  if (l.cpuShares) s.push(['cpu.weight', String(Math.round(1 + ((l.cpuShares - 2) * 9999) / 262142))]);
  if (l.nanoCpus) s.push(['cpu.max', `${quota(l.nanoCpus)} ${CPU_PERIOD_US}`]);
  if (l.cpusetCpus) s.push(['cpuset.cpus', l.cpusetCpus]);
  if (l.cpusetMems) s.push(['cpuset.mems', l.cpusetMems]);
  if (l.pidsLimit && l.pidsLimit > 0) s.push(['pids.max', String(l.pidsLimit)]);
  if (l.blkioWeight) s.push(['io.bfq.weight', String(l.blkioWeight)]);
  return s;
}
