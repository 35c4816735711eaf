import type { RegistryCredentials } from '../api/index.js';
import type { BerthConfig } from '../config.js';
import { dockerCredentials } from './docker-credentials.js';
import type { ImageReference } from './reference.js';
import { RegistryClient, type RegistryClientOptions } from './registry-client.js';

/**
 * Clients to pull `ref` through, in the order to try them: the configured
 * mirrors of its registry, then the registry itself. Credentials (given, or
 * from the Docker config) go to the registry only, never to a mirror.
 */
export async function registrySources(
  ref: ImageReference,
  config: BerthConfig,
  credentials: RegistryCredentials | undefined,
): Promise<RegistryClient[]> {
  const retry = clientOptions(config);
  const mirrors = (config.registryMirrors[ref.registry] ?? []).map((endpoint) => new RegistryClient(ref.registry, { endpoint, ...retry }));
  const auth = credentials ?? (await dockerCredentials(ref.registry));
  const insecure = config.insecureRegistries.includes(ref.registry) ? { insecure: true } : {};
  return [...mirrors, new RegistryClient(ref.registry, { ...insecure, ...retry, ...(auth ? { credentials: auth } : {}) })];
}

/** The client options for the configured retry and timeout settings (pulls and pushes alike). */
export function clientOptions(config: BerthConfig): Pick<RegistryClientOptions, 'retries' | 'retryDelayMs' | 'timeouts'> {
  const { retries, minDelayMs } = config.registryRetry ?? {};
  return {
    ...(retries !== undefined ? { retries } : {}),
    ...(minDelayMs !== undefined ? { retryDelayMs: minDelayMs } : {}),
    ...(config.registryTimeouts ? { timeouts: config.registryTimeouts } : {}),
  };
}
