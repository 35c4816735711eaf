import type { Readable } from 'node:stream';
import type {
  ContainerInfo,
  ContainerSpec,
  Engine,
  HealthCheck,
  MountSpec,
  PortBinding,
  Propagation,
  RegistryCredentials,
  Ulimit,
} from '../engine/api/index.js';
import { checkText } from '../engine/container/spec-field.js';
import { validateSpec } from '../engine/container/validate-spec.js';
import { InvalidSpecError } from '../errors.js';
import {
  type ArchiveToCopy,
  type ContentToCopy,
  type CopySources,
  copyArchive,
  type DirectoryToCopy,
  type FileToCopy,
} from '../volumes/copy-sources.js';
import { checkPropagation, parseTmpfsOptions } from '../volumes/mount-spec.js';
import { type CopyToContainerOptions, extractOptions } from './copy-options.js';
import { getEngine } from './engine-provider.js';
import { logLines } from './log-lines.js';
import type { StartedNetwork } from './network.js';
import { type ExposedPort, toPortBinding } from './ports.js';
import { type ImagePullPolicy, PullPolicy } from './pull-policy.js';
import { quotaLimits, type ResourcesQuota } from './resources-quota.js';
import { findOrStart, REUSE_LABEL, reuseHash, reuseName } from './reuse.js';
import { keepOnDispose, StartedGenericContainer } from './started-container.js';
import type { StartedTestContainer } from './test-container.js';
import { exposedHostPorts } from './test-containers.js';
import { reuseEnabled, substituteImageName } from './testcontainers-settings.js';
import { defaultWaitStrategy } from './wait/default-wait-strategy.js';
import { waitForReady } from './wait/wait-for-ready.js';
import type { WaitStrategy } from './wait/wait-strategy.js';

/** A host path mounted into the container, as testcontainers' `withBindMounts` takes it. */
export interface BindMount {
  /** Absolute host path; it must exist. */
  source: string;
  target: string;
  /** Default `rw`. */
  mode?: 'rw' | 'ro';
  /** Default `rprivate`. */
  propagation?: Propagation;
}

/**
 * A container to start, configured fluently as in testcontainers:
 *
 * ```ts
 * const c = await new GenericContainer('127.0.0.1:5000/library/busybox:latest')
 *   .withCommand(['sh', '-c', 'echo hello'])
 *   .start();
 * ```
 */
export class GenericContainer {
  protected readonly spec: ContainerSpec;
  protected pullPolicy: ImagePullPolicy = PullPolicy.defaultPolicy();
  protected waitStrategy: WaitStrategy | undefined;
  protected startupTimeoutMs: number | undefined;
  protected platform: string | undefined;
  protected credentials: RegistryCredentials | undefined;
  protected readonly copies: Required<CopySources> = { files: [], directories: [], contents: [] };
  protected readonly archives: ArchiveToCopy[] = [];
  protected autoRemove = false;
  protected reuse = false;
  protected logConsumer: ((stream: Readable) => unknown) | undefined;
  protected copyOptions: CopyToContainerOptions = {};

  /**
   * @param image an image reference, e.g. `busybox`, `127.0.0.1:5000/library/busybox:1.36`;
   *   `TESTCONTAINERS_HUB_IMAGE_NAME_PREFIX` is put before a Docker Hub name, as testcontainers does.
   */
  constructor(image: string) {
    this.spec = { image: substituteImageName(image) };
  }

  /** Replaces the image's command (Docker's Cmd). */
  withCommand(command: string[]): this {
    this.spec.command = copyList(command);
    return this;
  }

  /** Replaces the image's entrypoint; the image's command is dropped, as Docker does. */
  withEntrypoint(entrypoint: string[]): this {
    this.spec.entrypoint = copyList(entrypoint);
    return this;
  }

  /** Adds environment variables (overriding the image's). */
  withEnvironment(env: Record<string, string>): this {
    this.spec.env = { ...this.spec.env, ...env };
    return this;
  }

