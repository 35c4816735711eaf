import { BerthError } from '../../errors.js';
import type { WaitContext, WaitStrategy } from './wait-strategy.js';

/** Ready once the container's output has matched `message` `times` times (either stream). */
export class LogWaitStrategy implements WaitStrategy {
  readonly description: string;

  constructor(
    private readonly message: string | RegExp,
    private readonly times = 1,
  ) {
    this.description = `log message ${String(message)}${times > 1 ? ` ×${times}` : ''}`;
  }

  async waitUntilReady({ engine, containerId, signal }: WaitContext): Promise<void> {
    let seen = 0;
    const logs = await engine.containerLogs(containerId, { follow: true });
    signal.addEventListener('abort', () => logs.destroy(), { once: true });
    for await (const line of logs) {
      if (this.#matches(String(line)) && ++seen >= this.times) {
        logs.destroy();
        return;
      }
    }
    if (signal.aborted) throw signal.reason;
    throw new BerthError('WAIT_FAILED', `the container exited after ${seen} of ${this.times} matches of ${String(this.message)}`);
  }

  #matches(line: string): boolean {
    return typeof this.message === 'string' ? line.includes(this.message) : this.message.test(line);
  }
}
