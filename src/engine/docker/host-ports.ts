import { createServer } from 'node:net';
import { relayHostPorts } from '../../net/host-port-relay.js';
import type { DockerHost } from './docker-host.js';
import type { DockerNetworks } from './networks.js';

/** The daemon resolves this to its default bridge's gateway (dockerd 20.10 and later). */
const HOST_GATEWAY = 'host-gateway';

/**
 * The address a container on `networkMode` reaches the host's exposed ports
 * at (`host.testcontainers.internal`), making sure they answer there.
 *
 * On a daemon of this host (a unix socket) whose network gateway is one of
 * this host's addresses, each port is relayed from the gateway to
 * 127.0.0.1, as the local engine does, so servers that listen on the
 * loopback only are reached too; the relays live as long as this process.
 * Elsewhere (a remote daemon, Docker Desktop's VM, rootless dockerd, whose
 * gateways are not this host's) it is the daemon's `host-gateway`: the
 * daemon's host, where only ports listening beyond its loopback answer.
 */
export async function hostPortsAddress(host: DockerHost, networks: DockerNetworks, networkMode: string, ports: number[]): Promise<string> {
  if (networkMode === 'host') return '127.0.0.1'; // The host's own network: its loopback is the container's.
  if (host.kind !== 'unix' || networkMode === 'none' || networkMode.startsWith('container:')) return HOST_GATEWAY;
  const gateway = (await networks.inspect(networkMode)).IPAM.Config.find((c) => c.Gateway.includes('.'))?.Gateway;
  if (!gateway || !(await isLocalAddress(gateway))) return HOST_GATEWAY;
  relayHostPorts(gateway, ports);
  return gateway;
}

/**
 * Whether `address` is one of this host's: a socket can be bound to it.
 * (The interface list leaves out links that are down, as a bridge without
 * containers is.)
 */
function isLocalAddress(address: string): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(false));
    probe.listen(0, address, () => probe.close(() => resolve(true)));
  });
}
