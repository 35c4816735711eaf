import type { CgroupStats, CommitOptions, ContainerExit, ContainerInfo, ContainerTop } from '../api/index.js';
import type { ApiSubject } from './api-errors.js';
import { splitTag } from './images.js';
import { toContainerInfo } from './inspect-shape.js';
import type { DockerTransport } from './transport.js';

const DEFAULT_STOP_MS = 10_000;

/** Docker's `GET /containers/{id}/stats?stream=false`, the parts Berth reads. */
interface DockerStats {
  cpu_stats?: { cpu_usage?: { total_usage?: number } };
  memory_stats?: { usage?: number; limit?: number };
  pids_stats?: { current?: number };
  blkio_stats?: { io_service_bytes_recursive?: { op: string; value: number }[] | null };
}

/** Container lifecycle calls on a Docker daemon. */
export class DockerContainers {
  constructor(private readonly api: DockerTransport) {}

  #path(id: string, action = ''): string {
    return `/containers/${encodeURIComponent(id)}${action ? `/${action}` : ''}`;
  }

  #subject(id: string): ApiSubject {
    return { kind: 'container', name: id };
  }

  async create(body: unknown, name: string | undefined): Promise<string> {
    const created = await this.api.json<{ Id: string }>({
      method: 'POST',
      path: '/containers/create',
      query: { name },
      body,
      subject: { kind: 'container', name: name ?? '' },
    });
    return created.Id;
  }

  async start(id: string): Promise<void> {
    await this.api.send({ method: 'POST', path: this.#path(id, 'start'), subject: this.#subject(id), accept: [304] });
  }

  async stop(id: string, timeoutMs?: number): Promise<void> {
    const t = timeoutMs === undefined ? undefined : Math.ceil(timeoutMs / 1000);
    await this.api.send({ method: 'POST', path: this.#path(id, 'stop'), query: { t }, subject: this.#subject(id), accept: [304] });
  }

  async restart(id: string, timeoutMs = DEFAULT_STOP_MS): Promise<void> {
    await this.api.send({
      method: 'POST',
      path: this.#path(id, 'restart'),
      query: { t: Math.ceil(timeoutMs / 1000) },
      subject: this.#subject(id),
    });
  }

  async kill(id: string, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    await this.api.send({ method: 'POST', path: this.#path(id, 'kill'), query: { signal }, subject: this.#subject(id) });
  }

  async pause(id: string): Promise<void> {
    await this.api.send({ method: 'POST', path: this.#path(id, 'pause'), subject: this.#subject(id) });
  }

  async unpause(id: string): Promise<void> {
    await this.api.send({ method: 'POST', path: this.#path(id, 'unpause'), subject: this.#subject(id) });
  }

  async wait(id: string): Promise<ContainerExit> {
    const result = await this.api.json<{ StatusCode: number }>({
      method: 'POST',
      path: this.#path(id, 'wait'),
      query: { condition: 'not-running' },
      subject: this.#subject(id),
    });
    const info = await this.inspect(id).catch(() => undefined); // Gone already (auto-removed).
    return { exitCode: result.StatusCode, ...(info?.State.OOMKilled ? { oomKilled: true } : {}) };
  }

  async remove(id: string, options: { force?: boolean; keepVolumes?: boolean } = {}): Promise<void> {
    await this.api.send({
      method: 'DELETE',
      path: this.#path(id),
      query: { force: options.force ?? false, v: !options.keepVolumes },
      subject: this.#subject(id),
    });
  }

  async inspect(id: string): Promise<ContainerInfo> {
    return toContainerInfo(await this.api.json<ContainerInfo>({ method: 'GET', path: this.#path(id, 'json'), subject: this.#subject(id) }));
  }

  async list(options: { all?: boolean; labels?: Record<string, string> } = {}): Promise<ContainerInfo[]> {
    const label = Object.entries(options.labels ?? {}).map(([k, v]) => `${k}=${v}`);
    const found = await this.summaries(label, options.all ?? false);
    const infos = await Promise.all(found.map((c) => this.inspect(c.Id).catch(() => undefined))); // Removed meanwhile.
    return infos.filter((i): i is ContainerInfo => i !== undefined);
  }

  /** Containers (all of them by default) whose labels match each filter (`key` or `key=value`), as `docker ps` lists them. */
  async summaries(label: string[], all = true): Promise<{ Id: string; Labels: Record<string, string> }[]> {
    return this.api.json({ method: 'GET', path: '/containers/json', query: { all, filters: JSON.stringify({ label }) } });
  }

  async top(id: string): Promise<ContainerTop> {
    const top = await this.api.json<{ Titles: string[]; Processes: string[][] }>({
      method: 'GET',
      path: this.#path(id, 'top'),
      subject: this.#subject(id),
    });
    return { titles: top.Titles, processes: top.Processes ?? [] };
  }

  async stats(id: string): Promise<CgroupStats> {
    const s = await this.api.json<DockerStats>({
      method: 'GET',
      path: this.#path(id, 'stats'),
      query: { stream: false },
      subject: this.#subject(id),
    });
    const io = s.blkio_stats?.io_service_bytes_recursive ?? [];
    const sum = (op: string): number => io.filter((e) => e.op.toLowerCase() === op).reduce((n, e) => n + e.value, 0);
    return {
      cpuUsageNs: s.cpu_stats?.cpu_usage?.total_usage ?? 0,
      memoryUsage: s.memory_stats?.usage ?? 0,
      memoryLimit: s.memory_stats?.limit ?? 0,
      pids: s.pids_stats?.current ?? 0,
      ioReadBytes: sum('read'),
      ioWriteBytes: sum('write'),
    };
  }

  /** `docker commit` (the container is paused meanwhile); returns the new image's id. */
  async commit(id: string, options: CommitOptions = {}): Promise<string> {
    const target = options.reference ? splitTag(options.reference) : undefined;
    const result = await this.api.json<{ Id: string }>({
      method: 'POST',
      path: '/commit',
      query: {
        container: id,
        repo: target?.repo,
        tag: target?.tag,
        comment: options.comment,
        author: options.author,
        changes: options.changes,
        pause: true,
      },
      subject: this.#subject(id),
    });
    return result.Id;
  }
}
