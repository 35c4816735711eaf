import { posix } from 'node:path';
import type { MountInfo, Propagation, TmpfsMountSpec } from '../engine/api/index.js';
import { InvalidMountError } from '../errors.js';

/** A mount after resolution at create time: what the container record keeps and the helper gets. */
export interface ResolvedMount {
  type: 'bind' | 'volume' | 'tmpfs';
  target: string;
  /** Host path ('' for tmpfs). */
  source: string;
  /** The volume's name (volumes only). */
  name?: string;
  /** An anonymous volume: removed with the container. */
  anonymous?: boolean;
  readOnly: boolean;
  propagation: Propagation | '';
  /** Helper options besides ro/rw and propagation, e.g. `size=…` for tmpfs. */
  options: string[];
}

const PROPAGATIONS = new Set<string>(['private', 'rprivate', 'slave', 'rslave', 'shared', 'rshared']);

/**
 * Checks a container path used as a mount target or copy destination and
 * returns it normalised. `..` is refused outright: it can only mean an
 * attempt to climb out (the helper resolves targets inside the rootfs anyway).
 */
export function cleanTarget(target: string): string {
  if (!target.startsWith('/')) throw new InvalidMountError(target, 'the target must be an absolute container path');
  if (/[\0\t\n]/.test(target)) throw new InvalidMountError(target, 'the target contains a NUL, tab or newline');
  if (target.split('/').includes('..')) {
    throw new InvalidMountError(target, 'the target contains ".."', 'name the directory inside the container directly');
  }
  const clean = posix.normalize(target).replace(/\/+$/, '');
  if (clean === '') throw new InvalidMountError(target, 'cannot mount over the container root');
  return clean;
}

/** Checks a host source path for a bind mount. */
export function checkBindSource(source: string, target: string): void {
  if (!posix.isAbsolute(source)) throw new InvalidMountError(target, `bind source "${source}" must be an absolute host path`);
  if (/[\0\t\n]/.test(source)) throw new InvalidMountError(target, 'the bind source contains a NUL, tab or newline');
}

/** Checks a propagation mode given by the user. */
export function checkPropagation(value: string, target: string): Propagation {
  if (!PROPAGATIONS.has(value)) {
    throw new InvalidMountError(target, `unknown propagation "${value}"`, `use one of ${[...PROPAGATIONS].join(', ')}`);
  }
  return value as Propagation;
}

/** Helper options for a tmpfs mount (see native/PROTOCOL.md, "Mounts"). */
export function tmpfsOptions(spec: TmpfsMountSpec): string[] {
  const options = ['nosuid', 'nodev'];
  if (!spec.exec) options.push('noexec');
  if (spec.sizeBytes !== undefined) {
    if (!Number.isSafeInteger(spec.sizeBytes) || spec.sizeBytes <= 0) {
      throw new InvalidMountError(spec.target, `tmpfs size ${spec.sizeBytes} must be a positive number of bytes`);
    }
    options.push(`size=${spec.sizeBytes}`);
  }
  const mode = spec.mode ?? 0o1777;
  if (!Number.isInteger(mode) || mode < 0 || mode > 0o7777)
    throw new InvalidMountError(spec.target, `tmpfs mode ${mode} is not a file mode`);
  options.push(`mode=${mode.toString(8)}`);
  return options;
}

const SIZE_UNITS: Record<string, number> = { '': 1, b: 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 };

/**
 * Parses Docker's `--tmpfs` option string (`size=64m,mode=1777,exec,ro`)
 * into a {@link TmpfsMountSpec}.
 */
export function parseTmpfsOptions(target: string, text: string): TmpfsMountSpec {
  const spec: TmpfsMountSpec = { type: 'tmpfs', target };
  for (const option of text.split(',').filter(Boolean)) {
    const [key = '', value = ''] = option.split('=', 2);
    if (key === 'size') {
      const m = /^(\d+)([bkmg]?)$/i.exec(value);
      if (!m) throw new InvalidMountError(target, `bad tmpfs size "${value}"`, 'use a number with an optional k, m or g suffix');
      spec.sizeBytes = Number(m[1]) * (SIZE_UNITS[(m[2] ?? '').toLowerCase()] ?? 1);
    } else if (key === 'mode') {
      if (!/^[0-7]{1,4}$/.test(value)) throw new InvalidMountError(target, `bad tmpfs mode "${value}"`, 'use octal digits, e.g. 1777');
      spec.mode = Number.parseInt(value, 8);
    } else if (key === 'ro' || key === 'rw') spec.readOnly = key === 'ro';
    else if (key === 'exec' || key === 'noexec') spec.exec = key === 'exec';
    else if (!['nosuid', 'nodev'].includes(key)) throw new InvalidMountError(target, `unsupported tmpfs option "${option}"`);
  }
  return spec;
}

/** Parents before children, so a mount below another mount's target lands inside it. */
export function sortMounts(mounts: ResolvedMount[]): ResolvedMount[] {
  const depth = (m: ResolvedMount): number => m.target.split('/').length;
  return [...mounts].sort((a, b) => depth(a) - depth(b));
}

/** `mount` records for the helper: `<kind>\t<source>\t<target>\t<options>`. */
export function helperMountRecords(mounts: ResolvedMount[], options: { withTmpfs: boolean } = { withTmpfs: true }): string[] {
  return sortMounts(mounts)
    .filter((m) => options.withTmpfs || m.type !== 'tmpfs')
    .map((m) => {
      // Volumes show no propagation, as in Docker, but must not receive host mounts: rprivate.
      const propagation = m.propagation || (m.type === 'volume' ? 'rprivate' : '');
      const flags = [m.readOnly ? 'ro' : 'rw', ...(propagation ? [propagation] : []), ...m.options];
      return [m.type === 'tmpfs' ? 'tmpfs' : 'bind', m.type === 'tmpfs' ? 'tmpfs' : m.source, m.target, flags.join(',')].join('\t');
    });
}

/** The `Mounts` of `docker inspect` for a container's resolved mounts. */
export function inspectMounts(mounts: ResolvedMount[]): MountInfo[] {
  return mounts.map((m) => ({
    Type: m.type,
    ...(m.name ? { Name: m.name, Driver: 'local' } : {}),
    Source: m.source,
    Destination: m.target,
    Mode: m.readOnly ? 'ro' : '',
    RW: !m.readOnly,
    Propagation: m.propagation,
  }));
}
