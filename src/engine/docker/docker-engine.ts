import type { ChildProcess } from 'node:child_process';
import { VolumeNotFoundError } from '../../errors.js';
import type {
  ArchiveFormat,
  AttachOptions,
  AttachSession,
  CgroupStats,
  CommitOptions,
  ContainerExit,
  ContainerInfo,
  ContainerSpec,
  ContainerTop,
  CreateVolumeOptions,
  Engine,
  ExecOptions,
  ExecResult,
  ExtractOptions,
  ImageHistoryEntry,
  ImageSummary,
  ImportOptions,
  LoadImagesOptions,
  LogFrame,
  LogRequest,
  NetworkCreateOptions,
  NetworkInfo,
  PathArchive,
  PruneResult,
  PruneVolumesResult,
  PullImageOptions,
  PushImageOptions,
  VolumeInfo,
} from '../api/index.js';
import { applyConfigChanges } from '../image/config-changes.js';
import { attachTo } from './attach.js';
import { createBody, extraNetworks } from './container-spec.js';
import { DockerContainers } from './containers.js';
import { type DockerHostOptions, resolveDockerHost } from './docker-host.js';
import { execIn } from './exec.js';
import { getArchive, putArchive } from './files.js';
import { DockerImages } from './images.js';
import { containerLogs } from './logs.js';
import { DockerNetworks } from './networks.js';
import { currentOwner, type DockerSweepResult, type Owner, sweepDeadOwners } from './owner.js';
import { portListening } from './port-listening.js';
import { DockerTransport } from './transport.js';
import { DockerVolumes } from './volumes.js';
import { startWatcher } from './watcher.js';

/** Options of {@link DockerEngine}; each defaults to the docker CLI's environment variable. */
export type DockerEngineOptions = DockerHostOptions;

/**
 * Berth's {@link Engine} over the Docker Engine API, so the same SDK runs
 * against any Docker daemon: `unix://` sockets and `tcp://` (plain, or TLS
 * with `DOCKER_TLS_VERIFY` and `DOCKER_CERT_PATH`), API version negotiated
 * with the daemon (1.41 or later).
 *
 * Containers, networks and volumes it creates are labelled with their
 * owner (`berth.owner`); a small watcher process removes them when this
 * process ends, however it ends (`keepAlive` containers stay), and an
 * engine's first call sweeps what dead owners on this host left when their
 * watcher died too.
 *
 * @example
 * ```ts
 * const redis = await new RedisContainer(image).start(new DockerEngine());
 * ```
 */
export class DockerEngine implements Engine {
  readonly name = 'docker';
  readonly #api: DockerTransport;
  readonly #images: DockerImages;
  readonly #containers: DockerContainers;
  readonly #networks: DockerNetworks;
  readonly #volumes: DockerVolumes;
  readonly #owner: Owner = currentOwner();
  #ready: Promise<DockerSweepResult> | undefined;
  #watcher: Promise<ChildProcess> | undefined;

  constructor(options: DockerEngineOptions = {}) {
    this.#api = new DockerTransport(resolveDockerHost(options));
    this.#images = new DockerImages(this.#api);
    this.#containers = new DockerContainers(this.#api);
    this.#networks = new DockerNetworks(this.#api);
    this.#volumes = new DockerVolumes(this.#api);
  }

  /** The Docker API version spoken with the daemon (negotiated on first use). */
  apiVersion(): Promise<string> {
    return this.#api.version();
  }

