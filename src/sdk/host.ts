/**
 * The host tests reach published ports at: `TESTCONTAINERS_HOST_OVERRIDE`
 * when set (as testcontainers reads it), else 127.0.0.1, where the local
 * engine's port relays listen.
 */
export function sdkHost(): string {
  return process.env.TESTCONTAINERS_HOST_OVERRIDE || '127.0.0.1';
}
