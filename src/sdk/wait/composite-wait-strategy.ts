import type { WaitContext, WaitStrategy } from './wait-strategy.js';

/** Ready when every strategy is, waited for together under one deadline. */
export class CompositeWaitStrategy implements WaitStrategy {
  readonly description: string;

  constructor(private readonly strategies: WaitStrategy[]) {
    this.description = `all of [${strategies.map((s) => s.description).join(', ')}]`;
  }

  async waitUntilReady(context: WaitContext): Promise<void> {
    await Promise.all(this.strategies.map((s) => s.waitUntilReady(context)));
  }
}
