import * as fs from 'node:fs';
import { constants as osConstants } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { debug } from '../../debug.js';
import { ContainerStateError, ImageNotPresentError, PermissionError } from '../../errors.js';
import { NetworkManager } from '../../net/network-manager.js';
import { networkInfo, networkSettings } from '../../net/network-shape.js';
import type { PortMapping } from '../../net/port-proxy.js';
import { keepPortsServed } from '../../net/port-takeover.js';
import { type NetworkSweepResult, sweepNetworks } from '../../net/sweep-networks.js';
import { ContainerFiles } from '../../volumes/container-files.js';
import { VolumeManager } from '../../volumes/volume-manager.js';
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
  EngineCapabilities,
  ExecOptions,
  ExecResult,
  ExtractOptions,
  ImageConfig,
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
import { ContainerCgroup } from '../cgroups/container-cgroup.js';
import { type BerthConfig, checkConfig, loadConfig } from '../config.js';
import { resolveArgv, resolveEnv, resolveWorkingDir } from '../container/command.js';
import { type ContainerRecord, ContainerStore } from '../container/container-store.js';
import { checkArgv, validateSpec } from '../container/validate-spec.js';
import { resolveHealthCheck } from '../health/health-check.js';
import { applyConfigChanges } from '../image/config-changes.js';
import { type ImageRecord, ImageStore, removesTagOnly, tagNamed } from '../image/image-store.js';
import { hostPlatform, matchesPlatform, type Platform, parsePlatform } from '../image/manifest.js';
import { dropAtProcessEnd, type OwnedImageContext, sweepOwnedImages } from '../image/owned-images.js';
import { formatReference, type ImageReference, parseReference } from '../image/reference.js';
import { pruneStore, storeAdditions, takeBack } from '../image/store-prune.js';
import { hostRunDir, statePaths } from '../paths.js';
import { listensInside } from '../proc-net-sockets.js';
import { openAttachSession } from '../runtime/attach-session.js';
import { followLines, readFrames, selectLines, toLogFrame } from '../runtime/log-frames.js';
import { sweepLockFiles, trySyncLock, withFileLock } from '../state/file-lock.js';
import { identify } from '../state/process-identity.js';
import { ContainerRuntime, type ExitRecord } from './container-runtime.js';
import { inspectShape } from './inspect-shape.js';
import { sweepOrphans, sweepWhenGone } from './sweep.js';

/** Options of {@link LocalEngine}. */
export interface LocalEngineOptions {
  /** State root; default `$BERTH_ROOT` or `/var/lib/berth`. */
  root?: string;
  /** Registry settings; default: read by {@link loadConfig}. */
  config?: BerthConfig;
}

const DEFAULT_STOP_TIMEOUT_MS = 10_000;

/**
 * The daemonless engine: images in a local content store, containers run by
 * the native helper in fresh namespaces, all state under one berth root.
 * Registry, archive, import, commit and health-check code is imported at
 * first use: a process that only runs containers never loads undici, tar or
 * fzstd (a fresh test-runner process per file pays every import).
 */
export class LocalEngine implements Engine {
  readonly name = 'local';
  readonly images: ImageStore;
  readonly containers: ContainerStore;
  readonly runtime: ContainerRuntime;
  readonly networks: NetworkManager;
  /** Containers of other processes whose ports this one keeps served (reuse). */
  readonly #served = new Set<string>();
  /** The start-up sweep of networks left by dead owners (container starts wait for it). */
  readonly networkSweep: Promise<NetworkSweepResult | undefined>;
  readonly volumes: VolumeManager;
  readonly files: ContainerFiles;
  readonly #pulls = new Map<string, Promise<ImageRecord>>();
  readonly #config: BerthConfig;
  /** Port relays for containers of other processes, and a host-wide lock per reusable configuration. */
  readonly capabilities: EngineCapabilities = {
    servePorts: (id) => this.#servePorts(id),
    // Host-wide, not per state root: a reused container is found by its label through whichever engine.
    reuseLock: (key, fn) => withFileLock(join(hostRunDir(), 'locks'), key, fn),
  };

