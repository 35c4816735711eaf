/** Options of {@link NetworkService.createNetwork}. */
export interface NetworkCreateOptions {
  /** Containers on the network may talk to each other (default true; Docker's enable_icc). */
  icc?: boolean;
  labels?: Record<string, string>;
}

/** A network, shaped like `docker network inspect`. */
export interface NetworkInfo {
  Id: string;
  Name: string;
  Driver: 'bridge';
  Created: string;
  IPAM: { Config: { Subnet: string; Gateway: string }[] };
  Options: Record<string, string>;
  Labels: Record<string, string>;
  Containers: Record<string, { Name: string; IPv4Address: string; Aliases: string[] }>;
}

/** The networks part of the {@link Engine} contract, like `docker network`. */
export interface NetworkService {
  /** Creates a bridge network with a subnet no host route, address or nameserver uses. */
  createNetwork(name: string, options?: NetworkCreateOptions): Promise<NetworkInfo>;
  /** Removes a network; refused while a running container is on it. */
  removeNetwork(name: string): Promise<void>;
  /** Every network. */
  listNetworks(): Promise<NetworkInfo[]>;
  /** A network by name or id; throws NetworkNotFoundError. */
  inspectNetwork(name: string): Promise<NetworkInfo>;
  /** Puts a running container on a network as well (with extra aliases). */
  connectNetwork(network: string, container: string, options?: { aliases?: string[] }): Promise<void>;
  /** Takes a running container off a network. */
  disconnectNetwork(network: string, container: string): Promise<void>;
}
