import type { Engine } from '../../engine/engine.js';

/** What a wait strategy may look at while it waits. */
export interface WaitContext {
  engine: Engine;
  containerId: string;
  /** Aborted when the startup timeout passes. */
  signal: AbortSignal;
}

/** Decides when a started container is ready for the test to use. */
export interface WaitStrategy {
  /** Name used in error messages, e.g. `log message /ready/`. */
  readonly description: string;
  /** Resolves when ready; rejects (or sees `signal` abort) when it cannot be. */
  waitUntilReady(context: WaitContext): Promise<void>;
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
