import type { Readable } from 'node:stream';
import type { BuildImageOptions } from '../builder/build-options.js';
import type { ExtractOptions } from '../volumes/copy-in.js';
import type { PathArchive } from '../volumes/copy-out.js';
import type { MountInfo, MountSpec } from '../volumes/mount-spec.js';
import type { PruneVolumesResult } from '../volumes/volume-manager.js';
import type { CreateVolumeOptions, VolumeInfo } from '../volumes/volume-store.js';
import type { AttachOptions, AttachSession } from './attach-options.js';
import type { ResourceLimits } from './cgroups/limits.js';
import type { CgroupStats } from './cgroups/stats.js';
import type { ProcessSecurity } from './container/process-security.js';
import type { ExecOptions, ExecResult } from './exec-options.js';
import type { HealthCheck, HealthState } from './health/health-check.js';
import type { ArchiveFormat } from './image/archive/detect.js';
import type { LoadImagesOptions } from './image/archive/load.js';
import type { CommitOptions } from './image/commit.js';
import type { ImportOptions } from './image/import.js';
import type { ImageConfig } from './image/manifest.js';
import type { PullProgress } from './image/pull.js';
import type { RegistryCredentials } from './image/registry-auth.js';
import type { PruneResult } from './image/store-prune.js';
import type { LogSelection } from './runtime/log-frames.js';

/**
 * The seam between the SDK and whatever runs containers. The local,
 * daemonless engine implements it; a remote Docker-API backend can sit
 * beside it. Shapes follow the Docker Engine API so both map naturally.
 */
export interface Engine {
  /** Short name for messages, e.g. `local`. */
  readonly name: string;

  /** Pulls an image (honouring `policy`) and returns what the store holds. */
  pullImage(reference: string, options?: PullImageOptions): Promise<ImageSummary>;
  /** Imports a rootfs tarball (plain or gzip) as a one-layer image, like `docker import`. */
  importImage(source: AsyncIterable<Buffer>, reference: string, options?: ImportOptions): Promise<ImageSummary>;
  /** Looks an image up locally by reference or id. */
  inspectImage(reference: string): Promise<ImageSummary | undefined>;

  /**
   * Pushes an image to a registry, like `docker push`: to the repository and
   * tag `reference` names (`target` overrides it; an image named by id goes
   * to its first tag). Blobs the registry has are skipped or mounted from the
   * repositories there the layers were pulled from or pushed to. A layer the
   * registry cannot get so is uploaded from the store; when the store keeps
   * it unpacked only, its blob is made anew from it (and the manifest pushed
   * names that blob).
   */
  pushImage(reference: string, options?: PushImageOptions): Promise<{ digest: string; target: string }>;
  /** Every image in the store. */
  listImages(): Promise<ImageSummary[]>;
  /** Adds a tag to an image, moving it from any other image, like `docker tag`. */
  tagImage(source: string, target: string): Promise<void>;
  /**
   * Removes a tag, or the image when given its id or its last tag (like
   * `docker rmi`); its layers go unless another image or a container uses
   * them. A tag of several is removed even while a container uses the image;
   * removing the image itself is then refused (`ContainerStateError`), unless
   * `force` (the container keeps its layers).
   */
  removeImage(reference: string, options?: { force?: boolean }): Promise<{ deleted: boolean }>;
  /** How the image was built, newest step last, from its config. */
  imageHistory(reference: string): Promise<ImageHistoryEntry[]>;
  /** Deletes layers and blobs no image or container uses; returns what went. */
  pruneImages(): Promise<PruneResult>;
  /**
   * Writes images (by reference or id) to `destination`, like `docker save`
   * (`docker-archive`) or skopeo's `oci-archive` and `oci` (`oci-dir`, a
   * directory). An image named by a tag is saved with that tag, one named by
   * id without. The result appears whole or not at all.
   * @throws ImageNotPresentError for a name the store lacks; ArchiveError when
   *   the destination is in the way or the format is unknown.
   */
  saveImages(references: string[], destination: string, format: ArchiveFormat): Promise<void>;
  /**
   * Loads every image of an archive or OCI layout directory, like `docker
   * load`; the format is detected unless given. Layers are verified against
   * the digests the archive names and the diff ids of the config; on any
   * failure nothing is registered and no layer is left behind (unreferenced
   * layers and blobs are pruned, as after removeImage).
   * @throws ArchiveError, with a hint, for any fault of the archive.
   */
  loadImages(source: string, options?: LoadImagesOptions): Promise<ImageSummary[]>;

