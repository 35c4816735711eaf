import { InvalidSpecError } from '../errors.js';

const exposed = new Set<number>();

/**
 * testcontainers' `TestContainers`: settings for every container this
 * process starts from now on.
 */
export const TestContainers = {
  /**
   * Lets containers started after this call reach these host TCP ports at
   * `host.testcontainers.internal:<port>`, also when the server listens on
   * 127.0.0.1 only: the engine relays each port from the container network's
   * gateway to the host's loopback (no SSH container, unlike testcontainers).
   */
  async exposeHostPorts(...ports: number[]): Promise<void> {
    for (const port of ports) {
      if (!Number.isInteger(port) || port < 1 || port > 65535) {
        throw new InvalidSpecError(`invalid host port ${port} to expose`, 'use a TCP port number from 1 to 65535');
      }
      exposed.add(port);
    }
  },
};

/** @internal The host ports exposed so far, for a container about to be created. */
export function exposedHostPorts(): number[] {
  return [...exposed];
}
