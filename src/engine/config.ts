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
  /**
   * Keep each layer's blob as pulled or loaded besides the unpacked layer
   * (default false): pushes and OCI saves then send the very blobs, so the
   * image keeps its manifest digest, at the cost of the blobs' disk space.
   */
  keepLayerBlobs?: boolean;
}

/** Retries of registry requests: `retries` after the first attempt, backing off from `minDelayMs` (x3 each time). */
export interface RegistryRetry {
  /** Default 4. */
  retries?: number;
  /** Default 100. */
  minDelayMs?: number;
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
    ...(raw.registryRetry ? { registryRetry: retrySettings(raw.registryRetry) } : {}),
    ...(raw.keepLayerBlobs !== undefined ? { keepLayerBlobs: flag('keepLayerBlobs', raw.keepLayerBlobs) } : {}),
  };
}

function retrySettings(raw: RegistryRetry): RegistryRetry {
  for (const [key, value] of Object.entries(raw)) {
    if (!['retries', 'minDelayMs'].includes(key) || !Number.isInteger(value) || (value as number) < 0) {
      throw configError(`registryRetry.${key} must be "retries" or "minDelayMs", a whole number >= 0`);
    }
  }
  return { ...raw };
}

function flag(key: string, value: unknown): boolean {
  if (typeof value !== 'boolean') throw configError(`${key} must be true or false`);
  return value;
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
    hint: 'see README "Configuration": {"insecureRegistries": ["host:port"], "registryMirrors": {"docker.io": ["http://mirror:5000"]}}',
  });
}
