import type { ContainerInfo, NetworkInfo } from '../engine/api/index.js';
import type { Endpoint, NetworkRecord } from './network-store.js';
import type { PortMapping } from './port-proxy.js';

/** `docker network inspect` shape of a record. */
export function networkInfo(record: NetworkRecord): NetworkInfo {
  return {
    Id: record.id,
    Name: record.name,
    Driver: 'bridge',
    Created: record.created,
    IPAM: { Config: [{ Subnet: record.subnet, Gateway: record.gateway }] },
    Options: { 'com.docker.network.bridge.name': record.bridge, 'com.docker.network.bridge.enable_icc': String(record.icc) },
    Labels: record.labels,
    Containers: Object.fromEntries(
      Object.values(record.endpoints).map((e) => [
        e.containerId,
        { Name: e.name, IPv4Address: `${e.ip}/${record.subnet.split('/')[1]}`, Aliases: e.aliases },
      ]),
    ),
  };
}

/** A running container's NetworkSettings from its endpoints and bound ports. */
export function networkSettings(
  endpoints: { network: NetworkRecord; endpoint: Endpoint }[],
  ports: PortMapping[],
): ContainerInfo['NetworkSettings'] {
  const Ports: ContainerInfo['NetworkSettings']['Ports'] = {};
  for (const p of ports) {
    const key = `${p.containerPort}/${p.protocol}`;
    const v6 = p.hostIp === '0.0.0.0' ? '::' : '::1';
    Ports[key] = [...(Ports[key] ?? []), { HostIp: p.hostIp, HostPort: String(p.hostPort) }, { HostIp: v6, HostPort: String(p.hostPort) }];
  }
  const Networks: ContainerInfo['NetworkSettings']['Networks'] = {};
  for (const { network, endpoint } of endpoints) {
    Networks[network.name] = {
      IPAddress: endpoint.ip,
      Gateway: network.gateway,
      IPPrefixLen: Number(network.subnet.split('/')[1]),
      Aliases: endpoint.aliases,
      NetworkID: network.id,
    };
  }
  return { Networks, Ports };
}
