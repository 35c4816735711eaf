const SIGNALS = ['SIGTERM', 'SIGINT', 'SIGHUP'] as const;

/** Hooks waiting for the process to end, by what they finish: one each, however often asked for. */
const pending = new Map<string, () => void>();
let listening = false;

/**
 * Runs `fn` (synchronously) once when this process ends normally or is asked
 * to end by SIGTERM, SIGINT or SIGHUP; test runners such as vitest stop their
 * workers with SIGTERM, which runs no exit handler. A signal nobody else
 * listens for is raised again after `fn`, so the process still ends as it
 * would have. SIGKILL runs nothing: what it leaves, the next engine sweeps.
 * While a hook under `key` waits, asking again under that key adds nothing.
 */
export function atProcessEnd(key: string, fn: () => void): void {
  if (!pending.has(key)) pending.set(key, fn);
  if (listening) return;
  listening = true;
  process.once('exit', runProcessEndHooks);
  for (const signal of SIGNALS) {
    process.once(signal, () => {
      runProcessEndHooks();
      if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
    });
  }
}

/**
 * Runs every waiting {@link atProcessEnd} hook now, as if the process ended,
 * and forgets it (asking again registers anew). For hosts whose `process`
 * never sees the real end: jest gives each test file a copy of `process` that
 * no exit or signal reaches, so `berth/jest` calls this when a block's tests are done.
 */
export function runProcessEndHooks(): void {
  for (const [key, fn] of [...pending]) {
    pending.delete(key);
    fn();
  }
}
