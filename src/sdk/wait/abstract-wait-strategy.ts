import { InvalidSpecError } from '../../errors.js';
import type { WaitContext, WaitStrategy } from './wait-strategy.js';

/**
 * The base of Berth's wait strategies, as testcontainers'
 * `AbstractWaitStrategy`: a strategy may carry its own startup timeout,
 * which applies unless the container sets one with `withStartupTimeout`.
 * Extend it for a strategy of your own and implement `waitUntilReady`.
 */
export abstract class AbstractWaitStrategy implements WaitStrategy {
  protected startupTimeoutMs: number | undefined;

  /** Name used in error messages. */
  abstract readonly description: string;

  /** Resolves when ready; rejects (or sees `signal` abort) when it cannot be. */
  abstract waitUntilReady(context: WaitContext): Promise<void>;

  /** How long this strategy may wait, in ms (a container's `withStartupTimeout` wins over it). */
  withStartupTimeout(ms: number): this {
    if (!Number.isSafeInteger(ms) || ms <= 0) {
      throw new InvalidSpecError(`invalid startup timeout ${ms}`, 'use a whole number of milliseconds above 0');
    }
    this.startupTimeoutMs = ms;
    return this;
  }

  /** Whether {@link withStartupTimeout} was called. */
  isStartupTimeoutSet(): boolean {
    return this.startupTimeoutMs !== undefined;
  }

  /** The timeout set with {@link withStartupTimeout}, if any. */
  getStartupTimeout(): number | undefined {
    return this.startupTimeoutMs;
  }

  /** What a timeout says; strategies override it with testcontainers' wording. */
  timeoutMessage(timeoutMs: number): string {
    return `Wait strategy (${this.description}) not successful after ${timeoutMs}ms`;
  }
}
