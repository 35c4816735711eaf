import * as fs from 'node:fs';
import { type FileFinish, type FileJob, native } from '../native.js';

/** Files per batch: each batch is one trip to the thread pool. */
const BATCH_FILES = 64;
/** Bytes per batch, and the parts a large file is written in (never held whole). */
const BATCH_BYTES = 1 << 20;

/**
 * Writes files' content and metadata in libuv's thread pool while the caller
 * goes on: unpacking a layer's thousands of small files otherwise costs a
 * write, chown, chmod, utimes and close each on the main thread, which also
 * parses the archive and hashes it. Files go in batches, one batch at a time
 * (so a file's parts, metadata and close keep their order, and a closed fd
 * number is never written to); the next batch fills meanwhile. A failure
 * surfaces at the next {@link file} or at {@link flush}.
 */
export class WriteBehind {
  #batch: FileJob[] = [];
  #batchBytes = 0;
  /** The batch in the pool; never rejects (a failure is kept in #failure). */
  #running: Promise<void> = Promise.resolve();
  #failure: { cause: unknown } | undefined;
  readonly #fail = (cause: unknown): void => {
    this.#failure ??= { cause };
  };

  /**
   * Writes `body` into the new, empty file `fd` (named `path`) and then
   * `finish`es it. The descriptor is the writer's from here on: it is closed
   * whatever happens. Resolves to the byte count once all is queued, not
   * written.
   */
  async file(fd: number, path: string, body: AsyncIterable<Buffer>, finish: FileFinish): Promise<number> {
    let chunks: Buffer[] = [];
    let size = 0;
    let position = 0;
    try {
      for await (const chunk of body) {
        chunks.push(chunk);
        size += chunk.length;
        if (size - position < BATCH_BYTES) continue;
        await this.#queue({ fd, path, chunks, position, finish: null, close: false }, size - position);
        [chunks, position] = [[], size];
      }
    } catch (error) {
      await this.#queue({ fd, path, chunks: [], position, finish: null, close: true }, 0);
      throw error;
    }
    await this.#queue({ fd, path, chunks, position, finish, close: true }, size - position);
    this.#throwFailure();
    return size;
  }

  /** Writes what is queued and waits for it; throws the first failure. */
  async flush(): Promise<void> {
    await this.settle();
    this.#throwFailure();
  }

  /** Waits for what is queued, failed or not (before the files are removed): every fd gets closed. */
  async settle(): Promise<void> {
    await this.#submit();
    await this.#running;
  }

  async #queue(job: FileJob, bytes: number): Promise<void> {
    this.#batch.push(job);
    this.#batchBytes += bytes;
    if (this.#batch.length >= BATCH_FILES || this.#batchBytes >= BATCH_BYTES) await this.#submit();
  }

  /**
   * Queues the filled batch behind the one in the pool, and waits for that
   * one: one batch written, one waiting, one filling at most.
   */
  async #submit(): Promise<void> {
    const batch = this.#batch;
    this.#batch = [];
    this.#batchBytes = 0;
    const previous = this.#running;
    if (batch.length > 0) this.#running = previous.then(() => this.#write(batch));
    await previous;
  }

  /** After a failure nothing more is written: the batch's fds are only closed. */
  async #write(batch: FileJob[]): Promise<void> {
    if (!this.#failure) return native().writeFiles(batch).catch(this.#fail);
    for (const job of batch) {
      if (job.close) closeQuietly(job.fd, this.#fail);
    }
  }

  #throwFailure(): void {
    if (this.#failure) throw this.#failure.cause;
  }
}

function closeQuietly(fd: number, onError: (error: unknown) => void): void {
  try {
    fs.closeSync(fd);
  } catch (error) {
    onError(error);
  }
}
