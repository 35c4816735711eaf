import type { Engine, ImageSummary } from '../engine/api/index.js';
import { ImageNotPresentError } from '../errors.js';
import type { StartedTestContainer } from './test-container.js';

/** Options of {@link StartedTestContainer.snapshot}. */
export interface SnapshotOptions {
  /**
   * Keep the image after this process ends. By default a snapshot lives as
   * long as the process that made it, as its containers do: it is removed
   * when the process ends, or after a SIGKILL by the next engine to start.
   */
  keep?: boolean;
  /** Tags the image, e.g. `berth.local/app-db:seeded`; a named snapshot is kept. */
  name?: string;
  /**
   * How the container's files are held still for the copy: `pause` (the
   * default) freezes its processes, as `docker commit` does; `stop` shuts it
   * down with its stop signal first (a clean shutdown: a database in the copy
   * needs no crash recovery), then starts it again and waits for it as at its
   * start (its published ports may change). Modules choose for their service.
   */
  quiesce?: 'pause' | 'stop';
}

/** Something that starts a container from a snapshot's image: a builder with the original's settings. */
export interface SnapshotLauncher<T extends StartedTestContainer> {
  start(engine?: Engine): Promise<T>;
}

/**
 * An image made from a container's files as they were, with the run
 * settings of the builder that started it (environment, command, ports,
 * wait strategy…). Each {@link start} runs a new, independent container on
 * it: the files are a read-only layer under the new container's own empty
 * writable layer, so nothing is copied and nothing one container writes is
 * seen by another. The process is started afresh (no memory is restored).
 *
 * ```ts
 * await using seeded = await pg.snapshot();
 * await using db = await seeded.start(); // every test: a pristine database
 * ```
 */
export class ContainerSnapshot<T extends StartedTestContainer = StartedTestContainer> implements AsyncDisposable {
  #removed = false;

  /** @internal made by {@link StartedTestContainer.snapshot}. */
  constructor(
    private readonly engine: Engine,
    private readonly image: ImageSummary,
    private readonly kept: boolean,
    private readonly launcher: (image: string) => SnapshotLauncher<T>,
  ) {}

  /** The snapshot image's id (`sha256:…`); containers from it can also be made with `new GenericContainer(id)`. */
  getImageId(): string {
    return this.image.Id;
  }

  /** The tag given as `name`, if any. */
  getImageName(): string | undefined {
    return this.image.RepoTags[0];
  }

  /** Whether the image outlives this process (`keep` or `name`). */
  isKept(): boolean {
    return this.kept;
  }

  /** Starts a new container from the snapshot, configured and waited for as the original was. */
  async start(engine: Engine = this.engine): Promise<T> {
    if (this.#removed) throw new ImageNotPresentError(this.image.Id);
    return this.launcher(this.image.Id).start(engine);
  }

  /**
   * Removes the image now, as `removeImage` does: refused while a container
   * made from it exists, unless `force` (then those containers keep its files).
   */
  async remove(options: { force?: boolean } = {}): Promise<void> {
    if (this.#removed) return;
    try {
      await this.engine.removeImage(this.image.Id, options);
    } catch (error) {
      if (!(error instanceof ImageNotPresentError)) throw error;
    }
    this.#removed = true;
  }

  /** `await using`: removes a snapshot that is not kept; a kept one stays for later runs. */
  async [Symbol.asyncDispose](): Promise<void> {
    if (!this.kept) await this.remove();
  }
}
