import * as fs from 'node:fs';
import { BerthError } from '../errors.js';

/** Engine settings that are the machine's business, not the test's. */
export interface BerthConfig {
  /** Registries spoken to over plain HTTP (besides localhost and 127.0.0.0/8, always). */
  insecureRegistries: string[];
  /** Per registry (`docker.io`, `host:port`), mirror base URLs tried before it, in order. */
  registryMirrors: Record<string, string[]>;
  /** How registry requests are retried on 5xx, 429 and dropped connections. */
  registryRetry?: RegistryRetry;
  /** How long a registry request may stall at each step before it counts as failed (and is retried). */
  registryTimeouts?: RegistryTimeouts;
}

/** Retries of registry requests: `retries` after the first attempt, backing off from `minDelayMs` (x3 each time). */
export interface RegistryRetry {
  /** Default 4. */
  retries?: number;
  /** Default 100. */
  minDelayMs?: number;
}

/**
 * Limits on a registry request (the registry, its token server, where it
 * redirects to) at each step; a request past one fails with
 * `RegistryTimeoutError` once the retry policy gives up. Every field is in
 * milliseconds except `bodyMinBytesPerSec`.
 */
export interface RegistryTimeouts {
  /** Establishing the connection (TCP and TLS). Default 10 000. */
  connectMs?: number;
  /** From sending the request (or the last chunk of its body) to the answer's headers. Default 30 000. */
  headersMs?: number;
  /**
   * Reading an answer's body: no byte for this long is a stall, and so is a
   * window this long that brings fewer than `bodyMinBytesPerSec` on average
   * (a trickle). Time the reader itself spends (unpacking) does not count. Default 30 000.
   */
  bodyIdleMs?: number;
  /** The slowest body accepted over a `bodyIdleMs` window; 0 accepts any trickle. Default 1024. */
  bodyMinBytesPerSec?: number;
}

/** Where the config file is looked for unless `BERTH_CONFIG` names one. */
export const DEFAULT_CONFIG_PATH = '/etc/berth/config.json';

/**
 * Reads the config file (`$BERTH_CONFIG`, else /etc/berth/config.json if it
 * exists), then adds `BERTH_INSECURE_REGISTRIES` (comma-separated hosts) and
 * `BERTH_REGISTRY_MIRRORS` (`registry=url[,registry=url…]`) from the environment.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): BerthConfig {
  const config = readFile(env.BERTH_CONFIG);
  for (const host of splitList(env.BERTH_INSECURE_REGISTRIES)) config.insecureRegistries.push(host);
  for (const pair of splitList(env.BERTH_REGISTRY_MIRRORS)) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw configError(`BERTH_REGISTRY_MIRRORS entry "${pair}" is not registry=url`);
    const registry = pair.slice(0, eq);
    config.registryMirrors[registry] = [...(config.registryMirrors[registry] ?? []), mirrorUrl(pair.slice(eq + 1))];
  }
  return config;
}

function readFile(explicit: string | undefined): BerthConfig {
  const path = explicit ?? DEFAULT_CONFIG_PATH;
  let text: string;
  try {
    text = fs.readFileSync(path, 'utf8');
  } catch (e) {
    if (!explicit && (e as NodeJS.ErrnoException).code === 'ENOENT') return { insecureRegistries: [], registryMirrors: {} };
    throw configError(`cannot read the Berth config ${path}: ${(e as Error).message}`);
  }
  let raw: Partial<BerthConfig>;
  try {
    raw = JSON.parse(text) as Partial<BerthConfig>;
  } catch {
    throw configError(`the Berth config ${path} is not valid JSON`);
  }
  const mirrors: Record<string, string[]> = {};
  for (const [registry, urls] of Object.entries(raw.registryMirrors ?? {})) mirrors[registry] = (urls ?? []).map(mirrorUrl);
  return {
    insecureRegistries: [...(raw.insecureRegistries ?? [])],
    registryMirrors: mirrors,
    ...checkedSettings(raw),
  };
}

/**
 * Checks the numeric settings of a config given in code (the engine's
 * `config` option) as the file's are checked: a BAD_CONFIG error naming the
 * setting, instead of a zero timeout that undici would take as none.
 */
export function checkConfig(config: BerthConfig): BerthConfig {
  return { ...config, ...checkedSettings(config) };
}

function checkedSettings(raw: Partial<BerthConfig>): Pick<BerthConfig, 'registryRetry' | 'registryTimeouts'> {
  const { registryRetry, registryTimeouts } = raw;
  return {
    ...(registryRetry !== undefined ? { registryRetry: wholeNumbers('registryRetry', registryRetry, { retries: 0, minDelayMs: 0 }) } : {}),
    ...(registryTimeouts !== undefined ? { registryTimeouts: wholeNumbers('registryTimeouts', registryTimeouts, TIMEOUT_MINIMA) } : {}),
  };
}

/** The least value of each `registryTimeouts` field: a zero timeout would fail every request. */
const TIMEOUT_MINIMA: Required<RegistryTimeouts> = { connectMs: 1, headersMs: 1, bodyIdleMs: 1, bodyMinBytesPerSec: 0 };

/** Checks that `raw` (the config's `section`) is an object of the keys of `minima`, each a whole number at least its minimum. */
function wholeNumbers<T extends object>(section: string, raw: T, minima: Required<T>): T {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw configError(`${section} must be an object`);
  const allowed = minima as Record<string, number>;
  for (const [key, value] of Object.entries(raw)) {
    const least = allowed[key];
    if (least === undefined) throw configError(`${section}.${key} is not a setting (known: ${Object.keys(allowed).join(', ')})`);
    if (!Number.isSafeInteger(value) || (value as number) < least) {
      throw configError(`${section}.${key} must be a whole number >= ${least}, not ${JSON.stringify(value)}`);
    }
  }
  return { ...raw };
}

function mirrorUrl(text: string): string {
  try {
    const url = new URL(text);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('not http(s)');
    return url.origin;
  } catch {
    throw configError(`registry mirror "${text}" is not an http(s) URL`);
  }
}

function splitList(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

function configError(message: string): BerthError {
  return new BerthError('BAD_CONFIG', message, {
    hint: 'see README "Configuration": {"insecureRegistries": ["host:port"], "registryMirrors": {"docker.io": ["http://mirror:5000"]}, "registryRetry": {"retries": 4}, "registryTimeouts": {"connectMs": 10000}}',
  });
}
