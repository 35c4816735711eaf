import type { CgroupStats } from '../api/index.js';
import { readOr } from '../state/files.js';
import type { CgroupLayout } from './hierarchy.js';

type PathOf = (controller: string, file: string) => string;

function num(text: string): number {
  const n = Number(text.trim());
  return Number.isFinite(n) ? n : text.trim() === 'max' ? Number.MAX_SAFE_INTEGER : 0;
}

/** Sums `key value` or `key=value` fields of a stat file (io.stat, blkio service bytes). */
function sumField(text: string, pattern: RegExp): number {
  let total = 0;
  for (const m of text.matchAll(pattern)) total += Number(m[1]);
  return total;
}

/** Reads usage from v1 files (v1, hybrid) or v2 files. */
export function readStats(layout: CgroupLayout, path: PathOf): CgroupStats {
  if (layout.mode === 'v2') {
    const io = readOr(path('io', 'io.stat'));
    return {
      CpuUsageNs: sumField(readOr(path('cpu', 'cpu.stat')), /^usage_usec (\d+)/gm) * 1000,
      MemoryUsage: num(readOr(path('memory', 'memory.current'))),
      MemoryLimit: num(readOr(path('memory', 'memory.max'))),
      Pids: num(readOr(path('pids', 'pids.current'))),
      IoReadBytes: sumField(io, /rbytes=(\d+)/g),
      IoWriteBytes: sumField(io, /wbytes=(\d+)/g),
    };
  }
  const io = readOr(path('blkio', 'blkio.throttle.io_service_bytes_recursive'));
  return {
    CpuUsageNs: num(readOr(path('cpuacct', 'cpuacct.usage'))),
    MemoryUsage: num(readOr(path('memory', 'memory.usage_in_bytes'))),
    MemoryLimit: num(readOr(path('memory', 'memory.limit_in_bytes'))),
    Pids: num(readOr(path('pids', 'pids.current'))),
    IoReadBytes: sumField(io, /^\S+ Read (\d+)/gm),
    IoWriteBytes: sumField(io, /^\S+ Write (\d+)/gm),
  };
}