  constructor(options: LocalEngineOptions = {}) {
    if (process.getuid?.() !== 0) {
      throw new PermissionError('the local Berth engine needs root for now', 'run the tests as root (rootless support is planned)');
    }
    const paths = statePaths(options.root);
    this.#config = options.config ? checkConfig(options.config) : loadConfig();
    this.images = new ImageStore(paths, { keepLayerBlobs: this.#config.keepLayerBlobs ?? false });
    this.containers = new ContainerStore(paths.containers);
    this.networks = new NetworkManager();
    this.runtime = new ContainerRuntime(this.containers, this.images, this.networks);
    this.volumes = new VolumeManager(paths, this.containers);
    this.files = new ContainerFiles(this.containers, this.images, this.runtime);
    // Containers first: the anonymous volumes of the containers this sweep takes go in the same start.
    const { dying } = sweepOrphans(this.containers);
    sweepOwnedImages(this.#ownedContext);
    this.volumes.sweepOrphans();
    if (dying.length > 0) this.#sweepWhenGone(dying);
    sweepLockFiles(paths.locks);
    this.containers.emptyTrash();
    this.networkSweep = sweepNetworks(this.networks.store).catch((error: unknown) => {
      debug('network sweep failed: %s', (error as Error).message);
      return undefined;
    });
  }

  /**
   * What monitors of containers whose owner died leave behind (names,
   * anonymous volumes, lock files still held while they ran, and a network
   * that only they kept: the start sweep saw them still attached), swept
   * once they are done.
   */
  #sweepWhenGone(dying: string[]): void {
    void sweepWhenGone(this.containers, dying, () => {
      this.containers.sweepNames();
      this.volumes.sweepOrphans();
      sweepLockFiles(this.images.paths.locks);
      void sweepNetworks(this.networks.store).catch((error: unknown) => debug('network sweep failed: %s', (error as Error).message));
    }).catch((error: unknown) => debug('sweep after monitors failed: %s', (error as Error).message));
  }

  async pullImage(reference: string, options: PullImageOptions = {}): Promise<ImageSummary> {
    const policy = options.policy ?? 'missing';
    const found = this.images.resolve(reference);
    // A tag pulled for another platform is not the image asked for.
    const present = found && (!options.platform || matchesPlatform(found.config, parsePlatform(options.platform))) ? found : undefined;
    if (present && policy !== 'always') return summary(present);
    if (policy === 'never') throw new ImageNotPresentError(reference);
    const ref = parseReference(reference);
    const key = `${formatReference(ref)} ${options.platform ?? ''}`;
    let job = this.#pulls.get(key);
    if (!job) {
      const platform = options.platform ? parsePlatform(options.platform) : hostPlatform();
      job = this.#pullFromSources(ref, platform, options).finally(() => this.#pulls.delete(key));
      this.#pulls.set(key, job);
    }
    return summary(await job);
  }

  /**
   * Tries each mirror, then the registry; the registry's error is the one
   * reported. What the failed attempts added to the store is taken back once
   * all of them failed (until then a later source may use it).
   */
  async #pullFromSources(ref: ImageReference, platform: Platform, options: PullImageOptions): Promise<ImageRecord> {
    const [{ registrySources }, { pullImage }] = await Promise.all([import('../image/registry-sources.js'), import('../image/pull.js')]);
    const sources = await registrySources(ref, this.#config, options.credentials);
    const added = storeAdditions();
    for (const [i, client] of sources.entries()) {
      try {
        const pull = () =>
          pullImage(this.images, client, ref, { platform, added, ...(options.onProgress ? { onProgress: options.onProgress } : {}) });
        return await this.#storeLock(pull, 'shared');
      } catch (error) {
        if (i === sources.length - 1) {
          await this.#storeLock(async () => takeBack(this.images, this.#layersInUse(), added), 'exclusive').catch((e: unknown) => {
            debug('could not take back what the failed pull of %s added: %s', formatReference(ref), (e as Error).message);
          });
          throw error;
        }
        debug('mirror %s failed for %s, trying the next source: %s', client.endpoint, formatReference(ref), (error as Error).message);
      }
    }
    throw new Error('unreachable: the registry itself is always a source');
  }

