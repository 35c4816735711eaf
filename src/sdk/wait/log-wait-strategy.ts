import { BerthError } from '../../errors.js';
import { AbstractWaitStrategy } from './abstract-wait-strategy.js';
import type { WaitContext } from './wait-strategy.js';

/** Ready once the container's output has matched `message` `times` times (either stream). */
export class LogWaitStrategy extends AbstractWaitStrategy {
  readonly description: string;

  constructor(
    private readonly message: string | RegExp,
    private readonly times = 1,
  ) {
    super();
    this.description = `log message ${String(message)}${times > 1 ? ` ×${times}` : ''}`;
  }

  /** testcontainers' wording. */
  override timeoutMessage(timeoutMs: number): string {
    return `Log message "${String(this.message)}" not received after ${timeoutMs}ms`;
  }

  async waitUntilReady({ engine, containerId, signal, since }: WaitContext): Promise<void> {
    let seen = 0;
    const logs = await engine.containerLogs(containerId, { follow: true, ...(since ? { since } : {}) });
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