  /**
   * Serves, from this process too, the published ports of a running container
   * another process started (a reused one outlives its starter, and the
   * starter's port proxies die with it), for as long as the container runs.
   */
  servePorts(id: string): Promise<void>;
  /** Containers, running ones unless `all`, with every label of `labels`; shaped like `docker inspect`. */
  listContainers(options?: { all?: boolean; labels?: Record<string, string> }): Promise<ContainerInfo[]>;
  /**
   * Creates a container from a spec; it does not run yet. Returns its id.
   * @throws InvalidSpecError (InvalidMountError for mounts) before anything
   *   is made, when a value of the spec is out of range or malformed.
   */
  createContainer(spec: ContainerSpec): Promise<string>;
  /** Runs a created container; resolves once its command was executed. */
  startContainer(id: string): Promise<void>;
  /** Sends a signal (default SIGKILL) to the container's init. */
  killContainer(id: string, signal?: NodeJS.Signals): Promise<void>;
  /** Stops: stop signal, then SIGKILL after `timeoutMs` (default 10 s). */
  stopContainer(id: string, options?: { timeoutMs?: number }): Promise<void>;
  /** Resolves when the container has exited. */
  waitContainer(id: string): Promise<ContainerExit>;
  /** Stops (like stopContainer) and starts the container again, keeping its writable layer. */
  restartContainer(id: string, options?: { timeoutMs?: number }): Promise<void>;
  /**
   * Makes an image of the container's image plus its changes (one new layer)
   * and its run settings, like `docker commit`; a running container is paused
   * meanwhile. Returns the new image.
   */
  commitContainer(id: string, options?: CommitOptions): Promise<ImageSummary>;
  /**
   * Builds an image from a Dockerfile in the directory `context`, like
   * `docker build`: only the stages `target` needs, each RUN in a
   * container, layers looked up in and added to a content-keyed build cache.
   */
  buildImage(context: string, options?: BuildImageOptions): Promise<ImageSummary>;
  /** Freezes every process of the container (cgroup freezer). */
  pauseContainer(id: string): Promise<void>;
  /** Thaws a paused container. */
  unpauseContainer(id: string): Promise<void>;
  /** Processes running in the container. */
  topContainer(id: string): Promise<ContainerTop>;
  /** CPU, memory, pids and IO usage, from the container's cgroups. */
  containerStats(id: string): Promise<CgroupStats>;
  /**
   * Removes the container and everything it made; `force` kills it first.
   * Its anonymous volumes go too, unless `keepVolumes` or another container uses them.
   */
  removeContainer(id: string, options?: { force?: boolean; keepVolumes?: boolean }): Promise<void>;
  /** Current state and configuration. */
  inspectContainer(id: string): Promise<ContainerInfo>;
  /** Output recorded so far, selected like `docker logs`; `{ follow: true, tail: 0 }` is `docker attach`'s live output. */
  containerLogs(id: string, options?: LogSelection): Promise<Readable>;

  /** Creates a bridge network with a subnet no host route, address or nameserver uses. */
  createNetwork(name: string, options?: NetworkCreateOptions): Promise<NetworkInfo>;
  /** Removes a network; refused while a running container is on it. */
  removeNetwork(name: string): Promise<void>;
  listNetworks(): Promise<NetworkInfo[]>;
  inspectNetwork(name: string): Promise<NetworkInfo>;
  /** Puts a running container on a network as well (with extra aliases). */
  connectNetwork(network: string, container: string, options?: { aliases?: string[] }): Promise<void>;
  /** Takes a running container off a network. */
  disconnectNetwork(network: string, container: string): Promise<void>;
  /** Runs one more command in a running container (all its namespaces and cgroups), like `docker exec`. */
  execContainer(id: string, options: ExecOptions): Promise<ExecResult>;
  /**
   * Attaches to a running container's stdin and terminal, like `docker
   * attach`: from any process, even one that did not start it.
   * @throws ContainerStateError when it is not running, or has neither
   *   `openStdin` nor `tty` (nothing to attach to).
   */
  attachContainer(id: string, options?: AttachOptions): Promise<AttachSession>;

