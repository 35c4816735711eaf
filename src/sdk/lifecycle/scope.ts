/** Something a {@link Scope} can start: a container builder, a network, a module. */
export interface Startable<T extends AsyncDisposable> {
  start(): Promise<T>;
}

/**
 * Owns what a test (or a test suite) started and disposes of it, newest first,
 * when the scope ends. Every disposal is attempted even if one fails; the
 * failures are thrown together afterwards.
 */
export class Scope implements AsyncDisposable {
  readonly #owned: AsyncDisposable[] = [];
  #closed = false;

  /** Starts `what` and ties the result to this scope. */
  async start<T extends AsyncDisposable>(what: Startable<T>): Promise<T> {
    return this.track(await what.start());
  }

  /** Ties something already started to this scope; returns it. */
  track<T extends AsyncDisposable>(started: T): T {
    if (this.#closed) throw new Error('this scope has ended: start containers inside the test that owns them');
    this.#owned.push(started);
    return started;
  }

  /** Disposes of everything the scope owns, newest first. */
  async close(): Promise<void> {
    this.#closed = true;
    const errors: unknown[] = [];
    for (let item = this.#owned.pop(); item; item = this.#owned.pop()) {
      try {
        await item[Symbol.asyncDispose]();
      } catch (error) {
        errors.push(error);
      }
    }
    if (errors.length === 1) throw errors[0];
    if (errors.length > 1) throw new AggregateError(errors, `${errors.length} resources failed to stop`);
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}
