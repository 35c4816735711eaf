import { Readable } from 'node:stream';
import type { PathArchive } from '../engine/api/index.js';

/**
 * A Node Readable of what an engine's async iterable yields (mapped), for
 * SDK methods whose callers expect a stream. Destroying it runs `stop`,
 * which must end the source: an iterator's `return()` cannot stop a read
 * that is still pending.
 */
export function readableOf<T>(source: AsyncIterable<T>, stop: () => void, map: (item: T) => unknown, objectMode: boolean): Readable {
  const next = source[Symbol.asyncIterator]();
  return new Readable({
    objectMode,
    read() {
      next.next().then(
        (r) => {
          if (!this.destroyed) this.push(r.done ? null : map(r.value));
        },
        (error: unknown) => this.destroy(error instanceof Error ? error : new Error(String(error))),
      );
    },
    destroy(error, callback) {
      stop();
      callback(error);
    },
  });
}

/** An engine's tar of a container path as the Node stream testcontainers' `copyArchiveFromContainer` gives. */
export function tarStream({ stream }: PathArchive): Readable {
  return stream instanceof Readable
    ? stream
    : readableOf(
        stream,
        () => stream.destroy(),
        (chunk) => chunk,
        false,
      );
}
