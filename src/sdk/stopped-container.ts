import type { Engine } from '../engine/api/index.js';
import { tarStream } from './readable-of.js';

/**
 * What {@link StartedGenericContainer.stop} resolves to, as testcontainers'
 * `StoppedTestContainer`: the id, and the files of a container stopped
 * without removal (`stop({ remove: false })`).
 */
export class StoppedGenericContainer {
  /** @internal made by `stop()`. */
  constructor(
    private readonly engine: Engine,
    private readonly id: string,
  ) {}

  /** The container's 64-hex id. */
  getId(): string {
    return this.id;
  }

  /**
   * A container path as a tar stream. Only a container stopped with
   * `remove: false` still has files; a removed one throws ContainerNotFoundError.
   */
  async copyArchiveFromContainer(path: string): Promise<NodeJS.ReadableStream> {
    return tarStream(await this.engine.getArchive(this.id, path));
  }
}
