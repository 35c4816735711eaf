import { inspectMounts } from '../../volumes/mount-spec.js';
import type { ContainerRecord } from '../container/container-store.js';
import type { ContainerInfo, ContainerStatus } from '../engine.js';
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
    },
    HostConfig: {
      Memory: limits.memory ?? 0,
      MemorySwap: limits.memorySwap ?? 0,
      NanoCpus: limits.nanoCpus ?? 0,
      CpuShares: limits.cpuShares ?? 0,
      CpusetCpus: limits.cpusetCpus ?? '',
      PidsLimit: limits.pidsLimit ?? 0,
      BlkioWeight: limits.blkioWeight ?? 0,
    },
    Mounts: inspectMounts(record.mounts ?? []),
    NetworkSettings: { Networks: {}, Ports: {} },
  };
}
