import type { Readable } from 'node:stream';
import type { AttachOptions, AttachSession } from '../engine/attach-options.js';
import type { ContainerExit, ContainerInfo, ContainerSpec, Engine } from '../engine/engine.js';
import type { ExecOptions, ExecResult } from '../engine/exec-options.js';
import type { CommitOptions } from '../engine/image/commit.js';
import type { LogSelection } from '../engine/runtime/log-frames.js';
import { ContainerNotFoundError, ContainerStateError, NetworkError } from '../errors.js';
import type { PathArchive } from '../volumes/copy-out.js';
import { type ContentToCopy, copyArchive, type DirectoryToCopy, type FileToCopy } from '../volumes/copy-sources.js';
import { writeFileFromArchive } from '../volumes/file-from-archive.js';
import { ContainerSnapshot, type SnapshotLauncher, type SnapshotOptions } from './container-snapshot.js';
import { parsePort } from './ports.js';
import { defaultWaitStrategy } from './wait/default-wait-strategy.js';
import { waitForReady } from './wait/wait-for-ready.js';
import type { WaitStrategy } from './wait/wait-strategy.js';

/** Options of {@link StartedGenericContainer.exec}. */
export type ExecCommandOptions = Pick<ExecOptions, 'env' | 'user' | 'workingDir' | 'tty' | 'privileged' | 'stdin' | 'onStart'>;

/** What {@link StartedGenericContainer.exec} returns. */
export interface ExecCommandResult extends ExecResult {
  /** stdout and stderr interleaved as they arrived. */
  output: string;
}

/** Options of {@link StartedGenericContainer.stop}. */
export interface StopOptions {
  /**
   * Milliseconds to wait after the stop signal before SIGKILL. Default 0, as
   * in testcontainers: a throwaway container needs no graceful shutdown.
   */
  timeout?: number;
  /** Remove the container afterwards (default true). */
  remove?: boolean;
  /** With `remove`: remove its anonymous volumes too (default true). */
  removeVolumes?: boolean;
}

/** A container that {@link GenericContainer.start} started. */
export class StartedGenericContainer implements AsyncDisposable {
  #stopped = false;

  constructor(
    private readonly engine: Engine,
    private readonly id: string,
    private readonly name: string,
    private readonly spec: ContainerSpec,
    private network: ContainerInfo['NetworkSettings'] = { Networks: {}, Ports: {} },
  ) {}

  /** The container's 64-hex id. */
  getId(): string {
    return this.id;
  }

  /** The container's unique name. */
  getName(): string {
    return this.name;
  }

  /** Labels given with `withLabels`. */
  getLabels(): Record<string, string> {
    return { ...this.spec.labels };
  }

  /** Host to reach the container's published ports from this process. */
  getHost(): string {
    return '127.0.0.1';
  }

  /** The host port a container port is published on: `getMappedPort(80)`, `getMappedPort(53, 'udp')` or `getMappedPort('53/udp')`. */
  getMappedPort(port: number | string, protocol?: 'tcp' | 'udp'): number {
    const parsed = parsePort(port);
    const key = `${parsed.port}/${protocol ?? parsed.protocol}`;
    const binding = this.network.Ports[key]?.[0];
    if (!binding) {
      throw new NetworkError(`container port ${key} is not published`, { hint: 'publish it with withExposedPorts() before start()' });
    }
    return Number(binding.HostPort);
  }

  /** The host port of the first published port. */
  getFirstMappedPort(): number {
    const first = Object.values(this.network.Ports).find((b) => b && b.length > 0)?.[0];
    if (!first) throw new NetworkError('the container publishes no port', { hint: 'publish one with withExposedPorts()' });
    return Number(first.HostPort);
  }

  /** Names of the networks the container was started on. */
  getNetworkNames(): string[] {
    return Object.keys(this.network.Networks);
  }

  /** The container's address on a network (from {@link getNetworkNames}). */
  getIpAddress(networkName: string): string {
    const network = this.network.Networks[networkName];
    if (!network)
      throw new NetworkError(`the container is not on network ${networkName}`, {
        hint: `it is on: ${this.getNetworkNames().join(', ') || 'none'}`,
      });
    return network.IPAddress;
  }

