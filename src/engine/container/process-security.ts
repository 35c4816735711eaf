import { InvalidSpecError } from '../../errors.js';
import type { ProcessSecurity } from '../api/index.js';

type Record2 = [string, string];

/** The helper-spec records (native/PROTOCOL.md) for the options that run and exec share. */
export function securityRecords(sec: Omit<ProcessSecurity, 'readonlyRootfs' | 'init'>): Record2[] {
  const records: Record2[] = [];
  if (sec.user) records.push(['user', sec.user]);
  for (const g of sec.groupAdd ?? []) records.push(['group_add', g]);
  for (const c of sec.capAdd ?? []) records.push(['cap_add', c]);
  for (const c of sec.capDrop ?? []) records.push(['cap_drop', c]);
  if (sec.privileged) records.push(['privileged', '1']);
  if (sec.noNewPrivileges) records.push(['no_new_privs', '1']);
  if (sec.seccomp) records.push(['seccomp', sec.seccomp]);
  for (const [name, limit] of Object.entries(sec.ulimits ?? {})) {
    records.push(['rlimit', `${name}:${rlimitValue(limit.soft)}:${rlimitValue(limit.hard)}`]);
  }
  return records;
}

/** Records only `run` takes. */
export function rootfsRecords(sec: Pick<ProcessSecurity, 'readonlyRootfs' | 'init'>): Record2[] {
  const records: Record2[] = [];
  if (sec.readonlyRootfs) records.push(['readonly_rootfs', '1']);
  if (sec.init) records.push(['init', '1']);
  return records;
}

function rlimitValue(v: number): string {
  return v === -1 ? 'unlimited' : String(v);
}

const NAME = /^[A-Za-z_]+$/;

/** The limits setrlimit(2) knows, as `docker run --ulimit` names them. */
const ULIMITS = new Set([
  'as',
  'core',
  'cpu',
  'data',
  'fsize',
  'locks',
  'memlock',
  'msgqueue',
  'nice',
  'nofile',
  'nproc',
  'rss',
  'rtprio',
  'rttime',
  'sigpending',
  'stack',
]);

/**
 * Checks what the helper would refuse later, so a bad spec fails at create
 * time with a typed error instead of at start.
 */
export function validateSecurity(sec: ProcessSecurity): void {
  for (const c of [...(sec.capAdd ?? []), ...(sec.capDrop ?? [])]) {
    if (!NAME.test(c)) throw new InvalidSpecError(`invalid capability "${c}"`, 'use names like NET_ADMIN or CAP_NET_ADMIN, or ALL');
  }
  if (sec.seccomp && sec.seccomp !== 'default' && sec.seccomp !== 'unconfined') {
    throw new InvalidSpecError(`invalid seccomp profile "${sec.seccomp}"`, "use 'default' or 'unconfined'");
  }
  for (const [name, { soft, hard }] of Object.entries(sec.ulimits ?? {})) {
    const ok = (v: number): boolean => Number.isSafeInteger(v) && v >= -1;
    if (!ULIMITS.has(name) || !ok(soft) || !ok(hard) || (hard !== -1 && (soft === -1 || soft > hard))) {
      throw new InvalidSpecError(
        `invalid ulimit ${name}=${soft}:${hard}`,
        `name one of ${[...ULIMITS].join(', ')}, with whole numbers (or -1 for unlimited) and soft <= hard`,
      );
    }
  }
  for (const v of [sec.user, ...(sec.groupAdd ?? [])]) {
    if (v !== undefined && (v === '' || v.includes('\0')))
      throw new InvalidSpecError(`invalid user or group "${v}"`, 'give a name or a number');
  }
}

/** The security options out of a container spec. */
export function securityOf(spec: ProcessSecurity): ProcessSecurity {
  const { user, groupAdd, capAdd, capDrop, privileged, noNewPrivileges, seccomp, ulimits, readonlyRootfs, init } = spec;
  return { user, groupAdd, capAdd, capDrop, privileged, noNewPrivileges, seccomp, ulimits, readonlyRootfs, init };
}
