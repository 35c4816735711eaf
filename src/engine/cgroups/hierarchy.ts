import * as fs from 'node:fs';

/** How cgroups are mounted on this machine. */
export type CgroupMode = 'v1' | 'v2' | 'hybrid';

/** The cgroup filesystems Berth puts containers in. */
export interface CgroupLayout {
  mode: CgroupMode;
  /** v1 controller name → its hierarchy's mount point (v1 and hybrid). */
  v1: Map<string, string>;
  /** The cgroup2 mount point (v2, and hybrid's controller-less one). */
  unified: string | undefined;
}

/** v1 controllers Berth uses (each may be co-mounted, e.g. `cpu,cpuacct`). */
export const V1_CONTROLLERS = ['memory', 'cpu', 'cpuacct', 'cpuset', 'pids', 'blkio', 'freezer'] as const;
export type V1Controller = (typeof V1_CONTROLLERS)[number];

let cached: CgroupLayout | undefined;

/**
 * Reads the cgroup mounts from /proc/self/mountinfo: a cgroup2 mount at the
 * top is v2; v1 controllers with a cgroup2 mount beside them is hybrid.
 */
export function cgroupLayout(): CgroupLayout {
  if (cached) return cached;
  const v1 = new Map<string, string>();
  let unified: string | undefined;
  for (const line of fs.readFileSync('/proc/self/mountinfo', 'utf8').split('\n')) {
    const [pre, post] = line.split(' - ');
    if (!pre || !post) continue;
    const mountPoint = pre.split(' ')[4] ?? '';
    const [fstype, , superOptions = ''] = post.split(' ');
    if (fstype === 'cgroup2') unified ??= mountPoint;
    if (fstype !== 'cgroup') continue;
    for (const option of superOptions.split(',')) {
      if ((V1_CONTROLLERS as readonly string[]).includes(option)) v1.set(option, mountPoint);
    }
  }
  const mode: CgroupMode = v1.size === 0 ? 'v2' : unified ? 'hybrid' : 'v1';
  cached = { mode, v1, unified };
  return cached;
}