  async importImage(source: AsyncIterable<Buffer>, reference: string, options: ImportOptions = {}): Promise<ImageSummary> {
    const { importImage } = await import('../image/import.js');
    return summary(await importImage(this.images, source, reference, options));
  }

  async pushImage(reference: string, options: PushImageOptions = {}): Promise<{ digest: string; target: string }> {
    const record = this.images.resolve(reference);
    if (!record) throw new ImageNotPresentError(reference);
    // The repository the reference names, as `docker push`; an image named by id goes to its first tag.
    const target = formatReference(parseReference(options.target ?? tagNamed(record, reference) ?? record.repoTags[0] ?? reference));
    const ref = parseReference(target);
    const sameRegistry = record.repoTags.map(parseReference).filter((r) => r.registry === ref.registry);
    const [{ dockerCredentials }, { pushStoredImage }, { clientOptions }] = await Promise.all([
      import('../image/docker-credentials.js'),
      import('../image/image-push.js'),
      import('../image/registry-sources.js'),
    ]);
    const credentials = options.credentials ?? (await dockerCredentials(ref.registry));
    const insecure = this.#config.insecureRegistries.includes(ref.registry) ? { insecure: true } : {};
    const push = () =>
      pushStoredImage(this.images, record, target, {
        ...clientOptions(this.#config),
        ...insecure,
        ...(credentials ? { credentials } : {}),
        mountFrom: sameRegistry.map((r) => r.repository),
      });
    // Shared: a prune must not take layers away while they are read for the push.
    const { digest } = await this.#storeLock(push, 'shared');
    return { digest, target };
  }

  async inspectImage(reference: string): Promise<ImageSummary | undefined> {
    const record = this.images.resolve(reference);
    return record ? summary(record) : undefined;
  }

  async createContainer(spec: ContainerSpec): Promise<string> {
    validateSpec(spec); // Before any lock, directory, name link or volume.
    return this.#storeLock(async () => this.#createContainer(spec), 'shared');
  }

  async listImages(): Promise<ImageSummary[]> {
    return this.images.list().map(summary);
  }

  async tagImage(source: string, target: string): Promise<void> {
    const record = this.images.resolve(source);
    if (!record) throw new ImageNotPresentError(source);
    this.images.tag(record.id, formatReference(parseReference(target)));
  }

  async removeImage(reference: string, options: { force?: boolean } = {}): Promise<{ deleted: boolean }> {
    const record = this.images.resolve(reference);
    if (!record) throw new ImageNotPresentError(reference);
    // Untagging leaves the image to its containers; only its last reference is refused.
    const users = removesTagOnly(record, reference) ? [] : this.containers.list().filter((c) => c.imageId === record.id);
    if (users.length > 0 && !options.force) {
      throw new ContainerStateError(
        `image ${reference} is used by container ${users[0]?.name}`,
        'remove the container first, or remove the image with force (the container keeps its layers)',
      );
    }
    const { deleted } = this.images.remove(reference);
    if (deleted) await this.pruneImages();
    return { deleted };
  }

  async imageHistory(reference: string): Promise<ImageHistoryEntry[]> {
    const record = this.images.resolve(reference);
    if (!record) throw new ImageNotPresentError(reference);
    return (record.config.history ?? []).map((h) => ({
      Created: h.created ?? '',
      CreatedBy: h.created_by ?? '',
      Comment: h.comment ?? '',
      EmptyLayer: h.empty_layer ?? false,
    }));
  }

  async pruneImages(): Promise<PruneResult> {
    return this.#storeLock(async () => pruneStore(this.images, this.#layersInUse()), 'exclusive');
  }

  /** Chain ids of the layers containers run on (their images may be gone). */
  #layersInUse(): string[] {
    return this.containers.list().flatMap((c) => c.chainIds);
  }

