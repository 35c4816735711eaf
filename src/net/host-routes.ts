import { readOr } from '../engine/state/files.js';
import { overlaps, parseIPv4, type Subnet } from './ipv4.js';

/**
 * What the host already uses: every IPv4 route in /proc/net/route (which
 * includes the prefix of each interface address, docker0's 172.17/16 among
 * them even while it is down), every local address (from the kernel's local
 * table: a /32 on a dummy or lo has no route of its own) and every IPv4
 * nameserver in /etc/resolv.conf. A berth subnet that overlapped any of
 * them would hijack that traffic.
 */
export function hostUsedSubnets(): Subnet[] {
  return [...routes(), ...localAddresses(), ...nameservers()];
}

/** `|-- 10.0.0.5` followed by `/32 host LOCAL` in /proc/net/fib_trie. */
function localAddresses(): Subnet[] {
  const text = readOr('/proc/net/fib_trie');
  return [...text.matchAll(/\|-- (\d+\.\d+\.\d+\.\d+)\n\s*\/32 host LOCAL/g)].map((m) => ({ base: parseIPv4(m[1] ?? ''), prefix: 32 }));
}

function routes(): Subnet[] {
  return readOr('/proc/net/route')
    .split('\n')
    .slice(1)
    .map((line) => line.trim().split(/\s+/))
    .filter((f) => f.length >= 8 && f[1] !== '00000000') // The default route overlaps everything.
    .map((f) => ({ base: littleEndianHex(f[1] ?? ''), prefix: popcount(littleEndianHex(f[7] ?? '')) }));
}

function nameservers(): Subnet[] {
  const text = readOr('/etc/resolv.conf');
  return [...text.matchAll(/^\s*nameserver\s+(\d+\.\d+\.\d+\.\d+)/gm)].map((m) => ({ base: parseIPv4(m[1] ?? ''), prefix: 32 }));
}

/** /proc/net/route prints addresses as host-order (little-endian) hex. */
function littleEndianHex(hex: string): number {
  const n = Number.parseInt(hex, 16);
  return (((n & 0xff) << 24) | ((n & 0xff00) << 8) | ((n >>> 8) & 0xff00) | (n >>> 24)) >>> 0;
}

function popcount(n: number): number {
  let count = 0;
  for (let v = n; v; v >>>= 1) count += v & 1;
  return count;
}

/** Whether `candidate` is clear of the host's routes and nameservers and of `taken`. */
export function isFree(candidate: Subnet, taken: Subnet[]): boolean {
  return !taken.some((t) => overlaps(candidate, t));
}