  /** Names the container; names are unique on the machine. */
  withName(name: string): this {
    this.spec.name = name;
    return this;
  }

  /** Sets the container's hostname (default: the first 12 characters of its id). */
  withHostname(hostname: string): this {
    this.spec.hostname = hostname;
    return this;
  }

  /** Sets the working directory of the command; created if missing. */
  withWorkingDir(dir: string): this {
    this.spec.workingDir = dir;
    return this;
  }

  /** Adds labels to the container. */
  withLabels(labels: Record<string, string>): this {
    this.spec.labels = { ...this.spec.labels, ...labels };
    return this;
  }

  /**
   * Limits memory (in GiB, as testcontainers takes it: `0.5` is 512 MiB) and
   * CPUs (a fraction or number of CPUs) through the container's cgroup.
   * @throws InvalidSpecError for a memory below 6 MiB, or above 1024 GiB
   *   (a number of bytes given by mistake), or a negative or NaN value.
   */
  withResourcesQuota(quota: ResourcesQuota): this {
    this.spec.resources = { ...this.spec.resources, ...quotaLimits(quota) };
    return this;
  }

  /**
   * Publishes container ports on the host: `8080`, `"53/udp"`, or
   * `{ container: 8080, host: 18080 }` for a fixed host port. Without a host
   * port Berth picks a free one; read it with `getMappedPort`.
   */
  withExposedPorts(...ports: ExposedPort[]): this {
    const bindings: PortBinding[] = ports.map(toPortBinding);
    this.spec.ports = [...(this.spec.ports ?? []), ...bindings];
    return this;
  }

  /** Starts the container on a user network (its primary network). */
  withNetwork(network: StartedNetwork): this {
    return this.withNetworkMode(network.getName());
  }

  /** `bridge` (default), `host`, `none`, or a network's name. */
  withNetworkMode(mode: string): this {
    const aliases = this.#aliases();
    this.spec.networkMode = mode;
    if (aliases.length > 0) this.spec.networks = { [mode]: { aliases } };
    return this;
  }

