import { BerthError } from '../../errors.js';
import type { WaitContext, WaitStrategy } from './wait-strategy.js';

/** Ready once the container ran to completion with exit code 0 (setup jobs, migrations). */
export class OneShotStartupWaitStrategy implements WaitStrategy {
  readonly description = 'one-shot startup (exit code 0)';

  async waitUntilReady({ engine, containerId, signal }: WaitContext): Promise<void> {
    const exit = await Promise.race([
      engine.waitContainer(containerId),
      new Promise<never>((_, reject) => signal.addEventListener('abort', () => reject(signal.reason), { once: true })),
    ]);
    if (exit.exitCode !== 0) throw new BerthError('WAIT_FAILED', `the container exited with code ${exit.exitCode}`);
  }
}
