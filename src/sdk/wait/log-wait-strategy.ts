import { BerthError } from '../../errors.js';
import { formatFrame } from '../log-lines.js';
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
    // The wait's signal stops the follower, so a timed-out wait leaves no request behind.
    const done = new AbortController();
    const stop = (): void => done.abort();
    signal.addEventListener('abort', stop, { once: true });
    try {
      const frames = await engine.containerLogs(containerId, { follow: true, signal: done.signal, ...(since ? { since } : {}) });
      for await (const frame of frames) {
        if (this.#matches(formatFrame(frame)) && ++seen >= this.times) return;
      }
    } finally {
      signal.removeEventListener('abort', stop);
      stop();
    }
    if (signal.aborted) throw signal.reason;
    throw new BerthError('WAIT_FAILED', `the container exited after ${seen} of ${this.times} matches of ${String(this.message)}`);
  }

  #matches(line: string): boolean {
    return typeof this.message === 'string' ? line.includes(this.message) : this.message.test(line);
  }
}
