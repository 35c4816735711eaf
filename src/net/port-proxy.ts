import * as dgram from 'node:dgram';
import { native } from '../engine/native.js';
import { PortInUseError } from '../errors.js';
import { randomHostPort } from './host-port-range.js';

/** A container port published on the host. */
export interface PortMapping {
  containerPort: number;
  protocol: 'tcp' | 'udp';
  /** `0.0.0.0` (every address, plus `::`) or `127.0.0.1` (plus `::1`). */
  hostIp: string;
  hostPort: number;
}

/** Where the proxy sends traffic once the container has an address. */
interface Target {
  address: string;
  /** Told the address once it is known. */
  onAddress: ((address: string) => void)[];
}

const RANDOM_ATTEMPTS = 64;
const UDP_IDLE_MS = 60_000;

/**
 * The published ports of one container: a userland proxy per mapping that
 * binds the host port itself. Binding is the reservation: nothing else can
 * take the port while the container runs, a port some process already
 * listens on is an error instead of being silently shadowed by a DNAT rule,
 * and a 127.0.0.1 mapping stays on the host's loopback without
 * route_localnet (CVE-2020-8558). The sockets belong to the engine process,
 * so they vanish with it, as does the container (its lifeline).
 */
export class PortProxies {
  readonly #closers: (() => void)[] = [];
  readonly #target: Target = { address: '', onAddress: [] };

  private constructor(readonly mappings: PortMapping[]) {}

  /** Binds every requested host port (random ones outside the ephemeral range); throws PortInUseError, leaving nothing bound. */
  static async reserve(requested: PortMapping[]): Promise<PortProxies> {
    const proxies = new PortProxies([]);
    try {
      for (const m of requested) proxies.mappings.push(await proxies.#bind(m));
    } catch (error) {
      proxies.close();
      throw error;
    }
    return proxies;
  }

  /** Starts forwarding to the container's address. */
  forwardTo(address: string): void {
    this.#target.address = address;
    for (const tell of this.#target.onAddress) tell(address);
  }

  close(): void {
    for (const close of this.#closers.splice(0)) close();
  }

  async #bind(m: PortMapping): Promise<PortMapping> {
    if (m.hostPort !== 0) {
      await this.#bindBoth(m);
      return m;
    }
    for (let attempt = 0; ; attempt++) {
      const candidate = { ...m, hostPort: randomHostPort() };
      try {
        await this.#bindBoth(candidate);
        return candidate;
      } catch (error) {
        if (!(error instanceof PortInUseError) || attempt >= RANDOM_ATTEMPTS) throw error;
      }
    }
  }

  /** The IPv4 address and, where the host has IPv6, the matching IPv6 one, on the same port. */
  async #bindBoth(m: PortMapping): Promise<void> {
    const v6 = m.hostIp === '0.0.0.0' ? '::' : m.hostIp === '127.0.0.1' ? '::1' : undefined;
    const closeV4 = await this.#listen(m, m.hostIp);
    if (!v6) {
      this.#closers.push(closeV4);
      return;
    }
    try {
      const closeV6 = await this.#listen(m, v6).catch((error: unknown) => {
        // A host without IPv6 simply gets the IPv4 mapping.
        if (['EADDRNOTAVAIL', 'EAFNOSUPPORT'].includes((error as NodeJS.ErrnoException).code ?? '')) return () => undefined;
        throw error;
      });
      this.#closers.push(closeV4, closeV6);
    } catch (error) {
      closeV4();
      throw error;
    }
  }

  #listen(m: PortMapping, host: string): Promise<() => void> {
    const listen = m.protocol === 'tcp' ? listenTcp : listenUdp;
    const bound = listen(host, m.hostPort, m.containerPort, this.#target);
    return bound.catch((error: unknown) => {
      if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') throw new PortInUseError(host, m.hostPort, m.protocol);
      throw error;
    });
  }
}

/**
 * TCP goes through the addon: its threads relay with splice(2), so the bytes
 * never cross into JavaScript (several times the throughput of a Node pipe).
 */
function listenTcp(host: string, port: number, containerPort: number, target: Target): Promise<() => void> {
  try {
    const id = native().proxyListen(host, port);
    target.onAddress.push((address) => native().proxyTarget(id, address, containerPort));
    return Promise.resolve(() => native().proxyClose(id));
  } catch (error) {
    return Promise.reject(error);
  }
}

function listenUdp(host: string, port: number, containerPort: number, target: Target): Promise<() => void> {
  const v6 = host.includes(':');
  const socket = dgram.createSocket({ type: v6 ? 'udp6' : 'udp4', ipv6Only: v6 });
  const flows = new Map<string, { upstream: dgram.Socket; timer: NodeJS.Timeout }>();
  socket.on('message', (payload, from) => {
    if (!target.address) return;
    const key = `${from.address}|${from.port}`;
    let flow = flows.get(key);
    if (!flow) {
      const upstream = dgram.createSocket('udp4');
      upstream.on('message', (reply) => socket.send(reply, from.port, from.address));
      upstream.on('error', () => undefined);
      flow = { upstream, timer: setTimeout(() => undefined, 0) };
      flows.set(key, flow);
    }
    const current = flow;
    clearTimeout(current.timer);
    current.timer = setTimeout(() => {
      flows.delete(key);
      current.upstream.close();
    }, UDP_IDLE_MS).unref();
    current.upstream.send(payload, containerPort, target.address);
  });
  socket.on('error', () => undefined);
  return new Promise((resolve, reject) => {
    socket.once('error', reject);
    socket.bind({ address: host, port, exclusive: true }, () => {
      socket.off('error', reject);
      resolve(() => {
        for (const flow of flows.values()) {
          clearTimeout(flow.timer);
          flow.upstream.close();
        }
        socket.close();
      });
    });
  });
}
