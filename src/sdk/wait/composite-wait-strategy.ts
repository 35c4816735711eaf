import type { WaitContext, WaitStrategy } from './wait-strategy.js';

/** Ready when every strategy is, waited for together under one deadline. */
export class CompositeWaitStrategy implements WaitStrategy {
  constructor(private readonly strategies: WaitStrategy[]) {}

  /** Read when an error is made, so each part says what it last saw. */
  get description(): string {
    return `all of [${this.strategies.map((s) => s.description).join(', ')}]`;
  }

  async waitUntilReady(context: WaitContext): Promise<void> {
    await Promise.all(this.strategies.map((s) => s.waitUntilReady(context)));
  }
}