  /** Negotiates the API version, then sweeps what dead owners left; every call waits for it once. */
  ready(): Promise<DockerSweepResult> {
    this.#ready ??= this.#api.version().then(() => sweepDeadOwners(this.#containers, this.#networks, this.#volumes));
    this.#ready.catch(() => {
      this.#ready = undefined; // The daemon may come up later.
    });
    return this.#ready;
  }

  /** Closes the connections to the daemon (the watcher keeps guarding what this process made). */
  async close(): Promise<void> {
    await this.#api.close();
  }

  /** Labels of an owned resource; the watcher is started with the first of them. */
  async #ownedLabels(): Promise<Record<string, string>> {
    this.#watcher ??= this.#api.version().then((version) => startWatcher({ host: this.#api.host, version, owner: this.#owner.id }));
    await this.#watcher;
    return this.#owner.labels;
  }

  // Images

  async pullImage(reference: string, options?: PullImageOptions): Promise<ImageSummary> {
    await this.ready();
    return this.#images.pull(reference, options);
  }

  async importImage(source: AsyncIterable<Buffer>, reference: string, options?: ImportOptions): Promise<ImageSummary> {
    await this.ready();
    return this.#images.import(source, reference, options);
  }

  async inspectImage(reference: string): Promise<ImageSummary | undefined> {
    await this.ready();
    return this.#images.inspect(reference);
  }

  async pushImage(reference: string, options?: PushImageOptions): Promise<{ digest: string; target: string }> {
    await this.ready();
    return this.#images.push(reference, options);
  }

  async listImages(): Promise<ImageSummary[]> {
    await this.ready();
    return this.#images.list();
  }

  async tagImage(source: string, target: string): Promise<void> {
    await this.ready();
    await this.#images.tag(source, target);
  }

  async removeImage(reference: string, options: { force?: boolean } = {}): Promise<{ deleted: boolean }> {
    await this.ready();
    return this.#images.remove(reference, options.force);
  }

  async imageHistory(reference: string): Promise<ImageHistoryEntry[]> {
    await this.ready();
    return this.#images.history(reference);
  }

  async pruneImages(): Promise<PruneResult> {
    await this.ready();
    return this.#images.prune();
  }

  async saveImages(references: string[], destination: string, format: ArchiveFormat): Promise<void> {
    await this.ready();
    await this.#images.save(references, destination, format);
  }

  async loadImages(source: string, options?: LoadImagesOptions): Promise<ImageSummary[]> {
    await this.ready();
    return this.#images.load(source, options);
  }

  // Containers

  /** `TESTCONTAINERS_HOST_OVERRIDE` aside (the SDK applies it), `localhost` for a daemon on a unix socket, else the daemon's host. */
  hostAddress(): string {
    return this.#api.host.kind === 'unix' ? 'localhost' : this.#api.host.host;
  }

  /** See {@link portListening}: the container's /proc tables, from the host when the daemon is local, else by `cat` in the container. */
  async portListening(id: string, port: number, protocol: 'tcp' | 'udp'): Promise<boolean> {
    await this.ready();
    const probe = {
      local: this.#api.host.kind === 'unix',
      inspect: (c: string) => this.#containers.inspect(c),
      exec: (c: string, options: ExecOptions) => this.execContainer(c, options),
    };
    return portListening(probe, id, port, protocol);
  }

  async listContainers(options?: { all?: boolean; labels?: Record<string, string> }): Promise<ContainerInfo[]> {
    await this.ready();
    return this.#containers.list(options);
  }

  async createContainer(spec: ContainerSpec): Promise<string> {
    await this.ready();
    const labels = spec.keepAlive ? {} : await this.#ownedLabels();
    await this.#createNamedVolumes(spec, labels);
    const id = await this.#containers.create(createBody(spec, labels), spec.name);
    try {
      for (const [network, { aliases }] of extraNetworks(spec)) await this.#networks.connect(network, id, aliases);
    } catch (error) {
      await this.#containers.remove(id, { force: true }).catch(() => undefined);
      throw error;
    }
    return id;
  }

  /** Named volumes a mount would make implicitly, made first so they carry the owner's labels too. */
  async #createNamedVolumes(spec: ContainerSpec, labels: Record<string, string>): Promise<void> {
    for (const mount of spec.mounts ?? []) {
      if (mount.type !== 'volume' || !mount.source) continue;
      try {
        await this.#volumes.inspect(mount.source);
      } catch (error) {
        if (!(error instanceof VolumeNotFoundError)) throw error;
        await this.#volumes.create({ name: mount.source }, labels);
      }
    }
  }

  async startContainer(id: string): Promise<void> {
    await this.ready();
    await this.#containers.start(id);
  }

  async killContainer(id: string, signal?: NodeJS.Signals): Promise<void> {
    await this.ready();
    await this.#containers.kill(id, signal);
  }

  async stopContainer(id: string, options: { timeoutMs?: number } = {}): Promise<void> {
    await this.ready();
    await this.#containers.stop(id, options.timeoutMs);
  }

  async waitContainer(id: string): Promise<ContainerExit> {
    await this.ready();
    return this.#containers.wait(id);
  }

  async restartContainer(id: string, options: { timeoutMs?: number } = {}): Promise<void> {
    await this.ready();
    await this.#containers.restart(id, options.timeoutMs);
  }

  async commitContainer(id: string, options?: CommitOptions): Promise<ImageSummary> {
    // Refused as the local engine refuses them, in its words, before the daemon is asked.
    if (options?.changes) applyConfigChanges({}, options.changes);
    await this.ready();
    return this.#images.require(await this.#containers.commit(id, options));
  }

  async pauseContainer(id: string): Promise<void> {
    await this.ready();
    await this.#containers.pause(id);
  }

  async unpauseContainer(id: string): Promise<void> {
    await this.ready();
    await this.#containers.unpause(id);
  }

  async topContainer(id: string): Promise<ContainerTop> {
    await this.ready();
    return this.#containers.top(id);
  }

  async containerStats(id: string): Promise<CgroupStats> {
    await this.ready();
    return this.#containers.stats(id);
  }

  async removeContainer(id: string, options?: { force?: boolean; keepVolumes?: boolean }): Promise<void> {
    await this.ready();
    await this.#containers.remove(id, options);
  }

  async inspectContainer(id: string): Promise<ContainerInfo> {
    await this.ready();
    return this.#containers.inspect(id);
  }

  async containerLogs(id: string, options?: LogRequest): Promise<AsyncIterable<LogFrame>> {
    const info = await this.inspectContainer(id);
    return containerLogs(this.#api, info.Id, info.Config.Tty, options);
  }

  async execContainer(id: string, options: ExecOptions): Promise<ExecResult> {
    await this.ready();
    // A local daemon's processes are this host's: an aborted exec can be killed by pid.
    const killLocal = this.#api.host.kind === 'unix' ? (pid: number) => process.kill(pid, 'SIGKILL') : () => undefined;
    return execIn(this.#api, id, options, killLocal);
  }

  async attachContainer(id: string, options?: AttachOptions): Promise<AttachSession> {
    return attachTo(this.#api, await this.inspectContainer(id), options);
  }

  async putArchive(id: string, path: string, tar: AsyncIterable<Buffer>, options?: ExtractOptions): Promise<void> {
    await this.ready();
    await putArchive(this.#api, id, path, tar, options);
  }

  async getArchive(id: string, path: string): Promise<PathArchive> {
    await this.ready();
    return getArchive(this.#api, id, path);
  }

  // Networks

  async createNetwork(name: string, options: NetworkCreateOptions = {}): Promise<NetworkInfo> {
    await this.ready();
    return this.#networks.create(name, options, await this.#ownedLabels());
  }

  async removeNetwork(name: string): Promise<void> {
    await this.ready();
    await this.#networks.remove(name);
  }

  async listNetworks(): Promise<NetworkInfo[]> {
    await this.ready();
    return this.#networks.list();
  }

  async inspectNetwork(name: string): Promise<NetworkInfo> {
    await this.ready();
    return this.#networks.inspect(name);
  }

  async connectNetwork(network: string, container: string, options: { aliases?: string[] } = {}): Promise<void> {
    await this.ready();
    await this.#networks.connect(network, container, options.aliases);
  }

  async disconnectNetwork(network: string, container: string): Promise<void> {
    await this.ready();
    await this.#networks.disconnect(network, container);
  }

  // Volumes

  async createVolume(options: CreateVolumeOptions = {}): Promise<VolumeInfo> {
    await this.ready();
    return this.#volumes.create(options, await this.#ownedLabels());
  }

  async listVolumes(): Promise<VolumeInfo[]> {
    await this.ready();
    return this.#volumes.list();
  }

  async inspectVolume(name: string): Promise<VolumeInfo> {
    await this.ready();
    return this.#volumes.inspect(name);
  }

  async removeVolume(name: string): Promise<void> {
    await this.ready();
    await this.#volumes.remove(name);
  }

  async pruneVolumes(options: { all?: boolean } = {}): Promise<PruneVolumesResult> {
    await this.ready();
    return this.#volumes.prune(options.all ?? false);
  }
}
