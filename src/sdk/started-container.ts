import type { Readable } from 'node:stream';
import type {
  AttachOptions,
  CommitOptions,
  ContainerExit,
  ContainerInfo,
  ContainerSpec,
  Engine,
  ExecOptions,
  ExecResult,
  PathArchive,
} from '../engine/api/index.js';
import { ContainerNotFoundError, ContainerStateError, NetworkError } from '../errors.js';
import { type ContentToCopy, copyArchive, type DirectoryToCopy, type FileToCopy } from '../volumes/copy-sources.js';
import { writeFileFromArchive } from '../volumes/file-from-archive.js';
import { ContainerSnapshot, checkSpares, type SnapshotLauncher, type SnapshotOptions } from './container-snapshot.js';
import { type CopyToContainerOptions, extractOptions } from './copy-options.js';
import { sdkHost } from './host.js';
import { attachmentOf, type ContainerAttachment, type LogOptions, logLines, logText } from './log-lines.js';
import { parsePort } from './ports.js';
import { tarStream } from './readable-of.js';
import { StoppedGenericContainer } from './stopped-container.js';
import type { StartedTestContainer } from './test-container.js';
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

/** Options of {@link StartedGenericContainer.commit}, as testcontainers takes them. */
export interface ContainerCommitOptions {
  /** Repository of the new image, e.g. `127.0.0.1:5000/team/app`. */
  repo?: string;
  /** Its tag (default `latest` when `repo` is given). */
  tag?: string;
  /** Or the whole reference at once. */
  reference?: string;
  /** Recorded in the image's history, as `docker commit -m`. */
  comment?: string;
  author?: string;
  /** Dockerfile instructions applied to the image's config, as `docker commit -c` (an array, or one per line). */
  changes?: string[] | string;
  /**
   * Remove the image when this process ends, as testcontainers does (default
   * true); after a SIGKILL the next engine to start removes it. `false` keeps it.
   */
  deleteOnExit?: boolean;
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

/** What a started container knows of how it was started; modules pass it on to their own started type. */
export interface StartedContext {
  engine: Engine;
  /** The container as inspected once it was ready. */
  info: ContainerInfo;
  spec: ContainerSpec;
  /** What `start()` waited for; `restart()` waits for it again. */
  waitStrategy: WaitStrategy | undefined;
  /** The container's own startup timeout (`withStartupTimeout`), if set. */
  startupTimeoutMs: number | undefined;
  /** A builder with the container's settings for another image: what its snapshots start from. */
  snapshotBuilder?: (image: string) => SnapshotLauncher<StartedTestContainer>;
}

/** A container that {@link GenericContainer.start} started. */
export class StartedGenericContainer implements AsyncDisposable {
  #stopped: Promise<StoppedGenericContainer> | undefined;
  protected readonly engine: Engine;
  #info: ContainerInfo;

  constructor(protected readonly context: StartedContext) {
    this.engine = context.engine;
    this.#info = context.info;
  }

  /** The container's 64-hex id. */
  getId(): string {
    return this.#info.Id;
  }

  /** The container's name as Docker reports it, with the leading `/` (`/my-name` for `withName('my-name')`). */
  getName(): string {
    return this.#info.Name;
  }

  /** The container's hostname (`withHostname`, else the first 12 characters of its id). */
  getHostname(): string {
    return this.#info.Config.Hostname;
  }

