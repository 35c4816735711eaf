import type { NetworkCreateOptions, NetworkInfo } from '../api/index.js';
import type { DockerTransport } from './transport.js';

/** Docker's `GET /networks/{id}`, the parts Berth reads. */
interface DockerNetwork {
  Id: string;
  Name: string;
  Driver: string;
  Created: string;
  IPAM: { Config: { Subnet?: string; Gateway?: string }[] | null };
  Options: Record<string, string> | null;
  Labels: Record<string, string> | null;
  Containers: Record<string, { Name: string; IPv4Address: string }> | null;
}

const ICC_OPTION = 'com.docker.network.bridge.enable_icc';

/** User-defined bridge networks on a Docker daemon. */
export class DockerNetworks {
  constructor(private readonly api: DockerTransport) {}

  async create(name: string, options: NetworkCreateOptions, labels: Record<string, string>): Promise<NetworkInfo> {
    await this.api.json({
      method: 'POST',
      path: '/networks/create',
      body: {
        Name: name,
        Driver: 'bridge',
        CheckDuplicate: true,
        Labels: { ...options.labels, ...labels },
        Options: options.icc === false ? { [ICC_OPTION]: 'false' } : {},
      },
      subject: { kind: 'network', name },
    });
    return this.inspect(name);
  }

  async inspect(name: string): Promise<NetworkInfo> {
    return toNetworkInfo(
      await this.api.json<DockerNetwork>({
        method: 'GET',
        path: `/networks/${encodeURIComponent(name)}`,
        subject: { kind: 'network', name },
      }),
    );
  }

  async list(labels: string[] = []): Promise<NetworkInfo[]> {
    const found = await this.api.json<DockerNetwork[]>({
      method: 'GET',
      path: '/networks',
      query: { filters: JSON.stringify({ label: labels }) },
    });
    // Berth's networks are bridges; Docker's `host` and `none` are modes, not networks to list.
    return found.filter((n) => n.Driver === 'bridge').map(toNetworkInfo);
  }

  async remove(name: string): Promise<void> {
    await this.api.send({ method: 'DELETE', path: `/networks/${encodeURIComponent(name)}`, subject: { kind: 'network', name } });
  }

  async connect(network: string, container: string, aliases?: string[]): Promise<void> {
    await this.api.send({
      method: 'POST',
      path: `/networks/${encodeURIComponent(network)}/connect`,
      body: { Container: container, EndpointConfig: aliases ? { Aliases: aliases } : {} },
      subject: { kind: 'network', name: network },
    });
  }

  async disconnect(network: string, container: string): Promise<void> {
    await this.api.send({
      method: 'POST',
      path: `/networks/${encodeURIComponent(network)}/disconnect`,
      body: { Container: container },
      subject: { kind: 'network', name: network },
    });
  }
}

function toNetworkInfo(n: DockerNetwork): NetworkInfo {
  const containers = Object.fromEntries(
    Object.entries(n.Containers ?? {}).map(([id, c]) => [id, { Name: c.Name, IPv4Address: c.IPv4Address, Aliases: [] }]),
  );
  return {
    Id: n.Id,
    Name: n.Name,
    Driver: 'bridge',
    Created: n.Created,
    IPAM: { Config: (n.IPAM.Config ?? []).map((c) => ({ Subnet: c.Subnet ?? '', Gateway: c.Gateway ?? '' })) },
    Options: n.Options ?? {},
    Labels: n.Labels ?? {},
    Containers: containers,
  };
}
