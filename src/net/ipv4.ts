/** An IPv4 subnet as a 32-bit base address and a prefix length. */
export interface Subnet {
  base: number;
  prefix: number;
}

/** `10.0.0.1` → 32-bit number; throws on anything else. */
export function parseIPv4(text: string): number {
  const parts = text.split('.');
  if (parts.length !== 4 || parts.some((p) => !/^\d{1,3}$/.test(p) || Number(p) > 255)) {
    throw new TypeError(`not an IPv4 address: ${text}`);
  }
  return parts.reduce((n, p) => n * 256 + Number(p), 0);
}

export function formatIPv4(n: number): string {
  return [24, 16, 8, 0].map((s) => (n >>> s) & 255).join('.');
}

export function parseSubnet(text: string): Subnet {
  const [addr = '', prefix = ''] = text.split('/');
  const bits = Number(prefix);
  if (!/^\d{1,2}$/.test(prefix) || bits > 32) throw new TypeError(`not an IPv4 subnet: ${text}`);
  return { base: (parseIPv4(addr) & mask(bits)) >>> 0, prefix: bits };
}

export function formatSubnet(s: Subnet): string {
  return `${formatIPv4(s.base)}/${s.prefix}`;
}

export function mask(prefix: number): number {
  return prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
}

/** Whether two subnets share any address. */
export function overlaps(a: Subnet, b: Subnet): boolean {
  const m = mask(Math.min(a.prefix, b.prefix));
  return (a.base & m) >>> 0 === (b.base & m) >>> 0;
}

/** The subnet's n-th address (0 is the network address). */
export function nth(s: Subnet, n: number): number {
  return (s.base + n) >>> 0;
}

/** How many host addresses it has (without network and broadcast). */
export function hostCount(s: Subnet): number {
  return 2 ** (32 - s.prefix) - 2;
}
