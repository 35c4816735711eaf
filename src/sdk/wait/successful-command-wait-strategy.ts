import { AbstractWaitStrategy } from './abstract-wait-strategy.js';
import { pollUntil } from './poll.js';
import type { WaitContext } from './wait-strategy.js';

const OUTPUT_IN_ERROR = 200;

/** Ready once a command run in the container exits with 0 (a shell string, or an argv that needs no shell). */
export class SuccessfulCommandWaitStrategy extends AbstractWaitStrategy {
  readonly #argv: string[];
  #last = '';

  constructor(private readonly command: string | string[]) {
    super();
    this.#argv = typeof command === 'string' ? ['/bin/sh', '-c', command] : [...command];
  }

  get description(): string {
    const shown = typeof this.command === 'string' ? this.command : this.command.join(' ');
    return `successful command "${shown}"${this.#last ? ` (last: ${this.#last})` : ''}`;
  }

  /** testcontainers' wording. */
  override timeoutMessage(timeoutMs: number): string {
    const shown = typeof this.command === 'string' ? this.command : this.command.join(' ');
    return `Shell command "${shown}" not successful after ${timeoutMs}ms`;
  }

  async waitUntilReady(context: WaitContext): Promise<void> {
    this.#last = '';
    await pollUntil(context, async () => {
      try {
        const result = await context.engine.execContainer(context.containerId, { cmd: this.#argv, signal: context.signal });
        const output = (result.stdout + result.stderr).trim().slice(0, OUTPUT_IN_ERROR);
        this.#last = `exit ${result.exitCode}${output ? `: ${output}` : ''}`;
        return result.exitCode === 0;
      } catch (error) {
        // The deadline's own abort says nothing about the service.
        if (!context.signal.aborted) this.#last = (error as Error).message;
        return false;
      }
    });
  }
}