  /** Current state, shaped like `docker inspect`. */
  inspect(): Promise<ContainerInfo> {
    return this.engine.inspectContainer(this.id);
  }

  /** Output so far, one chunk per line (`since`, `tail`, `timestamps` as in `docker logs`). */
  logs(options: LogSelection = {}): Promise<Readable> {
    return this.engine.containerLogs(this.id, options);
  }

  /** Output so far as one string (both streams, in order). */
  async output(options: LogSelection = {}): Promise<string> {
    let text = '';
    for await (const chunk of await this.logs(options)) text += String(chunk);
    return text;
  }

  /**
   * Runs a command in the container, as testcontainers' `exec`: a string is
   * split on spaces (no shell). `output` holds stdout and stderr in the order
   * they arrived. A missing executable throws ContainerExecError; a stopped
   * container, ContainerStateError.
   */
  async exec(command: string | string[], options: ExecCommandOptions = {}): Promise<ExecCommandResult> {
    const cmd = Array.isArray(command) ? command : command.split(' ').filter(Boolean);
    let output = '';
    const result = await this.engine.execContainer(this.id, {
      cmd,
      ...options,
      onOutput: (_stream, chunk) => {
        output += chunk.toString('utf8');
      },
    });
    return { output, ...result };
  }

  /**
   * The container's live output from now on (`docker attach`): one chunk per
   * line, ending when the container does. Same as `logs({ follow: true, tail: 0 })`.
   */
  attach(): Promise<Readable> {
    return this.engine.containerLogs(this.id, { follow: true, tail: 0 });
  }

  /**
   * Attaches to the container's stdin and terminal (`docker attach` with
   * input): write, end (EOF) and resize, with its output from now on.
   * Needs {@link GenericContainer.withOpenStdin} (to write) or
   * {@link GenericContainer.withTty} (to resize).
   */
  attachStdin(options: AttachOptions = {}): Promise<AttachSession> {
    return this.engine.attachContainer(this.id, options);
  }

  /** Copies host files into the running container (`target` is each file's container path). */
  copyFilesToContainer(files: FileToCopy[]): Promise<void> {
    return this.engine.putArchive(this.id, '/', copyArchive({ files }));
  }

  /** Copies the content of host directories into container directories. */
  copyDirectoriesToContainer(directories: DirectoryToCopy[]): Promise<void> {
    return this.engine.putArchive(this.id, '/', copyArchive({ directories }));
  }

  /** Writes strings, buffers or streams as container files. */
  copyContentToContainer(contents: ContentToCopy[]): Promise<void> {
    return this.engine.putArchive(this.id, '/', copyArchive({ contents }));
  }

  /** Extracts a tar archive into the existing container directory `target` (default `/`). */
  copyArchiveToContainer(tar: AsyncIterable<Buffer>, target = '/'): Promise<void> {
    return this.engine.putArchive(this.id, target, tar);
  }

  /** A container path as a tar stream (named from its last component; `dir/.` for a directory's content). */
  async copyArchiveFromContainer(path: string): Promise<NodeJS.ReadableStream> {
    return (await this.engine.getArchive(this.id, path)).stream;
  }

  /** Copies one regular file of the container to `hostPath` (created or replaced, with its mode). */
  async copyFileFromContainer(path: string, hostPath: string): Promise<void> {
    const { stream } = await this.engine.getArchive(this.id, path);
    try {
      await writeFileFromArchive(path, stream, hostPath);
    } finally {
      stream.destroy();
    }
  }

  /** A container path as a tar stream together with its stat, like Docker's archive API. */
  archive(path: string): Promise<PathArchive> {
    return this.engine.getArchive(this.id, path);
  }

  /** Waits for the container's command to end and returns its exit code. */
  wait(): Promise<ContainerExit> {
    return this.engine.waitContainer(this.id);
  }

