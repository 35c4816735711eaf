import * as fs from 'node:fs';

const LOWEST = 1024;
const HIGHEST = 65535;

/**
 * A random port outside the kernel's ephemeral range, so a mapping never
 * races the kernel handing the same port to some process's outgoing
 * connection (Docker's random ports come from inside it and sometimes do).
 */
export function randomHostPort(): number {
  const [lo, hi] = ephemeralRange();
  const below = Math.max(0, lo - LOWEST);
  const above = Math.max(0, HIGHEST - hi);
  const pick = Math.floor(Math.random() * (below + above));
  return pick < below ? LOWEST + pick : hi + 1 + (pick - below);
}

function ephemeralRange(): [number, number] {
  try {
    const [lo, hi] = fs.readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number);
    if (lo && hi) return [lo, hi];
  } catch {
    // Not Linux's procfs: assume the kernel default.
  }
  return [32768, 60999];
}