  /** More names peers on the container's user network resolve to it. */
  withNetworkAliases(...aliases: string[]): this {
    const mode = this.spec.networkMode ?? 'bridge';
    this.spec.networks = { ...this.spec.networks, [mode]: { aliases: [...this.#aliases(), ...aliases] } };
    return this;
  }

  /** Extra /etc/hosts lines, like `docker run --add-host`. */
  withExtraHosts(hosts: { host: string; ipAddress: string }[]): this {
    this.spec.extraHosts = [...(this.spec.extraHosts ?? []), ...hosts];
    return this;
  }

  #aliases(): string[] {
    return this.spec.networks?.[this.spec.networkMode ?? 'bridge']?.aliases ?? [];
  }

  /** Runs the command as `name`, `uid`, `name:group` or `uid:gid` (looked up in the image's /etc/passwd, /etc/group). */
  withUser(user: string): this {
    this.spec.user = user;
    return this;
  }

  /** Adds capabilities to Docker's default set, e.g. `NET_ADMIN`, `SYS_TIME`. */
  withAddedCapabilities(...capabilities: string[]): this {
    this.spec.capAdd = [...(this.spec.capAdd ?? []), ...capabilities];
    return this;
  }

  /** Drops capabilities from Docker's default set (`ALL` drops every one). */
  withDroppedCapabilities(...capabilities: string[]): this {
    this.spec.capDrop = [...(this.spec.capDrop ?? []), ...capabilities];
    return this;
  }

  /** Every capability, no seccomp, unmasked /proc (`docker run --privileged`). */
  withPrivilegedMode(): this {
    this.spec.privileged = true;
    return this;
  }

  /** Resource limits, e.g. `{ nofile: { soft: 1024, hard: 2048 } }`; -1 is unlimited. */
  withUlimits(ulimits: Record<string, Ulimit>): this {
    this.spec.ulimits = { ...this.spec.ulimits, ...ulimits };
    return this;
  }

  /**
   * Keeps the container's stdin open (`docker run -i`): write to it with
   * {@link StartedGenericContainer.attachStdin}, from this or any other process.
   */
  withOpenStdin(openStdin = true): this {
    this.spec.openStdin = openStdin;
    return this;
  }

  /** Runs the command on a pseudo-terminal (`docker run -t`); its output is logged as stdout. */
  withTty(tty = true): this {
    this.spec.tty = tty;
    return this;
  }

  /** Runs a tiny init as PID 1 that reaps zombies and forwards signals (`docker run --init`). */
  withInit(init = true): this {
    this.spec.init = init;
    return this;
  }

  /** Mounts the image's filesystem read-only (`docker run --read-only`). */
  withReadonlyRootfs(readonly = true): this {
    this.spec.readonlyRootfs = readonly;
    return this;
  }

  /** `docker run --security-opt`: `no-new-privileges[:true|false]`, `seccomp=unconfined`, `seccomp=default`. */
  withSecurityOpt(...options: string[]): this {
    for (const option of options) {
      const [key, value] = option.split(/[=:]/, 2);
      if (key === 'no-new-privileges' && (value === undefined || value === 'true' || value === 'false')) {
        this.spec.noNewPrivileges = value !== 'false';
      } else if (key === 'seccomp' && (value === 'unconfined' || value === 'default')) {
        this.spec.seccomp = value;
      } else {
        throw new InvalidSpecError(
          `unsupported security option "${option}"`,
          'use no-new-privileges, seccomp=unconfined or seccomp=default',
        );
      }
    }
    return this;
  }

  /** Mounts host files or directories (read-write unless `mode: 'ro'`). */
  withBindMounts(binds: BindMount[]): this {
    return this.withMounts(
      binds.map((b) => ({
        type: 'bind',
        source: b.source,
        target: b.target,
        readOnly: b.mode === 'ro',
        ...(b.propagation ? { propagation: checkPropagation(b.propagation, b.target) } : {}),
      })),
    );
  }

  /** Mounts tmpfs filesystems: `{ '/path': 'size=64m,mode=1777' }` (Docker's `--tmpfs` options). */
  withTmpFs(tmpfs: Record<string, string>): this {
    return this.withMounts(Object.entries(tmpfs).map(([target, options]) => parseTmpfsOptions(target, options)));
  }

  /** Adds mounts in Docker's `--mount` terms: binds, named or anonymous volumes, tmpfs. */
  withMounts(mounts: MountSpec[]): this {
    this.spec.mounts = [...(this.spec.mounts ?? []), ...mounts];
    return this;
  }

  /** Mounts every bind and volume of other containers (`name` or `name:ro`), like `--volumes-from`. */
  withVolumesFrom(containers: string[]): this {
    this.spec.volumesFrom = [...(this.spec.volumesFrom ?? []), ...containers];
    return this;
  }

  /** Copies host files into the container before it starts (`target` is the file's container path). */
  withCopyFilesToContainer(files: FileToCopy[]): this {
    checkCopyPaths('withCopyFilesToContainer', files);
    this.copies.files.push(...files);
    return this;
  }

  /** Copies the content of host directories into container directories before it starts. */
  withCopyDirectoriesToContainer(directories: DirectoryToCopy[]): this {
    checkCopyPaths('withCopyDirectoriesToContainer', directories);
    this.copies.directories.push(...directories);
    return this;
  }

  /** Writes strings, buffers or streams as container files before it starts. */
  withCopyContentToContainer(contents: ContentToCopy[]): this {
    checkCopyPaths('withCopyContentToContainer', contents);
    this.copies.contents.push(...contents);
    return this;
  }

  /** Extracts tar archives into existing container directories before it starts. */
  withCopyArchivesToContainer(archives: ArchiveToCopy[]): this {
    checkCopyPaths('withCopyArchivesToContainer', archives);
    this.archives.push(...archives);
    return this;
  }

  /**
   * Reuses a running container made from the same configuration (by this or
   * any other process) instead of starting a new one, as testcontainers'
   * `withReuse`. A reused container outlives the process that started it and
   * is left running by `await using` and test scopes; `stop()` removes it.
   */
  withReuse(reuse = true): this {
    this.reuse = reuse;
    return this;
  }

  /** Size of /dev/shm in bytes (default 64 MiB, as Docker's `--shm-size`). */
  withSharedMemorySize(bytes: number): this {
    return this.withMounts([{ type: 'tmpfs', target: '/dev/shm', sizeBytes: bytes, mode: 0o1777 }]);
  }

  /**
   * `withAutoCleanup(false)` keeps the container after this process ends, as
   * testcontainers keeps it from its reaper: with Berth, the container's
   * monitor then does not remove it when its owner dies (remove it with
   * `stop()` or the engine). `true`, the default, removes it with the process.
   */
  withAutoCleanup(autoCleanup: boolean): this {
    this.spec.keepAlive = !autoCleanup;
    return this;
  }

  /**
   * Docker's `--ipc`: `private` and `shareable` (the default) give the
   * container its own IPC namespace, which is what Berth does; other modes
   * are refused with InvalidSpecError.
   */
  withIpcMode(mode: string): this {
    if (!['', 'private', 'shareable'].includes(mode)) {
      throw new InvalidSpecError(
        `IPC mode "${mode}" is not supported`,
        'Berth gives every container its own IPC namespace ("private"/"shareable"); share memory through a volume or tmpfs instead',
      );
    }
    return this;
  }

  /**
   * How files are copied in (before start, and by the started container's
   * copy methods there are options per call): `copyUIDGID: false` makes
   * root the owner of what is copied, as Docker does without it; unset or
   * `true`, the archive's owners are kept. `noOverwriteDirNonDir` is accepted:
   * Berth never replaces a directory with a file or a file with a directory.
   */
  withCopyToContainerOptions(options: CopyToContainerOptions): this {
    this.copyOptions = { ...options };
    return this;
  }

  /**
   * Accepted for testcontainers' sake: Berth has no log drivers. The
   * container's monitor always records its output (`logs()`, `docker logs`).
   */
  withDefaultLogDriver(): this {
    return this;
  }

  /**
   * Removes the container as soon as its command exits (`docker run --rm`),
   * not only on `stop()`. The process that started it does the removal.
   */
  withAutoRemove(autoRemove = true): this {
    this.autoRemove = autoRemove;
    return this;
  }

  /** Hands the container's output, followed live, to `consumer` once it runs (one chunk per line). */
  withLogConsumer(consumer: (stream: Readable) => unknown): this {
    this.logConsumer = consumer;
    return this;
  }

  /** A health check the engine runs while the container runs (overrides the image's HEALTHCHECK; times in ms). */
  withHealthCheck(check: HealthCheck): this {
    this.spec.healthcheck = { ...check, test: [...check.test] };
    return this;
  }

  /**
   * How to tell the container is ready; `start()` resolves only then. Default:
   * the health check if there is one, else the published ports listening.
   */
  withWaitStrategy(strategy: WaitStrategy): this {
    this.waitStrategy = strategy;
    return this;
  }

  /** How long `start()` waits for readiness (default 60 s) before it fails and removes the container. */
  withStartupTimeout(ms: number): this {
    this.startupTimeoutMs = ms;
    return this;
  }

  /** Chooses when the image is pulled (default: when missing). */
  withPullPolicy(policy: ImagePullPolicy): this {
    this.pullPolicy = policy;
    return this;
  }

  /** Picks the image variant for `os/arch[/variant]` from a multi-platform image. */
  withPlatform(platform: string): this {
    this.platform = platform;
    return this;
  }

  /**
   * Logs in to the image's registry with these credentials for the pull,
   * instead of those of the Docker config (`~/.docker/config.json`).
   */
  withRegistryCredentials(credentials: RegistryCredentials): this {
    this.credentials = { ...credentials };
    return this;
  }

  /**
   * Pulls the image if needed, creates and starts the container, and
   * resolves once it is ready. If anything fails, what was made is removed
   * before the error is thrown. The protected hooks (`beforeContainerCreated`,
   * `containerCreated`, `containerStarting`, `containerStarted`) run on the
   * way, as in testcontainers; a module overrides `start()` to wrap the result
   * in its own {@link AbstractStartedContainer}.
   */
  async start(engine: Engine = getEngine()): Promise<StartedTestContainer> {
    validateSpec(this.spec); // Before the pull: bad input fails at once.
    const image = await engine.pullImage(this.spec.image, {
      policy: PullPolicy.nameOf(this.pullPolicy),
      ...(this.platform ? { platform: this.platform } : {}),
      ...(this.credentials ? { credentials: this.credentials } : {}),
    });
    await this.beforeContainerCreated?.();
    if (!(this.reuse && reuseEnabled())) return this.#start(engine, image.Id);
    const hash = reuseHash({ spec: this.spec, platform: this.platform, copies: this.copies, archives: this.archives.length });
    this.spec.labels = { ...this.spec.labels, [REUSE_LABEL]: hash };
    this.spec.keepAlive = true;
    // Without the engine's reuse lock, the name is the lock (see findOrStart).
    if (!engine.capabilities?.reuseLock) this.spec.name ??= reuseName(hash);
    return findOrStart(
      engine,
      hash,
      (info) => this.#reuse(engine, info),
      () => this.#start(engine, image.Id),
    );
  }

  /** Takes an existing reusable container: started again if it was stopped, then waited for as a new one is. */
  async #reuse(engine: Engine, found: ContainerInfo): Promise<StartedGenericContainer> {
    // A running one's starter may be gone, and its port proxies with it; a stopped one gets new ones on start.
    if (found.State.Running) await engine.capabilities?.servePorts?.(found.Id);
    else await engine.startContainer(found.Id);
    const info = await engine.inspectContainer(found.Id);
    await this.containerStarting?.(info, true);
    const strategy = this.waitStrategy ?? defaultWaitStrategy(info);
    if (strategy) await waitForReady(engine, found.Id, strategy, { containerTimeoutMs: this.startupTimeoutMs });
    return this.#ready(engine, await engine.inspectContainer(found.Id), strategy, true);
  }

  async #start(engine: Engine, imageId: string): Promise<StartedGenericContainer> {
    const hostPorts = exposedHostPorts();
    const id = await engine.createContainer({ ...this.spec, image: imageId, ...(hostPorts.length ? { hostPorts } : {}) });
    try {
      await this.#copyBeforeStart(engine, id);
      await this.containerCreated?.(id);
      await engine.startContainer(id);
      await this.#followLogs(engine, id);
      const started = await engine.inspectContainer(id);
      await this.containerStarting?.(started, false);
      const strategy = this.waitStrategy ?? defaultWaitStrategy(started);
      if (strategy) await waitForReady(engine, id, strategy, { containerTimeoutMs: this.startupTimeoutMs });
      if (this.autoRemove) removeOnExit(engine, id);
      return await this.#ready(engine, await engine.inspectContainer(id), strategy, false);
    } catch (error) {
      await engine.removeContainer(id, { force: true }).catch(() => undefined);
      throw error;
    }
  }