  /** Creates a named volume (or returns the existing one), like `docker volume create`. */
  createVolume(options?: CreateVolumeOptions): Promise<VolumeInfo>;
  /** Every volume. */
  listVolumes(): Promise<VolumeInfo[]>;
  /** A volume by name; throws VolumeNotFoundError. */
  inspectVolume(name: string): Promise<VolumeInfo>;
  /** Removes a volume; throws VolumeInUseError while any container refers to it. */
  removeVolume(name: string): Promise<void>;
  /** Removes unused anonymous volumes (every unused volume with `all`). */
  pruneVolumes(options?: { all?: boolean }): Promise<PruneVolumesResult>;
  /**
   * Extracts a tar stream into the directory `path` of a container, running or
   * not, like Docker's `PUT /containers/{id}/archive`.
   */
  putArchive(id: string, path: string, tar: AsyncIterable<Buffer>, options?: ExtractOptions): Promise<void>;
  /** A container path as a tar stream plus its stat, like Docker's `GET /containers/{id}/archive`. */
  getArchive(id: string, path: string): Promise<PathArchive>;
}

/** How {@link Engine.pullImage} treats images already present. */
export type PullPolicyName = 'always' | 'missing' | 'never';

/** Options of {@link Engine.pullImage}. */
export interface PullImageOptions {
  policy?: PullPolicyName;
  /** `os/arch[/variant]`; default: this machine's. */
  platform?: string;
  credentials?: RegistryCredentials;
  /** Called as layer bytes arrive. */
  onProgress?: (progress: PullProgress) => void;
}

/** Options of {@link Engine.pushImage}. */
export interface PushImageOptions {
  /** Where to push, e.g. `127.0.0.1:5000/team/app:1.0`; default: the reference pushed (for an image id, its first tag). */
  target?: string;
  credentials?: RegistryCredentials;
}

/** An image as the engine's store has it. */
export interface ImageSummary {
  id: string;
  repoTags: string[];
  manifestDigest: string;
  size: number;
  config: ImageConfig;
}

/** One step of an image's history. */
export interface ImageHistoryEntry {
  created: string;
  createdBy: string;
  comment: string;
  /** The step changed only metadata and made no layer. */
  emptyLayer: boolean;
}

/** What to create a container from (user, capabilities, seccomp, ulimits: see {@link ProcessSecurity}). */
export interface ContainerSpec extends ProcessSecurity {
  /** Image reference or id; must be present locally (pull first). */
  image: string;
  /**
   * Keep running after the process that started it exits (for reuse). By
   * default a container dies with its owner: its monitor sees the owner go.
   */
  keepAlive?: boolean;
  name?: string;
  /** Replaces the image's Cmd. */
  command?: string[];
  /** Replaces the image's Entrypoint (and resets its Cmd, as Docker does). */
  entrypoint?: string[];
  /** Added to (and overriding) the image's environment. */
  env?: Record<string, string>;
  workingDir?: string;
  hostname?: string;
  labels?: Record<string, string>;
  /** cgroup limits: memory, CPU, pids, block IO. */
  resources?: ResourceLimits;
  /** Signal that asks the command to stop (default: the image's StopSignal, else SIGTERM). */
  stopSignal?: NodeJS.Signals;
  /** Milliseconds between the stop signal and SIGKILL when a stop gives none (default 10 s). */
  stopTimeoutMs?: number;
  /** Bind, volume and tmpfs mounts (the image's VOLUMEs get anonymous volumes unless covered). */
  mounts?: MountSpec[];
  /** Containers whose binds and volumes this one mounts too: `name[:ro|:rw]`, like `--volumes-from`. */
  volumesFrom?: string[];
  /**
   * `bridge` (default: the `berth` network), `host`, `none`, or the name of
   * a network created with {@link Engine.createNetwork}.
   */
  networkMode?: string;
  /** Further user networks to join, with the extra names peers know the container by. */
  networks?: Record<string, { aliases?: string[] }>;
  /** Container ports to publish on the host. */
  ports?: PortBinding[];
  /**
   * Host TCP ports the container reaches at `host.testcontainers.internal`
   * (its network's gateway), also when they listen on 127.0.0.1 only
   * (testcontainers' `exposeHostPorts`).
   */
  hostPorts?: number[];
  /** Extra /etc/hosts lines, like `docker run --add-host`. */
  extraHosts?: { host: string; ipAddress: string }[];
  /** Overrides the image's HEALTHCHECK (`test: ['NONE']` turns it off); the engine runs it while the container runs. */
  healthcheck?: HealthCheck;
  /**
   * Keep stdin open (`docker run -i`): the command's stdin is a pipe that
   * {@link Engine.attachContainer} writes to; without it stdin is `/dev/null`.
   */
  openStdin?: boolean;
  /** Run the command on a pseudo-terminal (`docker run -t`): its output is logged as stdout, and attach can resize it. */
  tty?: boolean;
}

