import { InvalidSpecError } from '../../errors.js';
import type { ContainerSpec, MountSpec } from '../api/index.js';

/** The body of Docker's `POST /containers/create` (the fields Berth sets). */
export type CreateBody = Record<string, unknown> & { HostConfig: Record<string, unknown> };

const NS_PER_MS = 1_000_000;
/** The name containers reach the host's ports by, as testcontainers has it. */
const HOST_ALIAS = 'host.testcontainers.internal';

/**
 * Docker's create body for a Berth spec. Only the first network goes in
 * `NetworkingConfig` (API 1.41 takes one there); the others are connected
 * before start, see {@link extraNetworks}.
 */
export function createBody(spec: ContainerSpec, labels: Record<string, string>): CreateBody {
  const exposed = Object.fromEntries((spec.ports ?? []).map((p) => [portKey(p.containerPort, p.protocol), {}]));
  const [primary] = Object.entries(spec.networks ?? {});
  const networkMode = spec.networkMode ?? primary?.[0] ?? 'bridge';
  const aliases = spec.networks?.[networkMode]?.aliases;
  return {
    Image: spec.image,
    ...(spec.command ? { Cmd: spec.command } : {}),
    ...(spec.entrypoint ? { Entrypoint: spec.entrypoint } : {}),
    Env: Object.entries(spec.env ?? {}).map(([k, v]) => `${k}=${v}`),
    ...(spec.workingDir ? { WorkingDir: spec.workingDir } : {}),
    ...(spec.hostname ? { Hostname: spec.hostname } : {}),
    ...(spec.user ? { User: spec.user } : {}),
    Labels: { ...spec.labels, ...labels },
    ...(spec.stopSignal ? { StopSignal: spec.stopSignal } : {}),
    ...(spec.stopTimeoutMs !== undefined ? { StopTimeout: Math.ceil(spec.stopTimeoutMs / 1000) } : {}),
    ...(spec.healthcheck ? { Healthcheck: healthcheck(spec.healthcheck) } : {}),
    ExposedPorts: exposed,
    OpenStdin: spec.openStdin ?? false,
    // The first attach client's end of stdin closes the command's stdin, as Berth's attach `end()` promises.
    StdinOnce: spec.openStdin ?? false,
    AttachStdin: false,
    Tty: spec.tty ?? false,
    HostConfig: hostConfig(spec, networkMode),
    ...(aliases && !['bridge', 'host', 'none'].includes(networkMode)
      ? { NetworkingConfig: { EndpointsConfig: { [networkMode]: { Aliases: aliases } } } }
      : {}),
  };
}

/** Networks to connect after create: every one of `spec.networks` but the one the container was created on. */
export function extraNetworks(spec: ContainerSpec): [string, { aliases?: string[] }][] {
  const entries = Object.entries(spec.networks ?? {});
  const created = spec.networkMode ?? entries[0]?.[0];
  return entries.filter(([name]) => name !== created);
}

