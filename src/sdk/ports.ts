import type { PortBinding } from '../engine/api/index.js';
import { checkPortBinding } from '../engine/container/port-checks.js';
import { refuse } from '../engine/container/spec-field.js';

/**
 * A port as `withExposedPorts` takes it: `80`, `"53/udp"`, or
 * `{ container, host, protocol }` (a fixed host port; `protocol` as
 * testcontainers takes it, or given in `container` as `"53/udp"`).
 */
export type ExposedPort =
  | number
  | string
  | { container: number | string; host: number; protocol?: 'tcp' | 'udp'; hostIp?: '0.0.0.0' | '127.0.0.1' };

const PORT_FORM = 'use a number, "<number>/tcp" or "<number>/udp", e.g. 8080 or "53/udp"';

/**
 * Splits `"53/udp"` into port and protocol; a bare number is TCP. Anything
 * else (`"80/sctp"`, `"http"`) is an InvalidSpecError.
 */
export function parsePort(port: number | string): { port: number; protocol: 'tcp' | 'udp' } {
  if (typeof port === 'number') return { port, protocol: 'tcp' };
  const match = typeof port === 'string' ? /^(\d{1,5})(?:\/([A-Za-z0-9]+))?$/.exec(port) : null;
  if (!match) refuse('port', port, 'must be a port number with an optional /tcp or /udp', PORT_FORM);
  const protocol = match[2] ?? 'tcp';
  if (protocol !== 'tcp' && protocol !== 'udp')
    refuse('port protocol', port, "must be 'tcp' or 'udp'", `Berth publishes TCP and UDP ports only: ${PORT_FORM}`);
  return { port: Number(match[1]), protocol };
}

/** The engine's binding for an exposed port, checked (ports 1-65535, host port 0 for a free one). */
export function toPortBinding(exposed: ExposedPort): PortBinding {
  const binding = bindingOf(exposed);
  checkPortBinding(binding, 'port');
  return binding;
}

function bindingOf(exposed: ExposedPort): PortBinding {
  if (typeof exposed === 'object' && exposed !== null) {
    const parsed = parsePort(exposed.container);
    const protocol = exposed.protocol ?? parsed.protocol;
    return { containerPort: parsed.port, protocol, hostPort: exposed.host, ...(exposed.hostIp ? { hostIp: exposed.hostIp } : {}) };
  }
  const { port, protocol } = parsePort(exposed);
  return { containerPort: port, protocol };
}