  /** Makes the started container and runs `containerStarted`. */
  async #ready(engine: Engine, info: ContainerInfo, strategy: WaitStrategy | undefined, reused: boolean): Promise<StartedGenericContainer> {
    const started = new StartedGenericContainer({
      engine,
      info,
      spec: this.spec,
      waitStrategy: strategy,
      startupTimeoutMs: this.startupTimeoutMs,
      snapshotBuilder: (image) => this.snapshotBuilder(image),
    });
    if (this.reuse) keepOnDispose(started);
    await this.containerStarted?.(started, info, reused);
    return started;
  }

  /**
   * The builder a snapshot of a container this one started starts from:
   * this one's settings on the snapshot's image. Modules override it to
   * return their own type (and may wait differently: the service in a
   * snapshot is set up already).
   */
  protected snapshotBuilder(image: string): GenericContainer {
    return this.copySettingsTo(new GenericContainer(image));
  }

  /**
   * Gives `target` this builder's run settings for a snapshot's image, but
   * not what made the original's files (copies, archives, anonymous
   * volumes: their content is in the snapshot), nor what names one
   * container (its name, reuse), nor how its image was pulled.
   */
  protected copySettingsTo<T extends GenericContainer>(target: T): T {
    const { image: _image, name: _name, keepAlive: _keepAlive, labels, mounts, ...spec } = structuredClone(this.spec);
    const { [REUSE_LABEL]: _reuse, ...ownLabels } = labels ?? {};
    const shared = mounts?.filter((m) => m.type !== 'volume' || m.source !== undefined);
    Object.assign(
      target.spec,
      spec,
      Object.keys(ownLabels).length > 0 ? { labels: ownLabels } : {},
      shared && shared.length > 0 ? { mounts: shared } : {},
    );
    target.waitStrategy = this.waitStrategy;
    target.startupTimeoutMs = this.startupTimeoutMs;
    target.autoRemove = this.autoRemove;
    target.logConsumer = this.logConsumer;
    return target;
  }

  async #followLogs(engine: Engine, id: string): Promise<void> {
    if (this.logConsumer) this.logConsumer(await logLines((request) => engine.containerLogs(id, request), { follow: true }));
  }

  /** Runs after the image is present and before the container is created; modules override it to adjust the configuration. */
  protected beforeContainerCreated?(): Promise<void>;

  /** Runs once the container exists, files copied in, before it starts. */
  protected containerCreated?(containerId: string): Promise<void>;

  /** Runs once the container runs, before the wait strategy (`reused`: an existing container was taken). */
  protected containerStarting?(info: ContainerInfo, reused: boolean): Promise<void>;

  /** Runs once the container is ready, before `start()` resolves with it. */
  protected containerStarted?(container: StartedGenericContainer, info: ContainerInfo, reused: boolean): Promise<void>;

  async #copyBeforeStart(engine: Engine, id: string): Promise<void> {
    const { files, directories, contents } = this.copies;
    const options = extractOptions(this.copyOptions);
    if (files.length + directories.length + contents.length > 0) await engine.putArchive(id, '/', copyArchive(this.copies), options);
    for (const { tar, target } of this.archives) await engine.putArchive(id, target, tar, options);
  }
}

/** Arrays are copied; anything else is left for validateSpec to refuse (a string would be spread into letters). */
function copyList(list: string[]): string[] {
  return Array.isArray(list) ? [...list] : list;
}

/** Host and container paths of copies go into a tar header and open(2): no NUL byte. */
function checkCopyPaths(method: string, items: { source?: string; target: string }[]): void {
  items.forEach((item, i) => {
    if ('source' in item) checkText(`${method}[${i}].source`, item.source);
    checkText(`${method}[${i}].target`, item.target);
  });
}

const AUTO_REMOVE_POLL_MS = 100;

/**
 * `--rm`: once the command exits, the container goes. Polled on an unref'd
 * timer, so a running container never keeps this process alive (if the
 * process ends first, the monitor removes the container anyway).
 */
function removeOnExit(engine: Engine, id: string): void {
  const check = async (): Promise<void> => {
    const info = await engine.inspectContainer(id);
    if (info.State.Running) {
      setTimeout(() => void check().catch(() => undefined), AUTO_REMOVE_POLL_MS).unref();
      return;
    }
    await engine.removeContainer(id, { force: true });
  };
  void check().catch(() => undefined); // Removed already (stop()): nothing left to do.
}
