/** How mount events propagate between a bind mount and its source (Docker's bind-propagation). */
export type Propagation = 'private' | 'rprivate' | 'slave' | 'rslave' | 'shared' | 'rshared';

/** A host file or directory mounted into the container (`--mount type=bind`). */
export interface BindMountSpec {
  type: 'bind';
  /** Absolute host path; it must exist. */
  source: string;
  target: string;
  readOnly?: boolean;
  /** Default `rprivate`, as in Docker. */
  propagation?: Propagation;
}

/** A named volume, or an anonymous one when `source` is left out (`--mount type=volume`). */
export interface VolumeMountSpec {
  type: 'volume';
  /** Volume name; created if missing. Omit for an anonymous volume. */
  source?: string;
  target: string;
  readOnly?: boolean;
  /** Do not copy the image's content at `target` into a new, empty volume. */
  noCopy?: boolean;
}

/** A tmpfs mount (`--tmpfs`, `--mount type=tmpfs`): nosuid and nodev, noexec unless `exec`. */
export interface TmpfsMountSpec {
  type: 'tmpfs';
  target: string;
  /** Size limit in bytes; default: the kernel's (half of RAM). */
  sizeBytes?: number;
  /** Permission bits of the tmpfs root; default 01777. */
  mode?: number;
  readOnly?: boolean;
  exec?: boolean;
}

/** A mount of a container, as Docker's `HostConfig.Mounts` describe them. */
export type MountSpec = BindMountSpec | VolumeMountSpec | TmpfsMountSpec;

/** The `Mounts` entries of `docker inspect`. */
export interface MountInfo {
  Type: 'bind' | 'volume' | 'tmpfs';
  Name?: string;
  Source: string;
  Destination: string;
  Driver?: string;
  Mode: string;
  RW: boolean;
  Propagation: string;
}

/** A volume as `docker volume inspect` shows it. */
export interface VolumeInfo {
  Name: string;
  Driver: 'local';
  /** Host directory holding the volume's files. */
  Mountpoint: string;
  CreatedAt: string;
  Labels: Record<string, string>;
  Scope: 'local';
  Options: Record<string, string>;
}

/** Options of {@link VolumeService.createVolume}. */
export interface CreateVolumeOptions {
  /** Default: a random 64-hex name (an anonymous volume). */
  name?: string;
  labels?: Record<string, string>;
}

/** What {@link VolumeService.pruneVolumes} removed. */
export interface PruneVolumesResult {
  volumesDeleted: string[];
  spaceReclaimed: number;
}

/** The volumes part of the {@link Engine} contract, like `docker volume`. */
export interface VolumeService {
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
}