  /** Start, restart and removal of one container are one at a time across processes. */
  #containerLock<T>(id: string, fn: () => Promise<T>): Promise<T> {
    return withFileLock(this.images.paths.locks, `container-${id}`, fn);
  }

  /** Pulls and container creation share the store; a prune needs it alone. */
  #storeLock<T>(fn: () => Promise<T>, mode: 'shared' | 'exclusive'): Promise<T> {
    return withFileLock(this.images.paths.locks, 'store', fn, mode);
  }

  async #createContainer(spec: ContainerSpec): Promise<string> {
    const image = this.images.resolve(spec.image);
    if (!image) throw new ImageNotPresentError(spec.image);
    const id = ContainerStore.newId();
    const hostname = spec.hostname ?? id.slice(0, 12);
    const argv = resolveArgv(spec, image.config);
    checkArgv(argv, spec.entrypoint || image.config.config?.Entrypoint?.length ? 'entrypoint' : 'command');
    const user = spec.user ?? (image.config.config?.User || undefined);
    const healthcheck = resolveHealthCheck(spec.healthcheck, image.config);
    const record: ContainerRecord = {
      id,
      name: spec.name ?? `berth-${id.slice(0, 12)}`,
      created: new Date().toISOString(),
      spec: { ...spec, ...(user ? { user } : {}) },
      imageId: image.id,
      chainIds: image.chainIds,
      hostname,
      argv,
      env: resolveEnv(spec, image.config, hostname),
      workingDir: resolveWorkingDir(spec, image.config),
      stopSignal: spec.stopSignal ?? (image.config.config?.StopSignal as NodeJS.Signals | undefined) ?? 'SIGTERM',
      owner: identify(),
      ...(healthcheck ? { healthcheck } : {}),
    };
    const request = { ...spec, imageVolumes: Object.keys(image.config.config?.Volumes ?? {}), containerId: id };
    const plan = await this.volumes.plan(request, (mounts) => this.containers.create({ ...record, mounts }));
    const created = { ...record, mounts: plan.mounts };
    try {
      await this.files.copyUp(created, plan.copyUp);
    } catch (error) {
      this.containers.remove(created);
      await this.volumes.releaseAnonymous(created);
      throw error;
    }
    return id;
  }

  async startContainer(idOrName: string): Promise<void> {
    const record = this.containers.get(idOrName);
    await this.networkSweep;
    await this.#containerLock(record.id, () => this.runtime.start(record));
    await this.#startHealthChecks(record);
  }

  /** Health checks run here, in the process that started the container, until it stops. */
  async #startHealthChecks(record: ContainerRecord): Promise<void> {
    if (!record.healthcheck) return;
    const { runHealthChecks } = await import('../health/health-runner.js');
    const running = this.runtime.running(record.id);
    if (!running) return;
    runHealthChecks({
      check: record.healthcheck,
      file: this.containers.dirs(record.id).health,
      exec: (options) => this.runtime.exec(record, options),
      // The freezer itself: another process may have paused it.
      paused: () => running.cgroup.isFrozen(),
      // Not running.exited(): that holds Node alive, and checks alone must not.
      exited: this.runtime.settled(record.id),
    });
  }

  async killContainer(idOrName: string, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    this.runtime.kill(this.containers.get(idOrName), signal);
  }

  async stopContainer(idOrName: string, options: { timeoutMs?: number } = {}): Promise<void> {
    const record = this.containers.get(idOrName);
    await this.runtime.stop(record, options.timeoutMs ?? record.spec.stopTimeoutMs ?? DEFAULT_STOP_TIMEOUT_MS);
  }

  async restartContainer(idOrName: string, options: { timeoutMs?: number } = {}): Promise<void> {
    const record = this.containers.get(idOrName);
    await this.#containerLock(record.id, async () => {
      await this.runtime.stop(record, options.timeoutMs ?? record.spec.stopTimeoutMs ?? DEFAULT_STOP_TIMEOUT_MS);
      await this.runtime.start(record);
    });
    await this.#startHealthChecks(record);
  }

  async commitContainer(idOrName: string, options: CommitOptions = {}): Promise<ImageSummary> {
    const record = this.containers.get(idOrName);
    const info = await this.inspectContainer(record.id);
    const parent = this.images.get(record.imageId);
    if (!parent) throw new ImageNotPresentError(record.imageId);
    const grafts = options.includeAnonymousVolumes
      ? (record.mounts ?? []).filter((m) => m.type === 'volume' && m.anonymous).map((m) => ({ target: m.target, dir: m.source }))
      : [];
    const config = withoutVolumes(
      applyConfigChanges(committedConfig(parent.config.config ?? {}, info), options.changes ?? []),
      grafts.map((g) => g.target),
    );
    const { commitImage } = await import('../image/commit.js');
    const running = this.runtime.running(record.id);
    const pause = running !== undefined && !running.paused;
    // Paused, as Docker does, so the layer is one moment of the container's files.
    if (pause) await this.runtime.setPaused(record, true);
    try {
      const commit = () => commitImage(this.images, parent, this.containers.dirs(record.id).upper, config, options, grafts);
      const image = await this.#storeLock(commit, 'shared');
      if (image.owner) dropAtProcessEnd(this.#ownedContext, image.id);
      return summary(image);
    } finally {
      if (pause) await this.runtime.setPaused(record, false);
    }
  }

  /** What dropping an owned image needs: the store, the containers that may use it, the store's lock. */
  get #ownedContext(): OwnedImageContext {
    return {
      store: this.images,
      users: () => this.containers.list(),
      tryExclusive: (fn, waitMs) => trySyncLock(this.images.paths.locks, 'store', fn, waitMs),
    };
  }

  async pauseContainer(idOrName: string): Promise<void> {
    await this.runtime.setPaused(this.containers.get(idOrName), true);
  }

  async unpauseContainer(idOrName: string): Promise<void> {
    await this.runtime.setPaused(this.containers.get(idOrName), false);
  }

  async topContainer(idOrName: string): Promise<ContainerTop> {
    return this.runtime.top(this.containers.get(idOrName));
  }

  async containerStats(idOrName: string): Promise<CgroupStats> {
    return this.runtime.stats(this.containers.get(idOrName));
  }

  async waitContainer(idOrName: string): Promise<ContainerExit> {
    const record = this.containers.get(idOrName);
    const status = await this.runtime.wait(record);
    if (!status) throw new ContainerStateError(`container ${record.name} has not been started`);
    return toExit(status);
  }

  async removeContainer(idOrName: string, options: { force?: boolean; keepVolumes?: boolean } = {}): Promise<void> {
    const record = this.containers.get(idOrName);
    await this.#containerLock(record.id, () => this.#remove(record, options.force ?? false));
    await this.volumes.releaseAnonymous(record, options.keepVolumes);
  }

  async #remove(record: ContainerRecord, force: boolean): Promise<void> {
    if (this.runtime.running(record.id)) {
      if (!force) {
        throw new ContainerStateError(`container ${record.name} is running`, 'stop it first, or remove it with force');
      }
      await this.runtime.stop(record, 0);
    }
    ContainerCgroup.of(record.id).remove();
    this.containers.remove(record);
    // The lock goes with the container; anyone still waiting on it finds the container gone.
    fs.rmSync(join(this.images.paths.locks, `container-${record.id}.lock`), { force: true });
  }

  async execContainer(idOrName: string, options: ExecOptions): Promise<ExecResult> {
    return this.runtime.exec(this.containers.get(idOrName), options);
  }

  async attachContainer(idOrName: string, options: AttachOptions = {}): Promise<AttachSession> {
    const record = this.containers.get(idOrName);
    const { openStdin, tty } = record.spec;
    if (!openStdin && (!tty || options.stdin !== undefined)) {
      throw new ContainerStateError(
        `container ${record.name} was not created with openStdin${tty ? '' : ' or tty'}`,
        'create it with openStdin: true (GenericContainer.withOpenStdin()) to write its stdin, or tty: true (withTty()) to resize its terminal',
      );
    }
    if (!this.runtime.running(record.id)) throw new ContainerStateError(`container ${record.name} is not running`, 'start it first');
    // Opened first, so whatever the input makes the container write is seen.
    const detach = new AbortController();
    const output = await this.containerLogs(record.id, { follow: true, tail: 0, signal: detach.signal });
    try {
      return await openAttachSession(
        this.containers.dirs(record.id).attach,
        record.name,
        { frames: output, end: () => detach.abort() },
        options,
      );
    } catch (error) {
      detach.abort();
      throw error;
    }
  }

  async listContainers(options: { all?: boolean; labels?: Record<string, string> } = {}): Promise<ContainerInfo[]> {
    const wanted = Object.entries(options.labels ?? {});
    const found: ContainerInfo[] = [];
    for (const record of this.containers.list()) {
      if (!wanted.every(([k, v]) => record.spec.labels?.[k] === v)) continue;
      const info = await this.inspectContainer(record.id).catch(() => undefined); // Removed meanwhile.
      if (info && (options.all || info.State.Running)) found.push(info);
    }
    return found;
  }

  /** The port relays listen on the host's loopback (and any address asked for). */
  hostAddress(): string {
    return '127.0.0.1';
  }

  /** Reads the container's /proc/<pid>/net tables from the host: nothing runs in the container. */
  async portListening(idOrName: string, port: number, protocol: 'tcp' | 'udp'): Promise<boolean> {
    const running = this.runtime.running(this.containers.get(idOrName).id);
    return running !== undefined && listensInside(running.pid, port, protocol);
  }

  async #servePorts(idOrName: string): Promise<void> {
    const record = this.containers.get(idOrName);
    if (this.runtime.startedHere(record.id) || this.#served.has(record.id)) return;
    const ports = readPorts(this.containers.dirs(record.id).ports);
    const [address] = this.networks.endpointsOf(record.id).map((e) => e.endpoint.ip);
    if (ports.length === 0 || !address) return;
    this.#served.add(record.id);
    await keepPortsServed(ports, address, async () => this.runtime.running(record.id) !== undefined);
  }

  async inspectContainer(idOrName: string): Promise<ContainerInfo> {
    const record = this.containers.get(idOrName);
    const running = this.runtime.running(record.id);
    const exit = running ? undefined : this.runtime.exitRecord(record);
    const info = inspectShape(record, running, exit);
    const health =
      record.healthcheck && (await import('../health/health-runner.js')).readHealthState(this.containers.dirs(record.id).health);
    if (health) info.State.Health = health;
    if (running) {
      const ports = readPorts(this.containers.dirs(record.id).ports);
      info.NetworkSettings = networkSettings(this.networks.endpointsOf(record.id), ports);
    }
    return info;
  }

  async createNetwork(name: string, options: NetworkCreateOptions = {}): Promise<NetworkInfo> {
    await this.networkSweep;
    return networkInfo(await this.networks.create(name, options));
  }

  async removeNetwork(name: string): Promise<void> {
    await this.networks.remove(name);
  }

  async listNetworks(): Promise<NetworkInfo[]> {
    return this.networks.list().map(networkInfo);
  }

  async inspectNetwork(name: string): Promise<NetworkInfo> {
    return networkInfo(this.networks.get(name));
  }

  async connectNetwork(network: string, container: string, options: { aliases?: string[] } = {}): Promise<void> {
    const record = this.containers.get(container);
    const running = this.runtime.running(record.id);
    if (!running) throw new ContainerStateError(`container ${record.name} is not running`, 'start it first');
    const dir = this.containers.dirs(record.id).root;
    await this.networks.connect(network, { ...record, dir }, running.pid, options.aliases ?? []);
  }

  async disconnectNetwork(network: string, container: string): Promise<void> {
    const record = this.containers.get(container);
    const running = this.runtime.running(record.id);
    if (!running) throw new ContainerStateError(`container ${record.name} is not running`, 'start it first');
    await this.networks.disconnect(network, record.id, running.pid);
  }

  async containerLogs(idOrName: string, options: LogRequest = {}): Promise<AsyncIterable<LogFrame>> {
    const record = this.containers.get(idOrName);
    const path = this.containers.dirs(record.id).log;
    if (!options.follow) return Readable.from(selectLines(readFrames(path), options).map(toLogFrame));
    // Destroying the stream (or the signal) must end the follower, which otherwise waits for the container to exit.
    // It starts at once, not at the first read, so a `tail: 0` follower sees all that comes after the call.
    let closed = false;
    const stream = new Readable({
      objectMode: true,
      read: () => undefined,
      destroy: (error, callback) => {
        closed = true;
        callback(error);
      },
    });
    const stop = (): void => {
      closed = true;
      stream.push(null);
    };
    if (options.signal?.aborted) stop();
    else options.signal?.addEventListener('abort', stop, { once: true });
    const pump = async (): Promise<void> => {
      for await (const line of followLines(path, options, () => closed || this.runtime.running(record.id) === undefined)) {
        if (closed) return;
        stream.push(toLogFrame(line));
      }
      if (!closed) stream.push(null);
    };
    pump().catch((error: unknown) => stream.destroy(error as Error));
    return stream;
  }

  async createVolume(options: CreateVolumeOptions = {}): Promise<VolumeInfo> {
    return this.volumes.create(options);
  }

  async listVolumes(): Promise<VolumeInfo[]> {
    return this.volumes.store.list();
  }

  async inspectVolume(name: string): Promise<VolumeInfo> {
    return this.volumes.store.get(name);
  }

  async removeVolume(name: string): Promise<void> {
    await this.volumes.remove(name);
  }

  async pruneVolumes(options: { all?: boolean } = {}): Promise<PruneVolumesResult> {
    return this.volumes.prune(options);
  }

  async putArchive(idOrName: string, path: string, tar: AsyncIterable<Buffer>, options: ExtractOptions = {}): Promise<void> {
    await this.files.put(this.containers.get(idOrName), path, tar, options);
  }

  async getArchive(idOrName: string, path: string): Promise<PathArchive> {
    return this.files.get(this.containers.get(idOrName), path);
  }

  async saveImages(references: string[], destination: string, format: ArchiveFormat): Promise<void> {
    const { saveArchive } = await import('../image/archive/save.js');
    // Shared: a prune cannot remove blobs while they are being written out.
    await this.#storeLock(() => saveArchive(this.images, references, destination, format), 'shared');
  }

  async loadImages(source: string, options: LoadImagesOptions = {}): Promise<ImageSummary[]> {
    const { loadArchive } = await import('../image/archive/load.js');
    const published = new Set<string>();
    try {
      const records = await this.#storeLock(() => loadArchive(this.images, source, options, published), 'shared');
      return records.map(summary);
    } catch (error) {
      // Layers a failed load published belong to no image: prune them (it takes the lock exclusively).
      if (published.size > 0) await this.pruneImages();
      throw error;
    }
  }
}

