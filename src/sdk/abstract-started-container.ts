import type { Readable } from 'node:stream';
import type { AttachOptions, ContainerExit, PathArchive } from '../engine/api/index.js';
import type { ContentToCopy, DirectoryToCopy, FileToCopy } from '../volumes/copy-sources.js';
import type { ContainerSnapshot, SnapshotOptions } from './container-snapshot.js';
import type { CopyToContainerOptions } from './copy-options.js';
import type { ContainerAttachment, LogOptions } from './log-lines.js';
import {
  type ContainerCommitOptions,
  type ExecCommandOptions,
  type ExecCommandResult,
  isKeptOnDispose,
  type StopOptions,
} from './started-container.js';
import type { StartedTestContainer, StoppedTestContainer } from './test-container.js';

/**
 * The base of a module's started container, as in testcontainers: it wraps
 * the container `GenericContainer.start()` returned and hands every call on
 * to it (each method does what {@link StartedGenericContainer}'s does), so a
 * module adds only its own getters:
 *
 * ```ts
 * class StartedMyDb extends AbstractStartedContainer {
 *   getUrl() { return `mydb://${this.getHost()}:${this.getMappedPort(7000)}`; }
 * }
 * class MyDb extends GenericContainer {
 *   override async start() { return new StartedMyDb(await super.start()); }
 * }
 * ```
 *
 * Override `containerStopping` / `containerStopped` to act around `stop()`.
 */
export class AbstractStartedContainer implements StartedTestContainer {
  constructor(protected readonly startedTestContainer: StartedTestContainer) {}

  /** Runs before the container is stopped. */
  protected containerStopping?(): Promise<void>;

  /** Runs once the container was stopped (and removed, unless asked not to). */
  protected containerStopped?(): Promise<void>;

  async stop(options?: StopOptions): Promise<StoppedTestContainer> {
    await this.containerStopping?.();
    const stopped = await this.startedTestContainer.stop(options);
    await this.containerStopped?.();
    return stopped;
  }

  /** As {@link StartedGenericContainer.restart}. */
  restart(options?: { timeout?: number }): Promise<void> {
    return this.startedTestContainer.restart(options);
  }

  /** As {@link StartedGenericContainer.commit}. */
  commit(options?: ContainerCommitOptions): Promise<string> {
    return this.startedTestContainer.commit(options);
  }

  /** As {@link StartedGenericContainer.getId}. */
  getId(): string {
    return this.startedTestContainer.getId();
  }

  /** As {@link StartedGenericContainer.getName}. */
  getName(): string {
    return this.startedTestContainer.getName();
  }

  /** As {@link StartedGenericContainer.getHostname}. */
  getHostname(): string {
    return this.startedTestContainer.getHostname();
  }

  /** As {@link StartedGenericContainer.getLabels}. */
  getLabels(): Record<string, string> {
    return this.startedTestContainer.getLabels();
  }

  /** As {@link StartedGenericContainer.getHost}. */
  getHost(): string {
    return this.startedTestContainer.getHost();
  }

  /** As {@link StartedGenericContainer.getMappedPort}. */
  getMappedPort(port: number | string, protocol?: 'tcp' | 'udp'): number {
    return this.startedTestContainer.getMappedPort(port, protocol);
  }

  /** As {@link StartedGenericContainer.getFirstMappedPort}. */
  getFirstMappedPort(): number {
    return this.startedTestContainer.getFirstMappedPort();
  }

  /** As {@link StartedGenericContainer.getNetworkNames}. */
  getNetworkNames(): string[] {
    return this.startedTestContainer.getNetworkNames();
  }

  /** As {@link StartedGenericContainer.getNetworkId}. */
  getNetworkId(networkName: string): string {
    return this.startedTestContainer.getNetworkId(networkName);
  }

  /** As {@link StartedGenericContainer.getIpAddress}. */
  getIpAddress(networkName: string): string {
    return this.startedTestContainer.getIpAddress(networkName);
  }

