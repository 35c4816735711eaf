import { NetworkError } from '../errors.js';
import { hostUsedSubnets, isFree } from './host-routes.js';
import { formatIPv4, hostCount, nth, parseIPv4, parseSubnet, type Subnet } from './ipv4.js';
import type { NetworkRecord } from './network-store.js';

/** Where Berth takes its /24s from: far from Docker's 172.17-31 and podman's 10.88-89. */
const POOL = parseSubnet('10.213.0.0/16');
const PREFIX = 24;

/**
 * A /24 no host route, interface address, nameserver or other berth network
 * uses. Runs under the networks lock; the kernel stays the final arbiter
 * (a bridge name or address that exists already fails the create).
 */
export function chooseSubnet(existing: NetworkRecord[]): Subnet {
  const taken = [...hostUsedSubnets(), ...existing.map((n) => parseSubnet(n.subnet))];
  const count = 2 ** (PREFIX - POOL.prefix);
  for (let i = 0; i < count; i++) {
    const candidate = { base: (POOL.base + i * 2 ** (32 - PREFIX)) >>> 0, prefix: PREFIX };
    if (isFree(candidate, taken)) return candidate;
  }
  throw new NetworkError('no free subnet left for a Berth network', { hint: 'remove unused networks' });
}

/**
 * The next free address after the last one handed out, so a just-released
 * address (whose old veth the kernel may still be tearing down) is reused last.
 */
export function allocateAddress(record: NetworkRecord): string {
  const subnet = parseSubnet(record.subnet);
  const used = new Set([record.gateway, ...Object.values(record.endpoints).map((e) => e.ip)]);
  const hosts = hostCount(subnet);
  const last = record.lastIp ? parseIPv4(record.lastIp) - subnet.base : 1;
  for (let step = 1; step <= hosts; step++) {
    const offset = ((last - 1 + step) % hosts) + 1;
    const ip = formatIPv4(nth(subnet, offset));
    if (!used.has(ip)) {
      record.lastIp = ip;
      return ip;
    }
  }
  throw new NetworkError(`network ${record.name} has no free address left`, { hint: 'stop some of its containers' });
}