function readPorts(path: string): PortMapping[] {
  try {
    return JSON.parse(fs.readFileSync(path, 'utf8')) as PortMapping[];
  } catch {
    return [];
  }
}

function summary(record: ImageRecord): ImageSummary {
  return { Id: record.id, RepoTags: record.repoTags, ManifestDigest: record.manifestDigest, Size: record.size, Config: record.config };
}

function toExit(status: ExitRecord): ContainerExit {
  const name = Object.entries(osConstants.signals).find(([, n]) => n === status.signal)?.[0] as NodeJS.Signals | undefined;
  return {
    exitCode: status.exitCode,
    ...(status.signal && name ? { signal: name } : {}),
    ...(status.oomKilled ? { oomKilled: true } : {}),
  };
}

/** The run settings a committed image keeps: the container's, as `docker commit` records them. */
function committedConfig(base: NonNullable<ImageConfig['config']>, info: ContainerInfo): NonNullable<ImageConfig['config']> {
  return {
    ...base,
    Env: info.Config.Env.filter((e) => !e.startsWith('HOSTNAME=')),
    Cmd: info.Config.Cmd,
    Entrypoint: info.Config.Entrypoint,
    WorkingDir: info.Config.WorkingDir,
    ...(info.Config.User ? { User: info.Config.User } : {}),
    Labels: { ...base.Labels, ...info.Config.Labels },
  };
}

/** The config without the VOLUMEs at `paths` (their content is in the image's files now). */
function withoutVolumes(config: NonNullable<ImageConfig['config']>, paths: string[]): NonNullable<ImageConfig['config']> {
  if (!config.Volumes || paths.length === 0) return config;
  const clean = (p: string): string => p.replace(/\/+$/, '');
  const Volumes = Object.fromEntries(Object.entries(config.Volumes).filter(([p]) => !paths.map(clean).includes(clean(p))));
  return { ...config, Volumes };
}