  /** The container's labels: the image's, Berth's and those given with `withLabels`. */
  getLabels(): Record<string, string> {
    return { ...this.#info.Config.Labels };
  }

  /** Host to reach the container's published ports from this process (`TESTCONTAINERS_HOST_OVERRIDE` wins). */
  getHost(): string {
    return sdkHost(this.engine);
  }

  /** The host port a container port is published on: `getMappedPort(80)`, `getMappedPort(53, 'udp')` or `getMappedPort('53/udp')`. */
  getMappedPort(port: number | string, protocol?: 'tcp' | 'udp'): number {
    const parsed = parsePort(port);
    const key = `${parsed.port}/${protocol ?? parsed.protocol}`;
    const binding = this.#info.NetworkSettings.Ports[key]?.[0];
    if (!binding) {
      throw new NetworkError(`container port ${key} is not published`, { hint: 'publish it with withExposedPorts() before start()' });
    }
    return Number(binding.HostPort);
  }

  /** The host port of the first published port. */
  getFirstMappedPort(): number {
    const first = Object.values(this.#info.NetworkSettings.Ports).find((b) => b && b.length > 0)?.[0];
    if (!first) throw new NetworkError('the container publishes no port', { hint: 'publish one with withExposedPorts()' });
    return Number(first.HostPort);
  }

  /** Names of the networks the container was started on. */
  getNetworkNames(): string[] {
    return Object.keys(this.#info.NetworkSettings.Networks);
  }

  /** The id of a network the container is on (from {@link getNetworkNames}). */
  getNetworkId(networkName: string): string {
    return this.#network(networkName).NetworkID;
  }

  /** The container's address on a network (from {@link getNetworkNames}). */
  getIpAddress(networkName: string): string {
    return this.#network(networkName).IPAddress;
  }

  #network(name: string): ContainerInfo['NetworkSettings']['Networks'][string] {
    const network = this.#info.NetworkSettings.Networks[name];
    if (!network) {
      throw new NetworkError(`the container is not on network ${name}`, {
        hint: `it is on: ${this.getNetworkNames().join(', ') || 'none'}`,
      });
    }
    return network;
  }

  /** Current state, shaped like `docker inspect`. */
  inspect(): Promise<ContainerInfo> {
    return this.engine.inspectContainer(this.getId());
  }

  /**
   * The container's output as a live stream, one chunk per line, as
   * testcontainers' `logs()`: what was written so far, then new output
   * until the container ends. `since` (Date, or seconds since the epoch)
   * and `tail` select as in `docker logs`; `follow: false` ends at what was written so far.
   */
  logs(options: LogOptions = {}): Promise<Readable> {
    return logLines((request) => this.engine.containerLogs(this.getId(), request), { follow: true, ...options });
  }

  /** Output so far as one string (both streams, in order). */
  async output(options: Omit<LogOptions, 'follow'> = {}): Promise<string> {
    const { timestamps, ...selection } = options;
    return logText(await this.engine.containerLogs(this.getId(), selection), timestamps);
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
    const result = await this.engine.execContainer(this.getId(), {
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
    return logLines((request) => this.engine.containerLogs(this.getId(), request), { follow: true, tail: 0 });
  }

  /**
   * Attaches to the container's stdin and terminal (`docker attach` with
   * input): write, end (EOF) and resize, with its output from now on.
   * Needs {@link GenericContainer.withOpenStdin} (to write) or
   * {@link GenericContainer.withTty} (to resize).
   */
  async attachStdin(options: AttachOptions = {}): Promise<ContainerAttachment> {
    return attachmentOf(await this.engine.attachContainer(this.getId(), options));
  }

  /** Copies host files into the running container (`target` is each file's container path). */
  copyFilesToContainer(files: FileToCopy[]): Promise<void> {
    return this.engine.putArchive(this.getId(), '/', copyArchive({ files }));
  }

  /** Copies the content of host directories into container directories. */
  copyDirectoriesToContainer(directories: DirectoryToCopy[]): Promise<void> {
    return this.engine.putArchive(this.getId(), '/', copyArchive({ directories }));
  }

  /** Writes strings, buffers or streams as container files. */
  copyContentToContainer(contents: ContentToCopy[]): Promise<void> {
    return this.engine.putArchive(this.getId(), '/', copyArchive({ contents }));
  }

  /** Extracts a tar archive into the existing container directory `target` (default `/`); `options` as in {@link CopyToContainerOptions}. */
  copyArchiveToContainer(tar: AsyncIterable<Buffer>, target = '/', options: CopyToContainerOptions = {}): Promise<void> {
    return this.engine.putArchive(this.getId(), target, tar, extractOptions(options));
  }

  /** A container path as a tar stream (named from its last component; `dir/.` for a directory's content). */
  async copyArchiveFromContainer(path: string): Promise<NodeJS.ReadableStream> {
    return tarStream(await this.engine.getArchive(this.getId(), path));
  }

  /** Copies one regular file of the container to `hostPath` (created or replaced, with its mode). */
  async copyFileFromContainer(path: string, hostPath: string): Promise<void> {
    const { stream } = await this.engine.getArchive(this.getId(), path);
    try {
      await writeFileFromArchive(path, stream, hostPath);
    } finally {
      stream.destroy();
    }
  }

  /** A container path as a tar stream together with its stat, like Docker's archive API. */
  archive(path: string): Promise<PathArchive> {
    return this.engine.getArchive(this.getId(), path);
  }

  /** Waits for the container's command to end and returns its exit code. */
  wait(): Promise<ContainerExit> {
    return this.engine.waitContainer(this.getId());
  }

  /**
   * Stops the container (SIGKILL after `timeout` ms, default 0) and starts it
   * again: same id, same files. Resolves once the container is ready again by
   * the wait strategy `start()` used (only output written after the restart
   * counts); published ports are read anew.
   */
  async restart(options: { timeout?: number } = {}): Promise<void> {
    await this.engine.restartContainer(this.getId(), { timeoutMs: options.timeout ?? 0 });
    this.#info = await this.engine.inspectContainer(this.getId());
    const { waitStrategy, startupTimeoutMs } = this.context;
    const since = new Date(this.#info.State.StartedAt);
    if (waitStrategy) await waitForReady(this.engine, this.getId(), waitStrategy, { containerTimeoutMs: startupTimeoutMs, since });
    this.#info = await this.engine.inspectContainer(this.getId());
  }

  /**
   * Makes an image of the container as it is now, like `docker commit`;
   * returns the image id. `repo` and `tag` name it (else it is untagged),
   * `changes` are Dockerfile instructions applied to its config
   * (`['ENV A=1', 'CMD ["app"]']`), `comment` lands in its history. The
   * image goes when this process ends unless `deleteOnExit: false`.
   */
  async commit(options: ContainerCommitOptions = {}): Promise<string> {
    const { repo, tag, changes, comment, author, deleteOnExit = true } = options;
    const reference = options.reference ?? (repo ? `${repo}:${tag ?? 'latest'}` : undefined);
    const image = await this.engine.commitContainer(this.getId(), {
      temporary: deleteOnExit,
      ...(reference ? { reference } : {}),
      ...(comment ? { comment } : {}),
      ...(author ? { author } : {}),
      ...(changes ? { changes: typeof changes === 'string' ? [changes] : changes } : {}),
    });
    return image.Id;
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
    const { snapshotBuilder } = this.context;
    if (!snapshotBuilder) {
      throw new ContainerStateError('only a container started by a builder can be snapshotted', 'start it with GenericContainer.start()');
    }
    const spares = checkSpares(options.spares);
    const kept = options.keep === true || options.name !== undefined;
    const commit: CommitOptions = {
      temporary: !kept,
      includeAnonymousVolumes: true,
      comment: 'berth snapshot',
      ...(options.name ? { reference: options.name } : {}),
    };
    const image =
      options.quiesce === 'stop'
        ? await this.#whileStopped(() => this.engine.commitContainer(this.getId(), commit))
        : await this.engine.commitContainer(this.getId(), commit);
    return new ContainerSnapshot(this.engine, image, kept, snapshotBuilder, spares);
  }

  /** Runs `fn` on the container stopped by its stop signal, then starts it again and waits for it as `start()` did. */
  async #whileStopped<T>(fn: () => Promise<T>): Promise<T> {
    await this.engine.stopContainer(this.getId());
    try {
      return await fn();
    } finally {
      await this.engine.startContainer(this.getId());
      this.#info = await this.engine.inspectContainer(this.getId());
      const strategy = this.context.waitStrategy ?? defaultWaitStrategy(this.#info);
      const since = new Date(this.#info.State.StartedAt);
      if (strategy) await waitForReady(this.engine, this.getId(), strategy, { containerTimeoutMs: this.context.startupTimeoutMs, since });
      this.#info = await this.engine.inspectContainer(this.getId());
    }
  }

  /**
   * Stops the container (stop signal, then SIGKILL after `timeout` ms,
   * default 0) and removes it unless `remove: false`; resolves to the stopped
   * container. Calling it again returns the same result.
   */
  stop(options: StopOptions = {}): Promise<StoppedGenericContainer> {
    this.#stopped ??= this.#stop(options);
    return this.#stopped;
  }

  async #stop(options: StopOptions): Promise<StoppedGenericContainer> {
    await this.containerStopping?.();
    try {
      await this.engine.stopContainer(this.getId(), { timeoutMs: options.timeout ?? 0 });
      if (options.remove ?? true) {
        await this.engine.removeContainer(this.getId(), { force: true, keepVolumes: !(options.removeVolumes ?? true) });
      }
    } catch (error) {
      // Gone already (auto-removed, or removed through the engine): what stop() wants is done.
      if (!(error instanceof ContainerNotFoundError)) throw error;
    }
    await this.containerStopped?.();
    return new StoppedGenericContainer(this.engine, this.getId());
  }

  /** Runs before the container is stopped; modules override it (e.g. to flush state). */
  protected containerStopping?(): Promise<void>;

  /** Runs once the container was stopped (and removed, unless asked not to). */
  protected containerStopped?(): Promise<void>;

  /** Lets `await using container = await …start()` stop and remove it at scope end. */
  async [Symbol.asyncDispose](): Promise<void> {
    if (kept.has(this)) return;
    await this.stop();
  }
}

/** Containers made with `withReuse`: disposal leaves them running for the next user. */
const kept = new WeakSet<StartedGenericContainer>();

/** @internal Marks a started container as reusable (kept on dispose). */
export function keepOnDispose(container: StartedGenericContainer): void {
  kept.add(container);
}

/** @internal Whether disposal leaves this container running (made with `withReuse`). */
export function isKeptOnDispose(container: object): boolean {
  return kept.has(container as StartedGenericContainer);
}
