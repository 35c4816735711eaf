import type { Engine } from '../../engine/engine.js';
import { BerthError, StartupTimeoutError, WaitStrategyError } from '../../errors.js';
import type { WaitStrategy } from './wait-strategy.js';

const LOG_TAIL = 10;

/**
 * Runs `strategy` under a deadline. A timeout becomes a StartupTimeoutError,
 * any other failure a WaitStrategyError; both carry the container's last log
 * lines so the test output shows why.
 */
export async function waitForReady(engine: Engine, containerId: string, strategy: WaitStrategy, timeoutMs: number): Promise<void> {
  const started = Date.now();
  const signal = AbortSignal.timeout(timeoutMs);
  try {
    await strategy.waitUntilReady({ engine, containerId, signal });
  } catch (error) {
    const tail = await lastLines(engine, containerId);
    if (signal.aborted) throw new StartupTimeoutError(strategy.description, Date.now() - started, tail);
    const detail = error instanceof BerthError || error instanceof Error ? error.message : String(error);
    throw new WaitStrategyError(strategy.description, detail, tail);
  }
}

async function lastLines(engine: Engine, containerId: string): Promise<string[]> {
  const lines: string[] = [];
  try {
    for await (const line of await engine.containerLogs(containerId, { tail: LOG_TAIL })) lines.push(String(line));
  } catch {
    // No logs to show (the container is already gone): the error still names the strategy.
  }
  return lines;
}