function hostConfig(spec: ContainerSpec, networkMode: string): Record<string, unknown> {
  const r = spec.resources ?? {};
  const securityOpt = [
    ...(spec.noNewPrivileges ? ['no-new-privileges'] : []),
    ...(spec.seccomp === 'unconfined' ? ['seccomp=unconfined'] : []),
  ];
  const mounts = spec.mounts ?? [];
  return {
    ...(r.memory !== undefined ? { Memory: r.memory } : {}),
    ...(r.memorySwap !== undefined ? { MemorySwap: r.memorySwap } : {}),
    ...(r.nanoCpus !== undefined ? { NanoCpus: r.nanoCpus } : {}),
    ...(r.cpuShares !== undefined ? { CpuShares: r.cpuShares } : {}),
    ...(r.cpusetCpus !== undefined ? { CpusetCpus: r.cpusetCpus } : {}),
    ...(r.cpusetMems !== undefined ? { CpusetMems: r.cpusetMems } : {}),
    ...(r.pidsLimit !== undefined ? { PidsLimit: r.pidsLimit } : {}),
    ...(r.blkioWeight !== undefined ? { BlkioWeight: r.blkioWeight } : {}),
    CapAdd: spec.capAdd ?? null,
    CapDrop: spec.capDrop ?? null,
    GroupAdd: spec.groupAdd ?? null,
    Privileged: spec.privileged ?? false,
    ReadonlyRootfs: spec.readonlyRootfs ?? false,
    ...(spec.init !== undefined ? { Init: spec.init } : {}),
    SecurityOpt: securityOpt,
    Ulimits: Object.entries(spec.ulimits ?? {}).map(([name, l]) => ({ Name: name, Soft: l.soft, Hard: l.hard })),
    Mounts: mounts.filter((m) => m.type !== 'tmpfs').map(mount),
    // Tmpfs options as text: the Mounts form cannot say `exec` before API 1.46.
    Tmpfs: Object.fromEntries(mounts.filter((m) => m.type === 'tmpfs').map((m) => [m.target, tmpfsOptions(m)])),
    VolumesFrom: spec.volumesFrom ?? null,
    NetworkMode: networkMode,
    PortBindings: portBindings(spec),
    ExtraHosts: [
      ...(spec.extraHosts ?? []).map((h) => `${h.host}:${h.ipAddress}`),
      // The daemon's gateway address; ports that listen on 127.0.0.1 only are not reachable through it.
      ...(spec.hostPorts?.length ? [`${HOST_ALIAS}:host-gateway`] : []),
    ],
  };
}

function portKey(port: number, protocol: 'tcp' | 'udp' = 'tcp'): string {
  return `${port}/${protocol}`;
}

function portBindings(spec: ContainerSpec): Record<string, { HostIp: string; HostPort: string }[]> {
  const bindings: Record<string, { HostIp: string; HostPort: string }[]> = {};
  for (const p of spec.ports ?? []) {
    const key = portKey(p.containerPort, p.protocol);
    // An empty HostPort lets the daemon choose a free one.
    bindings[key] = [...(bindings[key] ?? []), { HostIp: p.hostIp ?? '', HostPort: p.hostPort ? String(p.hostPort) : '' }];
  }
  return bindings;
}

function mount(m: Exclude<MountSpec, { type: 'tmpfs' }>): Record<string, unknown> {
  if (m.type === 'bind') {
    return {
      Type: 'bind',
      Source: m.source,
      Target: m.target,
      ReadOnly: m.readOnly ?? false,
      BindOptions: { Propagation: m.propagation ?? 'rprivate' },
    };
  }
  return {
    Type: 'volume',
    ...(m.source ? { Source: m.source } : {}),
    Target: m.target,
    ReadOnly: m.readOnly ?? false,
    VolumeOptions: { NoCopy: m.noCopy ?? false },
  };
}

function tmpfsOptions(m: Extract<MountSpec, { type: 'tmpfs' }>): string {
  const options = [m.readOnly ? 'ro' : 'rw', m.exec ? 'exec' : 'noexec', 'nosuid', 'nodev'];
  if (m.sizeBytes !== undefined) options.push(`size=${m.sizeBytes}`);
  if (m.mode !== undefined) options.push(`mode=${m.mode.toString(8)}`);
  return options.join(',');
}

function healthcheck(h: NonNullable<ContainerSpec['healthcheck']>): Record<string, unknown> {
  if (h.test.length === 0) throw new InvalidSpecError('the health check has an empty test', "use ['CMD', …], ['CMD-SHELL', …] or ['NONE']");
  // Docker takes nanoseconds; Berth's spec has milliseconds.
  const ns = (ms: number | undefined): number => (ms === undefined ? 0 : ms * NS_PER_MS);
  return { Test: h.test, Interval: ns(h.interval), Timeout: ns(h.timeout), Retries: h.retries ?? 0, StartPeriod: ns(h.startPeriod) };
}
