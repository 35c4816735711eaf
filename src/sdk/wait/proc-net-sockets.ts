import { readFile } from 'node:fs/promises';

/** TCP_LISTEN in the `st` column of /proc/net/tcp. */
const TCP_LISTEN = '0A';

/**
 * Whether a socket of the network namespace of `pid` listens on `port`:
 * reads /proc/<pid>/net/{tcp,tcp6} (LISTEN state) or {udp,udp6} (any bound
 * socket). Looks inside the container without running anything in it.
 */
export async function listensInside(pid: number, port: number, protocol: 'tcp' | 'udp'): Promise<boolean> {
  const tables = await Promise.all([protocol, `${protocol}6`].map((name) => readFile(`/proc/${pid}/net/${name}`, 'utf8').catch(() => '')));
  return tables.some((table) =>
    table
      .split('\n')
      .slice(1)
      .some((line) => matches(line, port, protocol)),
  );
}

/** A row is `sl local_address rem_address st ...`, the address as hex `ip:port`. */
function matches(line: string, port: number, protocol: 'tcp' | 'udp'): boolean {
  const [, local, , state] = line.trim().split(/\s+/);
  const hexPort = local?.split(':')[1];
  if (!hexPort || Number.parseInt(hexPort, 16) !== port) return false;
  return protocol === 'udp' || state === TCP_LISTEN;
}
