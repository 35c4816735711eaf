import type { Engine } from '../../engine/api/index.js';
import { BerthError, EngineUnavailableError, StartupTimeoutError, WaitStrategyError } from '../../errors.js';
import { formatFrame } from '../log-lines.js';
import type { WaitContext, WaitStrategy } from './wait-strategy.js';

/** Log lines a failure carries: as many as testcontainers shows when a container exits while waited on. */
const LOG_TAIL = 50;

/** A strategy's own deadline passed; `message` says so in testcontainers' words. */
class DeadlinePassed extends Error {
  constructor(
    message: string,
    readonly strategy: string,
  ) {
    super(message);
  }
}

/** How long a start waits when neither the container nor the strategy set a timeout, as in testcontainers. */
export const DEFAULT_STARTUP_TIMEOUT_MS = 60_000;

/** Options of {@link waitForReady}. */
export interface WaitForReadyOptions {
  /** The container's own startup timeout (`withStartupTimeout`), which wins over the strategy's. */
  containerTimeoutMs?: number | undefined;
  /** Only output from this moment on counts (a restart's start). */
  since?: Date;
}

/**
 * Runs `strategy` under a deadline: the container's startup timeout when it
 * set one, else the strategy's own, else 60 s. A timeout becomes a
 * StartupTimeoutError saying what testcontainers says (e.g. `Log message
 * "ready" not received after 1000ms`), any other failure a
 * WaitStrategyError; both carry the container's last 50 log lines. An
 * engine that cannot be reached any more fails it with its own
 * EngineUnavailableError (e.g. DockerUnavailableError), at once.
 */
export async function waitForReady(
  engine: Engine,
  containerId: string,
  strategy: WaitStrategy,
  options: WaitForReadyOptions = {},
): Promise<void> {
  const started = Date.now();
  const timeoutMs = options.containerTimeoutMs ?? strategy.getStartupTimeout?.() ?? DEFAULT_STARTUP_TIMEOUT_MS;
  try {
    await waitWithin(strategy, { engine, containerId, ...(options.since ? { since: options.since } : {}) }, timeoutMs);
  } catch (error) {
    if (error instanceof EngineUnavailableError) throw error; // The engine failed, not the strategy.
    const tail = await lastLines(engine, containerId);
    if (error instanceof DeadlinePassed) throw new StartupTimeoutError(error.strategy, Date.now() - started, tail, error.message);
    const detail = error instanceof BerthError || error instanceof Error ? error.message : String(error);
    throw new WaitStrategyError(strategy.description, detail, tail);
  }
}

/**
 * Runs one strategy with its own deadline of `timeoutMs` (and the caller's
 * signal, if any); composite strategies run their parts through it too, so
 * a part with a shorter timeout of its own fails on its own words.
 */
export async function waitWithin(
  strategy: WaitStrategy,
  context: Omit<WaitContext, 'signal'> & { signal?: AbortSignal },
  timeoutMs: number,
): Promise<void> {
  const deadline = AbortSignal.timeout(timeoutMs);
  const signal = context.signal ? AbortSignal.any([context.signal, deadline]) : deadline;
  try {
    await strategy.waitUntilReady({ ...context, signal });
  } catch (error) {
    if (error instanceof DeadlinePassed || !deadline.aborted) throw error;
    const message = strategy.timeoutMessage?.(timeoutMs) ?? `Wait strategy (${strategy.description}) not successful after ${timeoutMs}ms`;
    throw new DeadlinePassed(message, strategy.description);
  }
}

async function lastLines(engine: Engine, containerId: string): Promise<string[]> {
  const lines: string[] = [];
  try {
    for await (const frame of await engine.containerLogs(containerId, { tail: LOG_TAIL })) lines.push(formatFrame(frame));
  } catch {
    // No logs to show (the container is already gone): the error still names the strategy.
  }
  return lines;
}
