const SIGNALS = ['SIGTERM', 'SIGINT', 'SIGHUP'] as const;

/**
 * Runs `fn` (synchronously) once when this process ends normally or is asked
 * to end by SIGTERM, SIGINT or SIGHUP; test runners such as vitest stop their
 * workers with SIGTERM, which runs no exit handler. A signal nobody else
 * listens for is raised again after `fn`, so the process still ends as it
 * would have. SIGKILL runs nothing: what it leaves, the next engine sweeps.
 */
export function atProcessEnd(fn: () => void): void {
  let done = false;
  const once = (): void => {
    if (done) return;
    done = true;
    fn();
  };
  process.once('exit', once);
  for (const signal of SIGNALS) {
    process.once(signal, () => {
      once();
      if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
    });
  }
}
