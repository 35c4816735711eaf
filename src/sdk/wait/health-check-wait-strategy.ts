import { BerthError } from '../../errors.js';
import { AbstractWaitStrategy } from './abstract-wait-strategy.js';
import { pollUntil, runningInfo } from './poll.js';
import type { WaitContext } from './wait-strategy.js';

/**
 * Ready when the container's health check (its own or the image's
 * HEALTHCHECK) reports healthy; unhealthy fails at once with the check's
 * last output.
 */
export class HealthCheckWaitStrategy extends AbstractWaitStrategy {
  readonly description = 'health check';

  /** testcontainers' wording. */
  override timeoutMessage(timeoutMs: number): string {
    return `Health check not healthy after ${timeoutMs}ms`;
  }

  async waitUntilReady(context: WaitContext): Promise<void> {
    await pollUntil(context, async () => {
      const info = await runningInfo(context);
      if (!info) return false; // Stopped: pollUntil reports it.
      const health = info.State.Health;
      if (!health) throw new BerthError('WAIT_FAILED', 'the container has no health check', { hint: 'add one with withHealthCheck()' });
      if (health.Status === 'unhealthy') {
        const last = health.Log.at(-1);
        throw new BerthError(
          'WAIT_FAILED',
          `the health check reported unhealthy after ${health.FailingStreak} failures; last output (exit ${last?.ExitCode}): ${last?.Output.trim() ?? ''}`,
        );
      }
      return health.Status === 'healthy';
    });
  }
}
