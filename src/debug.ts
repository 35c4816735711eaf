import { formatWithOptions } from 'node:util';

/**
 * `DEBUG=berth*` (or `DEBUG=*`) turns on Berth's debug log on stderr, the
 * convention of the `debug` package, without depending on it;
 * `DEBUG=testcontainers*`, which testcontainers users already set, does too.
 */
const enabled = /(^|,)\s*(berth\*?|testcontainers(\*|:\S*)?|\*)\s*(,|$)/.test(process.env.DEBUG ?? '');

/** Logs a printf-style message when debugging is on. */
export function debug(format: string, ...args: unknown[]): void {
  if (!enabled) return;
  process.stderr.write(`berth ${new Date().toISOString()} ${formatWithOptions({ colors: false }, format, ...args)}\n`);
}
