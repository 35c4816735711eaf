import type { Readable } from 'node:stream';
import type { ResourceLimits } from './cgroups/limits.js';
import type { CgroupStats } from './cgroups/stats.js';
import type { ArchiveFormat } from './image/archive/detect.js';
import type { LoadImagesOptions } from './image/archive/load.js';
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
   * Pushes an image to a registry (its first tag, or `target`); blobs the
   * registry has are skipped or mounted from the image's other repositories there.
   */
  pushImage(reference: string, options?: PushImageOptions): Promise<{ digest: string; target: string }>;
  /** Every image in the store. */
  listImages(): Promise<ImageSummary[]>;
  /** Adds a tag to an image, moving it from any other image, like `docker tag`. */
  tagImage(source: string, target: string): Promise<void>;
  /**
   * Removes a tag, or the image when given its id or its last tag (like
   * `docker rmi`); its layers go unless another image or a container uses
   * them. Refused while a container uses the image, unless `force`.
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

  /** Creates a container from a spec; it does not run yet. Returns its id. */
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
  /** Freezes every process of the container (cgroup freezer). */
  pauseContainer(id: string): Promise<void>;
  /** Thaws a paused container. */
  unpauseContainer(id: string): Promise<void>;
  /** Processes running in the container. */
  topContainer(id: string): Promise<ContainerTop>;
  /** CPU, memory, pids and IO usage, from the container's cgroups. */
  containerStats(id: string): Promise<CgroupStats>;
  /** Removes the container and everything it made; `force` kills it first. */
  removeContainer(id: string, options?: { force?: boolean }): Promise<void>;
  /** Current state and configuration. */
  inspectContainer(id: string): Promise<ContainerInfo>;
  /** Output recorded so far, selected like `docker logs`. */
  containerLogs(id: string, options?: LogSelection): Promise<Readable>;
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
  /** Where to push, e.g. `127.0.0.1:5000/team/app:1.0`; default: the image's first tag. */
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

/** What to create a container from. */
export interface ContainerSpec {
  /** Image reference or id; must be present locally (pull first). */
  image: string;
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
  };
  HostConfig: {
    Memory: number;
    MemorySwap: number;
    NanoCpus: number;
    CpuShares: number;
    CpusetCpus: string;
    PidsLimit: number;
    BlkioWeight: number;
  };
  Mounts: { Type: string; Source: string; Destination: string; RW: boolean }[];
  NetworkSettings: {
    Networks: Record<string, { IPAddress: string }>;
    Ports: Record<string, { HostIp: string; HostPort: string }[] | null>;
  };
}
