import type { Engine } from '../../engine/api/index.js';
import { BerthError } from '../../errors.js';
import { AbstractWaitStrategy } from './abstract-wait-strategy.js';
import { pause, type WaitContext } from './wait-strategy.js';

/** What a {@link StartupCheckStrategy} reports on each check. */
export type StartupStatus = 'PENDING' | 'SUCCESS' | 'FAIL';

const FIRST_POLL_MS = 10;
const MAX_POLL_MS = 100;

/**
 * A wait strategy that asks the engine about the container until it reports
 * success or failure, as testcontainers' `StartupCheckStrategy` (which is
 * handed a Dockerode client; here it is the engine). Checks start 10 ms
 * apart and back off to 100 ms, so a short job is seen ending at once.
 */
export abstract class StartupCheckStrategy extends AbstractWaitStrategy {
  readonly description: string = 'startup check';

  /** One look at the container: still starting, started, or failed for good. */
  abstract checkStartupState(engine: Engine, containerId: string): Promise<StartupStatus>;

  async waitUntilReady({ engine, containerId, signal }: WaitContext): Promise<void> {
    for (let wait = FIRST_POLL_MS; ; wait = Math.min(wait * 2, MAX_POLL_MS)) {
      const status = await this.checkStartupState(engine, containerId);
      if (status === 'SUCCESS') return;
      if (status === 'FAIL') {
        const reason = await this.failureReason(engine, containerId);
        throw new BerthError('WAIT_FAILED', `Container failed to start for ${containerId}${reason ? `: ${reason}` : ''}`);
      }
      await pause(wait, signal);
    }
  }

  /** What went wrong, said after testcontainers' words when a check reports FAIL. */
  protected async failureReason(_engine: Engine, _containerId: string): Promise<string | undefined> {
    return undefined;
  }

  /** testcontainers' wording. */
  override timeoutMessage(timeoutMs: number): string {
    return `Container not accessible after ${timeoutMs}ms`;
  }
}
