import type { Engine } from '../engine/api/index.js';

/**
 * The host tests reach published ports at: `TESTCONTAINERS_HOST_OVERRIDE`
 * when set (as testcontainers reads it), else what the engine says
 * (`127.0.0.1` for the local engine's port relays; a Docker daemon's host).
 */
export function sdkHost(engine: Engine): string {
  return process.env.TESTCONTAINERS_HOST_OVERRIDE || engine.hostAddress();
}

/** `host` for a URL: an IPv6 address goes in brackets. */
export function urlHost(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}
