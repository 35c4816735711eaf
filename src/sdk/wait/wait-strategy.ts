import type { Engine } from '../../engine/api/index.js';

/** What a wait strategy may look at while it waits. */
export interface WaitContext {
  engine: Engine;
  containerId: string;
  /** Aborted when the startup timeout passes. */
  signal: AbortSignal;
  /** Only output from this moment on counts (set when a restart waits again). */
  since?: Date;
}

/** Decides when a started container is ready for the test to use. */
export interface WaitStrategy {
  /** Name used in error messages, e.g. `log message /ready/`. */
  readonly description: string;
  /** Resolves when ready; rejects (or sees `signal` abort) when it cannot be. */
  waitUntilReady(context: WaitContext): Promise<void>;
  /**
   * Its own deadline in ms, set with `withStartupTimeout` (see
   * {@link AbstractWaitStrategy}); unset, the container's startup timeout
   * applies. A container's `withStartupTimeout` overrides it, as in testcontainers.
   */
  getStartupTimeout?(): number | undefined;
  /** What a timeout says, in testcontainers' words, e.g. `Log message "ready" not received after 1000ms`. */
  timeoutMessage?(timeoutMs: number): string;
}

/** Sleeps `ms`, or rejects at once when `signal` aborts. */
export function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    // The listener goes with the pause: a strategy polls many times under one signal.
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
