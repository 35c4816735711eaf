import type { ImageSummary } from './images.js';
import type { MountInfo, MountSpec } from './volumes.js';

/** Resource limits, in Docker's HostConfig terms. */
export interface ResourceLimits {
  /** Memory limit in bytes. */
  memory?: number;
  /** Memory plus swap in bytes; -1 for unlimited swap. Default: twice `memory`, as Docker. */
  memorySwap?: number;
  /** Relative CPU weight (Docker's --cpu-shares, 2–262144, default 1024). */
  cpuShares?: number;
  /** CPU quota in units of 1e-9 CPUs (Docker's --cpus × 1e9). */
  nanoCpus?: number;
  /** CPUs the container may run on, e.g. `0-1` or `0,3`. */
  cpusetCpus?: string;
  /** Memory nodes, e.g. `0`. */
  cpusetMems?: string;
  /** Most processes at once; 0 or -1 for no limit. */
  pidsLimit?: number;
  /** Relative block IO weight, 10–1000. */
  blkioWeight?: number;
}

/** A resource limit, as `docker run --ulimit name=soft:hard` takes it; -1 means unlimited. */
export interface Ulimit {
  soft: number;
  hard: number;
}

/**
 * Who the container's processes run as and what they may do. Defaults are
 * Docker's: root, Docker's default capabilities, its default seccomp
 * profile, masked and read-only `/proc` paths.
 */
export interface ProcessSecurity {
  /** `name`, `uid`, `name:group` or `uid:gid`, resolved in the image's /etc/passwd and /etc/group. */
  user?: string;
  /** Supplementary groups (names from the image's /etc/group, or numbers), beside the user's own. */
  groupAdd?: string[];
  /** Capabilities added to Docker's default set (`NET_ADMIN` or `CAP_NET_ADMIN`; `ALL` for every one). */
  capAdd?: string[];
  /** Capabilities taken from Docker's default set (`ALL` for every one). */
  capDrop?: string[];
  /** Every capability, no seccomp, no masked paths, writable /proc/sys and /sys (`docker run --privileged`). */
  privileged?: boolean;
  /** Sets no_new_privs: setuid binaries and file capabilities grant nothing. */
  noNewPrivileges?: boolean;
  /** `default`: Docker's default seccomp profile; `unconfined`: none. */
  seccomp?: 'default' | 'unconfined';
  /** Resource limits by name (`nofile`, `nproc`, `core`, …). */
  ulimits?: Record<string, Ulimit>;
  /** Mounts the rootfs read-only (volumes and tmpfs mounts stay writable). */
  readonlyRootfs?: boolean;
  /** Runs a tiny init as PID 1 that forwards signals to the command and reaps zombies (`docker run --init`). */
  init?: boolean;
}

/** A health check as a container spec takes it (Docker's `--health-*` flags; times in milliseconds). */
export interface HealthCheck {
  /** `['CMD', 'prog', 'arg']`, `['CMD-SHELL', 'shell command']`, or `['NONE']` to turn the image's check off. */
  test: string[];
  /** Between the end of one check and the start of the next; default 30 s. */
  interval?: number;
  /** A check running longer fails; default 30 s. */
  timeout?: number;
  /** Consecutive failures that make the container unhealthy; default 3. */
  retries?: number;
  /** Failures in this time after start do not count; default 0. */
  startPeriod?: number;
}

/** `State.Health` of `docker inspect`. */
export interface HealthState {
  Status: 'starting' | 'healthy' | 'unhealthy';
  FailingStreak: number;
  /** The last five results, oldest first. */
  Log: HealthResult[];
}

/** One check's outcome, as `docker inspect` lists it. */
export interface HealthResult {
  Start: string;
  End: string;
  /** 0 healthy, 1 unhealthy, -1 the check could not run or timed out. */
  ExitCode: number;
  Output: string;
}

/** Resource usage of a container, from its cgroups (a flat digest of `docker stats`' record, in Berth's record casing). */
export interface CgroupStats {
  /** CPU time used, in nanoseconds. */
  CpuUsageNs: number;
  /** Memory in use, in bytes. */
  MemoryUsage: number;
  /** Memory limit in bytes (a very large number when unlimited). */
  MemoryLimit: number;
  /** Processes (and threads) in the container. */
  Pids: number;
  /** Bytes read from block devices. */
  IoReadBytes: number;
  /** Bytes written to block devices. */
  IoWriteBytes: number;
}

/** What `docker commit` takes besides the container. */
export interface CommitOptions {
  /** Tag for the new image, e.g. `myapp:snapshot` (default: untagged). */
  reference?: string;
  /** Recorded in the image's history. */
  comment?: string;
  author?: string;
  /**
   * Dockerfile instructions applied to the new image's run settings, as
   * `docker commit --change`: CMD, ENTRYPOINT, ENV, EXPOSE, LABEL, ONBUILD,
   * USER, VOLUME, WORKDIR, STOPSIGNAL.
   */
  changes?: string[];
  /**
   * The image lives only as long as the process that made it, as a container
   * does: removed when that process ends (or, after a SIGKILL, by the next
   * engine to start), once no container uses it.
   */
  temporary?: boolean;
  /**
   * Put the content of the container's anonymous volumes (an image VOLUME's,
   * or a volume mount without a name) into the layer at their mount points,
   * and take those paths out of the image's `Volumes`: a container from the
   * image then has that content in its own writable layer, not in a new,
   * empty volume. `docker commit` leaves volumes out (the default).
   */
  includeAnonymousVolumes?: boolean;
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
   * a network created with {@link NetworkService.createNetwork}.
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
   * {@link ExecService.attachContainer} writes to; without it stdin is `/dev/null`.
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

/** Processes of a container, as `docker top` lists them. */
export interface ContainerTop {
  Titles: string[];
  Processes: string[][];
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

/** The containers part of the {@link Engine} contract: create, run, stop, inspect and remove. */
export interface ContainerService {
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
}
