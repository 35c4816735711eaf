import type { PortBinding } from '../api/index.js';
import { checkWhole, refuse } from './spec-field.js';

const PORT_RANGE = 'a port number from 1 to 65535';

/**
 * Refuses a published port the proxy could not bind or does not speak;
 * `field` prefixes the names in the message (e.g. `ports[0]`).
 */
export function checkPortBinding(p: PortBinding, field: string): void {
  checkWhole(`${field}.containerPort`, p.containerPort, 1, 65535, PORT_RANGE);
  if (p.protocol !== undefined && p.protocol !== 'tcp' && p.protocol !== 'udp') {
    refuse(`${field}.protocol`, p.protocol, "must be 'tcp' or 'udp'", 'Berth publishes TCP and UDP ports only');
  }
  if (p.hostPort !== undefined && p.hostPort !== 0) {
    checkWhole(`${field}.hostPort`, p.hostPort, 1, 65535, `${PORT_RANGE}, or 0 (or none) for a free port`);
  }
  if (p.hostIp !== undefined && p.hostIp !== '0.0.0.0' && p.hostIp !== '127.0.0.1') {
    refuse(
      `${field}.hostIp`,
      p.hostIp,
      "must be '0.0.0.0' or '127.0.0.1'",
      'publish on every address (0.0.0.0) or on loopback only (127.0.0.1)',
    );
  }
}
