import type { ProcessSecurity } from '../api/index.js';
import { rootfsRecords, securityRecords } from '../container/process-security.js';

/**
 * What the native helper needs to create one container
 * (see native/PROTOCOL.md, "Spec").
 */
export interface HelperSpec {
  id: string;
  mountpoint: string;
  lowerbase: string;
  /** Overlay lower dirs, top-most first, relative to `lowerbase`. */
  lowers: string[];
  upper: string;
  work: string;
  hostname: string;
  cwd: string;
  env: string[];
  args: string[];
  log: string;
  exitfile: string;
  netns?: string;
  /** Kill the container when the owning process goes away. */
  lifeline: boolean;
  /** With `lifeline`: a directory the helper removes after an orphaned container is gone. */
  orphanCleanup?: string;
  /** Hold the container, set up, until the engine sends "go" (once its network is attached). */
  waitForGo: boolean;
  /** Cgroup directories, one per hierarchy, the init joins before its setup; they must exist. */
  cgroups?: string[];
  /** Cgroup directories the monitor removes once the container is gone, before it records the exit. */
  cgroupCleanup?: string[];
  /** Files (`memory.events`, `memory.oom_control`) whose `oom_kill` counter tells the monitor of an OOM kill. */
  oomEvents?: string[];
  /** User, capabilities, seccomp, ulimits, read-only rootfs, init. */
  security?: ProcessSecurity;
  /** `mount` records, parents first (see native/PROTOCOL.md, "Mounts"). */
  mounts?: string[];
  /** stdin is a pipe the monitor holds open for attach clients (else `/dev/null`). */
  openStdin?: boolean;
  /** The command runs on a pseudo-terminal. */
  tty?: boolean;
  /** Where the monitor listens for attach clients (stdin, resize). */
  attachSocket?: string;
}

/** Encodes a spec as `key=value\0` records closed by `end\0`. */
export function encodeSpec(spec: HelperSpec): Buffer {
  const records: [string, string][] = [
    ...overlayRecords(spec),
    ['hostname', spec.hostname],
    ['cwd', spec.cwd],
    ...spec.env.map((e): [string, string] => ['env', e]),
    ...spec.args.map((a): [string, string] => ['arg', a]),
    ['log', spec.log],
    ['exitfile', spec.exitfile],
    ['lifeline', spec.lifeline ? '1' : '0'],
    ['wait_for_go', spec.waitForGo ? '1' : '0'],
  ];
  for (const dir of spec.cgroups ?? []) records.push(['cgroup', dir]);
  for (const dir of spec.cgroupCleanup ?? []) records.push(['cgroup_cleanup', dir]);
  for (const file of spec.oomEvents ?? []) records.push(['oom_events', file]);
  if (spec.netns) records.push(['netns', spec.netns]);
  if (spec.orphanCleanup) records.push(['orphan_cleanup', spec.orphanCleanup]);
  if (spec.openStdin) records.push(['open_stdin', '1']);
  if (spec.tty) records.push(['tty', '1']);
  if (spec.attachSocket) records.push(['attach_socket', spec.attachSocket]);
  records.push(...securityRecords(spec.security ?? {}), ...rootfsRecords(spec.security ?? {}));
  for (const mount of spec.mounts ?? []) records.push(['mount', mount]);
  return encodeRecords(records);
}

/** Encodes `key=value\0` records closed by `end\0`; values must not hold a NUL. */
export function encodeRecords(records: [string, string][]): Buffer {
  for (const [key, value] of records) {
    if (value.includes('\0')) throw new TypeError(`container ${key} must not contain a NUL byte`);
  }
  return Buffer.from(`${records.map(([k, v]) => `${k}=${v}\0`).join('')}end\0`);
}

/** What `berth-helper view` needs: the overlay and the binds (see native/PROTOCOL.md, "view"). */
export type ViewSpec = Pick<HelperSpec, 'id' | 'mountpoint' | 'lowerbase' | 'lowers' | 'upper' | 'work'> & { mounts: string[] };

/** Encodes a view spec, closed by `end\0`. */
export function encodeViewSpec(spec: ViewSpec): Buffer {
  return encodeRecords([...overlayRecords(spec), ...spec.mounts.map((m): [string, string] => ['mount', m])]);
}

function overlayRecords(spec: Omit<ViewSpec, 'mounts'>): [string, string][] {
  return [
    ['id', spec.id],
    ['mountpoint', spec.mountpoint],
    ['lowerbase', spec.lowerbase],
    ...spec.lowers.map((l): [string, string] => ['lower', l]),
    ['upper', spec.upper],
    ['work', spec.work],
  ];
}