  /** As {@link StartedGenericContainer.inspect}. */
  inspect(): ReturnType<StartedTestContainer['inspect']> {
    return this.startedTestContainer.inspect();
  }

  /** As {@link StartedGenericContainer.logs}. */
  logs(options?: LogOptions): Promise<Readable> {
    return this.startedTestContainer.logs(options);
  }

  /** As {@link StartedGenericContainer.output}. */
  output(options?: Omit<LogOptions, 'follow'>): Promise<string> {
    return this.startedTestContainer.output(options);
  }

  /** As {@link StartedGenericContainer.exec}. */
  exec(command: string | string[], options?: ExecCommandOptions): Promise<ExecCommandResult> {
    return this.startedTestContainer.exec(command, options);
  }

  /** As {@link StartedGenericContainer.attach}. */
  attach(): Promise<Readable> {
    return this.startedTestContainer.attach();
  }

  /** As {@link StartedGenericContainer.snapshot}. */
  snapshot(options?: SnapshotOptions): Promise<ContainerSnapshot> {
    return this.startedTestContainer.snapshot(options);
  }

  /** As {@link StartedGenericContainer.attachStdin}. */
  attachStdin(options?: AttachOptions): Promise<ContainerAttachment> {
    return this.startedTestContainer.attachStdin(options);
  }

  /** As {@link StartedGenericContainer.copyFilesToContainer}. */
  copyFilesToContainer(files: FileToCopy[]): Promise<void> {
    return this.startedTestContainer.copyFilesToContainer(files);
  }

  /** As {@link StartedGenericContainer.copyDirectoriesToContainer}. */
  copyDirectoriesToContainer(directories: DirectoryToCopy[]): Promise<void> {
    return this.startedTestContainer.copyDirectoriesToContainer(directories);
  }

  /** As {@link StartedGenericContainer.copyContentToContainer}. */
  copyContentToContainer(contents: ContentToCopy[]): Promise<void> {
    return this.startedTestContainer.copyContentToContainer(contents);
  }

  /** As {@link StartedGenericContainer.copyArchiveToContainer}. */
  copyArchiveToContainer(tar: AsyncIterable<Buffer>, target?: string, options?: CopyToContainerOptions): Promise<void> {
    return this.startedTestContainer.copyArchiveToContainer(tar, target, options);
  }

  /** As {@link StartedGenericContainer.copyArchiveFromContainer}. */
  copyArchiveFromContainer(path: string): Promise<NodeJS.ReadableStream> {
    return this.startedTestContainer.copyArchiveFromContainer(path);
  }

  /** As {@link StartedGenericContainer.copyFileFromContainer}. */
  copyFileFromContainer(path: string, hostPath: string): Promise<void> {
    return this.startedTestContainer.copyFileFromContainer(path, hostPath);
  }

  /** As {@link StartedGenericContainer.archive}. */
  archive(path: string): Promise<PathArchive> {
    return this.startedTestContainer.archive(path);
  }

  /** As {@link StartedGenericContainer.wait}. */
  wait(): Promise<ContainerExit> {
    return this.startedTestContainer.wait();
  }

  /** `await using`: stops the container at scope end (a reusable one stays, as the wrapped container decides). */
  async [Symbol.asyncDispose](): Promise<void> {
    if (this.containerStopping || this.containerStopped) {
      if (!isKeptOnDispose(this.startedTestContainer)) await this.stop();
      return;
    }
    await this.startedTestContainer[Symbol.asyncDispose]();
  }
}

/**
 * The base of what a module's started container's `stop()` may return, as
 * in testcontainers: wraps the stopped container and hands calls on to it.
 */
export class AbstractStoppedContainer implements StoppedTestContainer {
  constructor(protected readonly stoppedTestContainer: StoppedTestContainer) {}

  getId(): string {
    return this.stoppedTestContainer.getId();
  }

  copyArchiveFromContainer(path: string): Promise<NodeJS.ReadableStream> {
    return this.stoppedTestContainer.copyArchiveFromContainer(path);
  }
}
