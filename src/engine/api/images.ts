import type { BuildImageOptions } from './build.js';

/** How {@link ImageService.pullImage} treats images already present. */
export type PullPolicyName = 'always' | 'missing' | 'never';

/** Username/password (or token) for a registry. */
export interface RegistryCredentials {
  username: string;
  password: string;
}

/**
 * Progress of one layer of a pull: events as its bytes arrive, then one with
 * `done`. A layer the store has already gets that last event alone, with
 * nothing downloaded, so every layer of the image ends with one `done` event.
 */
export interface PullProgress {
  layer: string;
  downloaded: number;
  total: number;
  done: boolean;
}

/** Options of {@link ImageService.pullImage}. */
export interface PullImageOptions {
  policy?: PullPolicyName;
  /** `os/arch[/variant]`; default: this machine's. */
  platform?: string;
  credentials?: RegistryCredentials;
  /** Called as layer bytes arrive. */
  onProgress?: (progress: PullProgress) => void;
}

/** Options of {@link ImageService.pushImage}. */
export interface PushImageOptions {
  /** Where to push, e.g. `127.0.0.1:5000/team/app:1.0`; default: the reference pushed (for an image id, its first tag). */
  target?: string;
  credentials?: RegistryCredentials;
}

/** The parts of an image config Berth uses (OCI image config spec, whose casing it keeps). */
export interface ImageConfig {
  architecture: string;
  os: string;
  variant?: string;
  created?: string;
  /** Docker's image comment (`docker commit -m`), shown as `Comment` by `docker inspect`. */
  comment?: string;
  author?: string;
  config?: {
    User?: string;
    Env?: string[];
    Entrypoint?: string[] | null;
    Cmd?: string[] | null;
    WorkingDir?: string;
    ExposedPorts?: Record<string, object>;
    Volumes?: Record<string, object>;
    Labels?: Record<string, string> | null;
    StopSignal?: string;
    /** Instructions a child image runs first (Dockerfile ONBUILD). */
    OnBuild?: string[];
    Healthcheck?: { Test?: string[]; Interval?: number; Timeout?: number; Retries?: number; StartPeriod?: number };
  };
  rootfs: { type: 'layers'; diff_ids: string[] };
  history?: { created?: string; created_by?: string; empty_layer?: boolean; comment?: string }[];
}

/** An image as the engine's store has it, cased as `docker image inspect` (the parts Berth fills). */
export interface ImageSummary {
  /** The config digest, `sha256:…`. */
  Id: string;
  /** Every `repository:tag` naming it. */
  RepoTags: string[];
  /** The digest of the manifest it was pulled, loaded or pushed as, `sha256:…` ('' when none is known). */
  ManifestDigest: string;
  /** Bytes of its layers' content, unpacked. */
  Size: number;
  /** The image's OCI config document, in the OCI spec's casing. */
  Config: ImageConfig;
}

/** One step of an image's history, as `docker history` lists it. */
export interface ImageHistoryEntry {
  /** RFC 3339 time of the step. */
  Created: string;
  CreatedBy: string;
  Comment: string;
  /** The step changed only metadata and made no layer. */
  EmptyLayer: boolean;
}

/** What an image prune removed (`SpaceReclaimed` as Docker's prune reports it). */
export interface PruneResult {
  /** Unpacked layers removed. */
  LayersDeleted: number;
  /** Blobs (compressed layers, configs, manifests) removed. */
  BlobsDeleted: number;
  /** Leftovers of interrupted pulls and loads removed. */
  StagingDeleted: number;
  /** Bytes freed. */
  SpaceReclaimed: number;
}

/** Image settings for an imported rootfs (like `docker import --change`). */
export interface ImportOptions {
  cmd?: string[];
  entrypoint?: string[];
  env?: string[];
  workingDir?: string;
  /** Paths the image declares as volumes (`VOLUME`); containers get an anonymous volume on each. */
  volumes?: string[];
  /** The image's HEALTHCHECK, as an image config holds it (`Test` like Docker's, times in nanoseconds). */
  healthcheck?: NonNullable<ImageConfig['config']>['Healthcheck'];
  /** Whether the tarball is gzip-compressed (default: detected from the first bytes). */
  gzip?: boolean;
}

/**
 * Image archive formats: an OCI image layout directory (`oci-dir`, skopeo's
 * `oci:`), a tar of one (`oci-archive`) or `docker save`'s tar
 * (`docker-archive`).
 */
export type ArchiveFormat = 'oci-dir' | 'oci-archive' | 'docker-archive';

/** Options of {@link ImageService.loadImages}. */
export interface LoadImagesOptions {
  /** The archive's format; default: told by its content. */
  format?: ArchiveFormat;
  /**
   * Also tag the loaded image with this reference; the archive must hold
   * exactly one image. For an OCI layout that names its image only by a
   * bare tag such as `latest`, this is the only tag it gets.
   */
  tag?: string;
}

/** The images part of the {@link Engine} contract: pull, push, tag, remove, save and load. */
export interface ImageService {
  /** Pulls an image (honouring `policy`) and returns what the store holds. */
  pullImage(reference: string, options?: PullImageOptions): Promise<ImageSummary>;
  /** Imports a rootfs tarball (plain or gzip) as a one-layer image, like `docker import`. */
  importImage(source: AsyncIterable<Buffer>, reference: string, options?: ImportOptions): Promise<ImageSummary>;
  /**
   * Builds an image from a Dockerfile in the directory `context`, like
   * `docker build`: only the stages `target` needs, each RUN in a
   * container, layers looked up in and added to a content-keyed build cache
   * shared by every process on the machine. A malformed Dockerfile is a
   * DockerfileError, a source outside the context a BuildContextError, a
   * failing step a BuildStepError.
   */
  buildImage(context: string, options?: BuildImageOptions): Promise<ImageSummary>;
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
}
