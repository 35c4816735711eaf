import { CompositeWaitStrategy } from './composite-wait-strategy.js';
import { LogWaitStrategy } from './log-wait-strategy.js';
import { OneShotStartupWaitStrategy } from './one-shot-wait-strategy.js';
import type { WaitStrategy } from './wait-strategy.js';

/** Factory of wait strategies, as testcontainers' `Wait`. */
export const Wait = {
  /** Ready when the output contains `message` (string or regex) `times` times. */
  forLogMessage(message: string | RegExp, times = 1): WaitStrategy {
    return new LogWaitStrategy(message, times);
  },
  /** Ready when the container exited with code 0. */
  forOneShotStartup(): WaitStrategy {
    return new OneShotStartupWaitStrategy();
  },
  /** Ready when all the given strategies are. */
  forAll(strategies: WaitStrategy[]): WaitStrategy {
    return new CompositeWaitStrategy(strategies);
  },
};
