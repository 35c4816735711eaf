import { readFile } from 'node:fs/promises';

/** TCP_LISTEN in the `st` column of /proc/net/tcp. */
const TCP_LISTEN = '0A';

/** The /proc/net tables that list a protocol's sockets, IPv4 and IPv6. */
export function procNetTables(protocol: 'tcp' | 'udp'): string[] {
  return [`/proc/net/${protocol}`, `/proc/net/${protocol}6`];
}

/**
 * Whether a socket of the network namespace of `pid` listens on `port`:
 * reads /proc/<pid>/net/{tcp,tcp6} (LISTEN state) or {udp,udp6} (any bound
 * socket). Looks inside the container without running anything in it.
 */
export async function listensInside(pid: number, port: number, protocol: 'tcp' | 'udp'): Promise<boolean> {
  const tables = await Promise.all(
    procNetTables(protocol).map((table) => readFile(table.replace('/proc/', `/proc/${pid}/`), 'utf8').catch(() => '')),
  );
  return tables.some((table) => tableListens(table, port, protocol));
}

/**
 * Whether a /proc/net/{tcp,udp}[6] table (or several, one after the other)
 * has a listening (TCP) or bound (UDP) socket on `port`. Header lines match nothing.
 */
export function tableListens(table: string, port: number, protocol: 'tcp' | 'udp'): boolean {
  return table.split('\n').some((line) => matches(line, port, protocol));
}

/** A row is `sl local_address rem_address st ...`, the address as hex `ip:port`. */
function matches(line: string, port: number, protocol: 'tcp' | 'udp'): boolean {
  const [, local, , state] = line.trim().split(/\s+/);
  const hexPort = local?.split(':')[1];
  if (!hexPort || !/^[0-9A-F]{4}$/i.test(hexPort) || Number.parseInt(hexPort, 16) !== port) return false;
  return protocol === 'udp' || state === TCP_LISTEN;
}
