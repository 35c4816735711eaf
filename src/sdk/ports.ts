import type { PortBinding } from '../engine/engine.js';

/**
 * A port as `withExposedPorts` takes it: `80`, `"53/udp"`, or
 * `{ container, host, protocol }` (a fixed host port; `protocol` as
 * testcontainers takes it, or given in `container` as `"53/udp"`).
 */
export type ExposedPort =
  | number
  | string
  | { container: number | string; host: number; protocol?: 'tcp' | 'udp'; hostIp?: '0.0.0.0' | '127.0.0.1' };

/** Splits `"53/udp"` into port and protocol; a bare number is TCP. */
export function parsePort(port: number | string): { port: number; protocol: 'tcp' | 'udp' } {
  if (typeof port === 'number') return { port, protocol: 'tcp' };
  const match = /^(\d{1,5})(?:\/(tcp|udp))?$/.exec(port);
  if (!match) throw new TypeError(`invalid port "${port}": use a number or "<number>/tcp" / "<number>/udp"`);
  return { port: Number(match[1]), protocol: (match[2] as 'tcp' | 'udp' | undefined) ?? 'tcp' };
}

export function toPortBinding(exposed: ExposedPort): PortBinding {
  if (typeof exposed === 'object') {
    const parsed = parsePort(exposed.container);
    const protocol = exposed.protocol ?? parsed.protocol;
    return { containerPort: parsed.port, protocol, hostPort: exposed.host, ...(exposed.hostIp ? { hostIp: exposed.hostIp } : {}) };
  }
  const { port, protocol } = parsePort(exposed);
  return { containerPort: port, protocol };
}
