import type { ContainerInfo } from '../../engine/api/index.js';
import { BerthError, EngineUnavailableError } from '../../errors.js';
import { pause, type WaitContext } from './wait-strategy.js';

const POLL_MS = 100;

/**
 * Calls `check` until it returns true, every 100 ms, under the context's
 * deadline; fails at once when the container is no longer running (it can
 * never become ready then) unless `abortOnExit` is false.
 */
export async function pollUntil(context: WaitContext, check: () => Promise<boolean>, abortOnExit = true): Promise<void> {
  for (;;) {
    if (await check()) return;
    if (abortOnExit && !(await runningInfo(context))) throw new BerthError('WAIT_FAILED', 'the container stopped before it was ready');
    await pause(POLL_MS, context.signal);
  }
}

/** The container's inspect data while it runs; undefined once it exited or was removed. */
export async function runningInfo({ engine, containerId }: WaitContext): Promise<ContainerInfo | undefined> {
  const info = await engine.inspectContainer(containerId).catch((error: unknown) => {
    if (error instanceof EngineUnavailableError) throw error; // The engine itself failing is no answer.
    return undefined; // Removed meanwhile: not running.
  });
  return info?.State.Running ? info : undefined;
}

/** The host port a container port (`80/tcp`) is published on, or a clear error. */
export function mappedPort(info: ContainerInfo, key: string): number {
  const binding = info.NetworkSettings.Ports[key]?.[0];
  if (!binding)
    throw new BerthError('WAIT_FAILED', `container port ${key} is not published`, { hint: 'publish it with withExposedPorts()' });
  return Number(binding.HostPort);
}
