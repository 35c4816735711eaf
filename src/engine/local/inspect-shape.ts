import { inspectMounts } from '../../volumes/mount-spec.js';
import type { ContainerInfo, ContainerStatus, ProcessSecurity } from '../api/index.js';
import type { ContainerRecord } from '../container/container-store.js';
import type { ExitRecord, RunningContainer } from './container-runtime.js';

const NEVER = '0001-01-01T00:00:00Z';

/** Builds the `docker inspect`-shaped view of a container from its record and runtime state. */
export function inspectShape(record: ContainerRecord, running: RunningContainer | undefined, exit: ExitRecord | undefined): ContainerInfo {
  const status: ContainerStatus = running ? (running.paused ? 'paused' : 'running') : exit ? 'exited' : 'created';
  const limits = record.spec.resources ?? {};
  return {
    Id: record.id,
    Name: `/${record.name}`,
    Image: record.imageId,
    Created: record.created,
    Path: record.argv[0] ?? '',
    Args: record.argv.slice(1),
    State: {
      Status: status,
      Running: running !== undefined,
      Paused: running?.paused ?? false,
      OOMKilled: exit?.oomKilled ?? false,
      Pid: running?.pid ?? 0,
      ExitCode: exit?.exitCode ?? 0,
      StartedAt: running?.startedAt ?? NEVER,
      FinishedAt: exit ? new Date(exit.finishedAtMs).toISOString() : NEVER,
    },
    Config: {
      Hostname: record.hostname,
      Env: record.env,
      Cmd: record.argv,
      Entrypoint: record.spec.entrypoint ?? null,
      WorkingDir: record.workingDir,
      Image: record.spec.image,
      Labels: record.spec.labels ?? {},
      User: record.spec.user ?? '',
      StopSignal: record.stopSignal,
      Tty: record.spec.tty ?? false,
      OpenStdin: record.spec.openStdin ?? false,
      ...(record.spec.stopTimeoutMs === undefined ? {} : { StopTimeout: Math.ceil(record.spec.stopTimeoutMs / 1000) }),
    },
    HostConfig: {
      Memory: limits.memory ?? 0,
      MemorySwap: limits.memorySwap ?? 0,
      NanoCpus: limits.nanoCpus ?? 0,
      CpuShares: limits.cpuShares ?? 0,
      CpusetCpus: limits.cpusetCpus ?? '',
      PidsLimit: limits.pidsLimit ?? 0,
      BlkioWeight: limits.blkioWeight ?? 0,
      ...securityHostConfig(record.spec),
      ...requestHostConfig(record),
    },
    Mounts: inspectMounts(record.mounts ?? []),
    NetworkSettings: { Networks: {}, Ports: {} },
  };
}

/** The HostConfig fields `docker run` security flags fill; null where Docker shows null for "not set". */
function securityHostConfig(spec: ProcessSecurity) {
  const opts = [...(spec.noNewPrivileges ? ['no-new-privileges'] : []), ...(spec.seccomp ? [`seccomp=${spec.seccomp}`] : [])];
  const ulimits = Object.entries(spec.ulimits ?? {}).map(([Name, l]) => ({ Name, Soft: l.soft, Hard: l.hard }));
  return {
    CapAdd: spec.capAdd?.length ? spec.capAdd : null,
    CapDrop: spec.capDrop?.length ? spec.capDrop : null,
    GroupAdd: spec.groupAdd?.length ? spec.groupAdd : null,
    Privileged: spec.privileged ?? false,
    ReadonlyRootfs: spec.readonlyRootfs ?? false,
    Init: spec.init ?? null,
    SecurityOpt: opts.length ? opts : null,
    Ulimits: ulimits.length ? ulimits : null,
  };
}

/**
 * The HostConfig fields that echo the request, as dockerd fills them:
 * NetworkMode (`default` when none was asked for), bind mounts as `Binds`
 * (`src:dst[:ro]`), `Tmpfs` by path, and `PortBindings` as asked (an empty
 * HostPort for a port chosen by the engine).
 */
function requestHostConfig(record: ContainerRecord): Pick<ContainerInfo['HostConfig'], 'NetworkMode' | 'Binds' | 'Tmpfs' | 'PortBindings'> {
  const specMounts = record.spec.mounts ?? [];
  const binds = specMounts.flatMap((m) => (m.type === 'bind' ? [`${m.source}:${m.target}${m.readOnly ? ':ro' : ''}`] : []));
  const tmpfs = specMounts.flatMap((m) => (m.type === 'tmpfs' ? [[m.target, tmpfsOptions(m)] as const] : []));
  const bindings: ContainerInfo['HostConfig']['PortBindings'] = {};
  for (const p of record.spec.ports ?? []) {
    const key = `${p.containerPort}/${p.protocol ?? 'tcp'}`;
    bindings[key] = [...(bindings[key] ?? []), { HostIp: p.hostIp ?? '', HostPort: p.hostPort ? String(p.hostPort) : '' }];
  }
  return {
    NetworkMode: record.spec.networkMode ?? 'default',
    Binds: binds.length ? binds : null,
    ...(tmpfs.length ? { Tmpfs: Object.fromEntries(tmpfs) } : {}),
    PortBindings: bindings,
  };
}

function tmpfsOptions(m: { sizeBytes?: number; mode?: number; readOnly?: boolean; exec?: boolean }): string {
  const options = [
    ...(m.readOnly ? ['ro'] : []),
    ...(m.exec === false ? ['noexec'] : []),
    ...(m.sizeBytes ? [`size=${m.sizeBytes}`] : []),
    ...(m.mode === undefined ? [] : [`mode=${m.mode.toString(8)}`]),
  ];
  return options.join(',');
}
