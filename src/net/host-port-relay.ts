import { native } from '../engine/native.js';
import { NetworkError } from '../errors.js';

/**
 * Relays of host ports onto the gateway address of container networks, for
 * `TestContainers.exposeHostPorts`: a container connects to
 * `host.testcontainers.internal:<port>` (its network's gateway), and the
 * relay forwards to `127.0.0.1:<port>`, so a server that listens only on
 * the host's loopback is reachable too. One listener per gateway and port,
 * made by the engine process (the addon's splice relay) and kept while it
 * lives; a listener bound to the gateway of a network that is removed stays
 * harmless and serves again if a new network gets that address.
 */
const relays = new Map<string, number | 'served'>();

/** Makes sure each port is reachable at `gateway:port` from the containers on that network. */
export function relayHostPorts(gateway: string, ports: number[]): void {
  for (const port of ports) {
    const key = `${gateway}:${port}`;
    if (relays.has(key)) continue;
    let id: number;
    try {
      id = native().proxyListen(gateway, port);
    } catch (error) {
      // A server on every address (0.0.0.0:port) is on the gateway already: nothing to relay.
      if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') {
        relays.set(key, 'served');
        continue;
      }
      throw new NetworkError(`could not expose host port ${port} to containers at ${gateway}: ${(error as Error).message}`, {
        hint: 'check that the port is a free TCP port number from 1 to 65535',
        cause: error,
      });
    }
    native().proxyTarget(id, '127.0.0.1', port);
    relays.set(key, id);
  }
}
