import type { Engine, ImageSummary } from '../engine/api/index.js';
import { ImageNotPresentError, InvalidSpecError } from '../errors.js';
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
  /**
   * How many containers to keep started ahead from the snapshot (default 0).
   * {@link ContainerSnapshot.start} hands over one that is already up and
   * ready, and starts its replacement in the background: a test waits only
   * for the handover, as long as the test before it ran longer than one
   * start. Spares are ordinary containers of this process (removed with the
   * snapshot, or when the process ends); they cost their memory meanwhile.
   */
  spares?: number;
}

/** Checks {@link SnapshotOptions.spares}: a whole number from 0. */
export function checkSpares(spares: number | undefined): number {
  if (spares === undefined) return 0;
  if (!Number.isInteger(spares) || spares < 0) {
    throw new InvalidSpecError(`spares must be a whole number from 0, not ${spares}`, 'pass e.g. { spares: 1 }', 'spares');
  }
  return spares;
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
  /** Containers started ahead, oldest first; each settles to a ready container or its start's error. */
  readonly #spares: Promise<T>[] = [];

  /** @internal made by {@link StartedTestContainer.snapshot}. */
  constructor(
    private readonly engine: Engine,
    private readonly image: ImageSummary,
    private readonly kept: boolean,
    private readonly launcher: (image: string) => SnapshotLauncher<T>,
    private readonly spares = 0,
  ) {
    this.#refill();
  }

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

  /**
   * Starts a new container from the snapshot, configured and waited for as
   * the original was; with `spares`, hands over one started ahead (on this
   * snapshot's engine) and starts its replacement.
   */
  async start(engine: Engine = this.engine): Promise<T> {
    if (this.#removed) throw new ImageNotPresentError(this.image.Id);
    const spare = engine === this.engine ? this.#spares.shift() : undefined;
    if (spare) {
      try {
        return await spare;
      } catch {
        // A spare that failed to start: a start of our own reports the failure if it is not a passing one.
      } finally {
        this.#refill(); // After the handover, so the replacement does not compete with a spare still starting.
      }
    }
    return this.launcher(this.image.Id).start(engine);
  }

  /** Starts spares until there are as many as asked for. */
  #refill(): void {
    while (!this.#removed && this.#spares.length < this.spares) {
      const started = this.launcher(this.image.Id).start(this.engine);
      started.catch(() => undefined); // Seen by whoever takes it (or by #stopSpares).
      this.#spares.push(started);
    }
  }

  /** Stops and removes the spares not handed over. */
  async #stopSpares(): Promise<void> {
    const spares = this.#spares.splice(0);
    await Promise.all(
      spares.map(async (spare) => {
        const container = await spare.catch(() => undefined);
        await container?.stop();
      }),
    );
  }

  /**
   * Removes the image now, as `removeImage` does (and the spares): refused
   * while a container made from it exists, unless `force` (then those
   * containers keep its files).
   */
  async remove(options: { force?: boolean } = {}): Promise<void> {
    if (this.#removed) return;
    this.#removed = true;
    await this.#stopSpares();
    try {
      await this.engine.removeImage(this.image.Id, options);
    } catch (error) {
      if (!(error instanceof ImageNotPresentError)) {
        this.#removed = false;
        throw error;
      }
    }
  }

  /** `await using`: removes a snapshot that is not kept; a kept one stays for later runs (its spares go). */
  async [Symbol.asyncDispose](): Promise<void> {
    if (this.kept) await this.#stopSpares();
    else await this.remove();
  }
}
