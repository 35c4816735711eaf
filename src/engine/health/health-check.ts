import { InvalidSpecError } from '../../errors.js';
import type { HealthCheck, ImageConfig } from '../api/index.js';

/** A check ready to run: the argv to exec and every time filled in. */
export interface ResolvedHealthCheck {
  argv: string[];
  intervalMs: number;
  timeoutMs: number;
  retries: number;
  startPeriodMs: number;
}

const DEFAULT_MS = 30_000;
const NS_PER_MS = 1e6;

/**
 * The container's check: the spec's, else the image's HEALTHCHECK (its
 * times are nanoseconds); `NONE` in either turns checks off.
 */
export function resolveHealthCheck(spec: HealthCheck | undefined, image: ImageConfig): ResolvedHealthCheck | undefined {
  const fromImage = image.config?.Healthcheck;
  const check: HealthCheck | undefined = spec ?? (fromImage?.Test?.length ? imageCheck(fromImage) : undefined);
  if (!check || check.test[0] === 'NONE') return undefined;
  return {
    argv: healthArgv(check.test),
    intervalMs: positive(check.interval, 'interval') ?? DEFAULT_MS,
    timeoutMs: positive(check.timeout, 'timeout') ?? DEFAULT_MS,
    retries: positive(check.retries, 'retries') ?? 3,
    startPeriodMs: check.startPeriod ?? 0,
  };
}

function imageCheck(h: NonNullable<NonNullable<ImageConfig['config']>['Healthcheck']>): HealthCheck {
  const ms = (ns: number | undefined): number | undefined => (ns ? Math.round(ns / NS_PER_MS) : undefined);
  const interval = ms(h.Interval);
  const timeout = ms(h.Timeout);
  const startPeriod = ms(h.StartPeriod);
  return {
    test: h.Test ?? [],
    ...(interval ? { interval } : {}),
    ...(timeout ? { timeout } : {}),
    ...(h.Retries ? { retries: h.Retries } : {}),
    ...(startPeriod ? { startPeriod } : {}),
  };
}

function healthArgv(test: string[]): string[] {
  const [kind, ...rest] = test;
  if (kind === 'CMD' && rest.length > 0) return rest;
  if (kind === 'CMD-SHELL' && rest.length === 1) return ['/bin/sh', '-c', rest[0] as string];
  throw new InvalidSpecError(
    `invalid health check test ${JSON.stringify(test)}`,
    "use ['CMD', 'prog', 'arg', ...], ['CMD-SHELL', 'one shell command'] or ['NONE']",
  );
}

/** 0 or unset means the default, as in Docker. */
function positive(value: number | undefined, name: string): number | undefined {
  if (value === undefined || value === 0) return undefined;
  if (!(value > 0)) throw new InvalidSpecError(`invalid health check ${name} ${value}`, `give ${name} as a positive number`);
  return value;
}