  /**
   * Stops the container (SIGKILL after `timeout` ms, default 0) and starts it
   * again: same id, same files. Published ports are read anew.
   */
  async restart(options: { timeout?: number } = {}): Promise<void> {
    await this.engine.restartContainer(this.id, { timeoutMs: options.timeout ?? 0 });
    this.network = (await this.engine.inspectContainer(this.id)).NetworkSettings;
  }

  /** Makes an image of the container as it is now, like `docker commit`; returns the image id. */
  async commit(options: CommitOptions = {}): Promise<string> {
    return (await this.engine.commitContainer(this.id, options)).id;
  }

  /**
   * Snapshots the container's files (one new layer over its image, as
   * {@link commit}, with the content of its anonymous volumes: a database's
   * data directory often is one) together with the settings of the builder
   * that started it, so {@link ContainerSnapshot.start} runs new containers from that
   * point without repeating what led there (an initdb, migrations, seeds).
   * The snapshot goes when this process ends unless `keep` or `name`.
   */
  async snapshot(options: SnapshotOptions = {}): Promise<ContainerSnapshot> {
    const launch = launches.get(this);
    if (!launch) {
      throw new ContainerStateError('only a container started by a builder can be snapshotted', 'start it with GenericContainer.start()');
    }
    const kept = options.keep === true || options.name !== undefined;
    const commit: CommitOptions = {
      temporary: !kept,
      includeAnonymousVolumes: true,
      comment: 'berth snapshot',
      ...(options.name ? { reference: options.name } : {}),
    };
    const image =
      options.quiesce === 'stop'
        ? await this.#whileStopped(launch, () => this.engine.commitContainer(this.id, commit))
        : await this.engine.commitContainer(this.id, commit);
    return new ContainerSnapshot(this.engine, image, kept, launch.builderFor);
  }

  /** Runs `fn` on the container stopped by its stop signal, then starts it again and waits for it as `start()` did. */
  async #whileStopped<T>(launch: Launch, fn: () => Promise<T>): Promise<T> {
    await this.engine.stopContainer(this.id);
    try {
      return await fn();
    } finally {
      await this.engine.startContainer(this.id);
      const strategy = launch.waitStrategy ?? defaultWaitStrategy(await this.engine.inspectContainer(this.id));
      if (strategy) await waitForReady(this.engine, this.id, strategy, launch.startupTimeoutMs);
      this.network = (await this.engine.inspectContainer(this.id)).NetworkSettings;
    }
  }

  /** Stops the container (stop signal, then SIGKILL after `timeout`) and removes it. */
  async stop(options: StopOptions = {}): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    try {
      await this.engine.stopContainer(this.id, { timeoutMs: options.timeout ?? 0 });
      if (options.remove ?? true)
        await this.engine.removeContainer(this.id, { force: true, keepVolumes: !(options.removeVolumes ?? true) });
    } catch (error) {
      // Gone already (auto-removed, or removed through the engine): what stop() wants is done.
      if (!(error instanceof ContainerNotFoundError)) throw error;
    }
  }

  /** Lets `await using container = await …start()` stop and remove it at scope end. */
  async [Symbol.asyncDispose](): Promise<void> {
    if (kept.has(this)) return;
    await this.stop();
  }
}

/** @internal How a container was started: what its snapshots start from, and how it is waited for. */
export interface Launch {
  /** A builder with the container's settings, for another image (a snapshot of it). */
  builderFor: (image: string) => SnapshotLauncher<StartedGenericContainer>;
  /** The strategy `start()` waited with; undefined: the default for the container. */
  waitStrategy: WaitStrategy | undefined;
  startupTimeoutMs: number;
}

const launches = new WeakMap<StartedGenericContainer, Launch>();

/** @internal Records how a started container was started (see {@link StartedGenericContainer.snapshot}). */
export function rememberLaunch(container: StartedGenericContainer, launch: Launch): void {
  launches.set(container, launch);
}

/** Containers made with `withReuse`: disposal leaves them running for the next user. */
const kept = new WeakSet<StartedGenericContainer>();

/** @internal Marks a started container as reusable (kept on dispose). */
export function keepOnDispose(container: StartedGenericContainer): void {
  kept.add(container);
}
