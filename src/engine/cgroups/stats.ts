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
      cpuUsageNs: sumField(readOr(path('cpu', 'cpu.stat')), /^usage_usec (\d+)/gm) * 1000,
      memoryUsage: num(readOr(path('memory', 'memory.current'))),
      memoryLimit: num(readOr(path('memory', 'memory.max'))),
      pids: num(readOr(path('pids', 'pids.current'))),
      ioReadBytes: sumField(io, /rbytes=(\d+)/g),
      ioWriteBytes: sumField(io, /wbytes=(\d+)/g),
    };
  }
  const io = readOr(path('blkio', 'blkio.throttle.io_service_bytes_recursive'));
  return {
    cpuUsageNs: num(readOr(path('cpuacct', 'cpuacct.usage'))),
    memoryUsage: num(readOr(path('memory', 'memory.usage_in_bytes'))),
    memoryLimit: num(readOr(path('memory', 'memory.limit_in_bytes'))),
    pids: num(readOr(path('pids', 'pids.current'))),
    ioReadBytes: sumField(io, /^\S+ Read (\d+)/gm),
    ioWriteBytes: sumField(io, /^\S+ Write (\d+)/gm),
  };
}