/** A container port published on the host. */
export interface PortBinding {
  containerPort: number;
  /** Default `tcp`. */
  protocol?: 'tcp' | 'udp';
  /** Default 0: a free port, chosen outside the kernel's ephemeral range. */
  hostPort?: number;
  /** `0.0.0.0` (default; also `::`) or `127.0.0.1` (also `::1`). */
  hostIp?: '0.0.0.0' | '127.0.0.1';
}

/** Options of {@link Engine.createNetwork}. */
export interface NetworkCreateOptions {
  /** Containers on the network may talk to each other (default true; Docker's enable_icc). */
  icc?: boolean;
  labels?: Record<string, string>;
}

/** A network, shaped like `docker network inspect`. */
export interface NetworkInfo {
  Id: string;
  Name: string;
  Driver: 'bridge';
  Created: string;
  IPAM: { Config: { Subnet: string; Gateway: string }[] };
  Options: Record<string, string>;
  Labels: Record<string, string>;
  Containers: Record<string, { Name: string; IPv4Address: string; Aliases: string[] }>;
}

/** Processes of a container, as `docker top` lists them. */
export interface ContainerTop {
  titles: string[];
  processes: string[][];
}

/** How a container ended. */
export interface ContainerExit {
  exitCode: number;
  /** The kernel's OOM killer ended it (memory limit reached). */
  oomKilled?: boolean;
  /** Signal that killed it, if any. */
  signal?: NodeJS.Signals;
}

/** Lifecycle states, as Docker names them. */
export type ContainerStatus = 'created' | 'running' | 'paused' | 'exited' | 'removing';

/** A container's state and configuration, shaped like `docker inspect` (the parts Berth fills). */
export interface ContainerInfo {
  Id: string;
  Name: string;
  /** The image id (config digest). */
  Image: string;
  Created: string;
  Path: string;
  Args: string[];
  State: {
    Status: ContainerStatus;
    Running: boolean;
    Paused: boolean;
    OOMKilled: boolean;
    Pid: number;
    ExitCode: number;
    StartedAt: string;
    FinishedAt: string;
    /** Present when the container has a health check. */
    Health?: HealthState;
  };
  Config: {
    Hostname: string;
    Env: string[];
    Cmd: string[];
    Entrypoint: string[] | null;
    WorkingDir: string;
    /** The reference the container was created from. */
    Image: string;
    Labels: Record<string, string>;
    User: string;
    StopSignal: string;
    /** Seconds (rounded up), when the spec set one. */
    StopTimeout?: number;
    /** Whether the command runs on a pseudo-terminal. */
    Tty: boolean;
    /** Whether stdin is kept open for attach clients. */
    OpenStdin: boolean;
  };
  HostConfig: {
    Memory: number;
    MemorySwap: number;
    NanoCpus: number;
    CpuShares: number;
    CpusetCpus: string;
    PidsLimit: number;
    BlkioWeight: number;
    CapAdd: string[] | null;
    CapDrop: string[] | null;
    GroupAdd: string[] | null;
    Privileged: boolean;
    ReadonlyRootfs: boolean;
    Init: boolean | null;
    /** `no-new-privileges`, `seccomp=unconfined`, as `docker run --security-opt` takes them. */
    SecurityOpt: string[] | null;
    Ulimits: { Name: string; Soft: number; Hard: number }[] | null;
    /** `default`, `bridge`, `host`, `none` or a network's name, as asked for. */
    NetworkMode: string;
    /** Bind mounts as `source:target[:ro]`, null when none. */
    Binds: string[] | null;
    /** tmpfs mounts by container path, with their mount options; absent when none. */
    Tmpfs?: Record<string, string>;
    /** Published ports as asked for: HostPort is empty where the engine chose it (see NetworkSettings.Ports). */
    PortBindings: Record<string, { HostIp: string; HostPort: string }[]>;
  };
  Mounts: MountInfo[];
  NetworkSettings: {
    Networks: Record<string, { IPAddress: string; Gateway: string; IPPrefixLen: number; Aliases: string[]; NetworkID: string }>;
    Ports: Record<string, { HostIp: string; HostPort: string }[] | null>;
  };
}
