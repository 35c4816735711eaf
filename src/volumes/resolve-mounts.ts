import * as fs from 'node:fs';
import type { MountSpec } from '../engine/api/index.js';
import { InvalidMountError } from '../errors.js';
import { checkBindSource, checkPropagation, cleanTarget, type ResolvedMount, tmpfsOptions } from './mount-spec.js';
import { checkVolumeName, type VolumeStore } from './volume-store.js';

/** What a container asks for: its own mounts, other containers' mounts, its image's VOLUMEs. */
export interface MountRequest {
  mounts?: MountSpec[];
  /** `container[:ro|:rw]`, like `--volumes-from`. */
  volumesFrom?: string[];
  /** Paths of the image config's `Volumes`. */
  imageVolumes: string[];
  /** The new container's id: its anonymous volumes belong to it. */
  containerId: string;
}

/** Resolved mounts, the volumes made for them, and which volumes want the image's content copied in. */
export interface MountPlan {
  mounts: ResolvedMount[];
  createdVolumes: string[];
  copyUp: ResolvedMount[];
}

/**
 * Turns a container's mount request into concrete host sources, creating
 * named and anonymous volumes as needed. Precedence as in Docker: explicit
 * mounts, then `volumesFrom`, then the image's VOLUMEs, one mount per target.
 * Throws {@link InvalidMountError} before anything is created when a mount is bad.
 */
export function resolveMounts(request: MountRequest, volumes: VolumeStore, mountsOf: (container: string) => ResolvedMount[]): MountPlan {
  const explicit = (request.mounts ?? []).map(checkKind).map((m) => ({ ...m, target: cleanTarget(m.target) }));
  const seen = new Set<string>();
  for (const m of explicit) {
    if (seen.has(m.target)) throw new InvalidMountError(m.target, 'two mounts have this target', 'give each mount its own target');
    seen.add(m.target);
  }
  for (const m of explicit) if (m.type === 'bind') checkBind(m.source, m.target, m.propagation);
  for (const m of explicit) if (m.type === 'tmpfs') tmpfsOptions(m);
  for (const m of explicit) if (m.type === 'volume' && m.source !== undefined) checkVolumeName(m.source);
  const inherited = (request.volumesFrom ?? []).flatMap((from) => inheritedMounts(from, mountsOf)).filter((m) => !seen.has(m.target));
  for (const m of inherited) seen.add(m.target);
  const imageTargets = request.imageVolumes.map(cleanTarget);
  // Everything is checked: only now are volumes created.
  const plan: MountPlan = { mounts: [], createdVolumes: [], copyUp: [] };
  const resolve = (m: MountSpec): ResolvedMount => resolveOne(m, volumes, plan, request.containerId);
  for (const m of explicit) plan.mounts.push(resolve(m));
  plan.mounts.push(...inherited);
  for (const target of imageTargets) {
    if (seen.has(target)) continue;
    seen.add(target);
    plan.mounts.push(resolve({ type: 'volume', target }));
  }
  return plan;
}

/** Specs from plain JavaScript may carry any type; only the three Berth knows get further. */
function checkKind(m: MountSpec): MountSpec {
  if (!['bind', 'volume', 'tmpfs'].includes(m.type)) {
    throw new InvalidMountError(String(m.target), `unknown mount type "${String(m.type)}"`, 'use bind, volume or tmpfs');
  }
  return m;
}

function checkBind(source: string, target: string, propagation: string | undefined): void {
  checkBindSource(source, target);
  if (propagation !== undefined) checkPropagation(propagation, target);
  if (!fs.existsSync(source)) {
    throw new InvalidMountError(target, `bind source ${source} does not exist`, 'create the file or directory on the host first');
  }
}

function resolveOne(m: MountSpec, volumes: VolumeStore, plan: MountPlan, owner: string): ResolvedMount {
  const readOnly = m.readOnly ?? false;
  if (m.type === 'bind')
    return { type: 'bind', target: m.target, source: m.source, readOnly, propagation: m.propagation ?? 'rprivate', options: [] };
  if (m.type === 'tmpfs') return { type: 'tmpfs', target: m.target, source: '', readOnly, propagation: '', options: tmpfsOptions(m) };
  const existed = m.source !== undefined && volumes.find(m.source) !== undefined;
  const volume = volumes.create(m.source === undefined ? { owner } : { name: m.source });
  if (!existed) plan.createdVolumes.push(volume.Name);
  const resolved: ResolvedMount = {
    type: 'volume',
    target: m.target,
    source: volume.Mountpoint,
    name: volume.Name,
    ...(m.source === undefined ? { anonymous: true } : {}),
    readOnly,
    propagation: '',
    options: [],
  };
  // Docker copies the image's content only into a volume that is still empty.
  if (!m.noCopy && fs.readdirSync(volume.Mountpoint).length === 0) plan.copyUp.push(resolved);
  return resolved;
}

/** Another container's binds and volumes (not its tmpfs), with an optional `:ro`/`:rw` override. */
function inheritedMounts(from: string, mountsOf: (container: string) => ResolvedMount[]): ResolvedMount[] {
  const [container = '', mode] = from.split(':');
  if (mode !== undefined && mode !== 'ro' && mode !== 'rw') {
    throw new InvalidMountError(from, `volumes-from mode "${mode}" must be ro or rw`);
  }
  return mountsOf(container)
    .filter((m) => m.type !== 'tmpfs')
    .map(({ anonymous: _owned, ...m }) => ({ ...m, readOnly: mode === undefined ? m.readOnly : mode === 'ro' }));
}
