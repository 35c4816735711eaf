import { InvalidSpecError } from '../../errors.js';
import { AbstractWaitStrategy } from './abstract-wait-strategy.js';
import { waitWithin } from './wait-for-ready.js';
import type { WaitContext, WaitStrategy } from './wait-strategy.js';

/**
 * Ready when every strategy is, waited for together. Each part keeps its own
 * startup timeout if it has one; `withStartupTimeout` gives one to the parts
 * that have none, and `withDeadline` bounds the whole, as in testcontainers.
 */
export class CompositeWaitStrategy extends AbstractWaitStrategy {
  #deadlineMs: number | undefined;
  #partsTimeoutSet = false;

  constructor(private readonly strategies: WaitStrategy[]) {
    super();
  }

  /** Read when an error is made, so each part says what it last saw. */
  get description(): string {
    return `all of [${this.strategies.map((s) => s.description).join(', ')}]`;
  }

  /**
   * Gives every part without a startup timeout of its own this one, as
   * testcontainers does; the whole is bounded by {@link withDeadline} (or the container's timeout).
   */
  override withStartupTimeout(ms: number): this {
    for (const s of this.strategies) {
      if (s instanceof AbstractWaitStrategy && !s.isStartupTimeoutSet()) s.withStartupTimeout(ms);
    }
    this.#partsTimeoutSet = true;
    return this;
  }

  override isStartupTimeoutSet(): boolean {
    return this.#partsTimeoutSet || this.#deadlineMs !== undefined;
  }

  /** Bounds the whole wait: all parts must be ready within `ms`. */
  withDeadline(ms: number): this {
    if (!Number.isSafeInteger(ms) || ms <= 0)
      throw new InvalidSpecError(`invalid deadline ${ms}`, 'use a whole number of milliseconds above 0');
    this.#deadlineMs = ms;
    return this;
  }

  /** The deadline set with {@link withDeadline}. */
  override getStartupTimeout(): number | undefined {
    return this.#deadlineMs;
  }

  /** testcontainers' wording. */
  override timeoutMessage(timeoutMs: number): string {
    return `Composite wait strategy not successful after ${timeoutMs}ms`;
  }

  async waitUntilReady(context: WaitContext): Promise<void> {
    await Promise.all(
      this.strategies.map((s) => {
        const own = s.getStartupTimeout?.();
        return own === undefined ? s.waitUntilReady(context) : waitWithin(s, context, own);
      }),
    );
  }
}
