import { pause } from '../wait/wait-strategy.js';

/**
 * Calls `check` every `intervalMs` until it returns true; rejects when
 * `signal` aborts. A check that throws counts as "not yet": the services the
 * modules wait for refuse or reset connections while they start.
 */
export async function pollUntil(check: () => Promise<boolean>, signal: AbortSignal, intervalMs: number): Promise<void> {
  for (;;) {
    if (signal.aborted) throw signal.reason;
    if (await check().catch(() => false)) return;
    await pause(intervalMs, signal);
  }
}
