import * as fs from 'node:fs';
import { hostname as osHostname } from 'node:os';
import type { ContainerSpec, NetworkCreateOptions } from '../engine/api/index.js';
import { native } from '../engine/native.js';
import { readOr } from '../engine/state/files.js';
import { identify, isAlive, type ProcessIdentity } from '../engine/state/process-identity.js';
import { NetworkError, NetworkNotFoundError } from '../errors.js';
import { bringUp, tearDown } from './bridge-lifecycle.js';
import { releaseDefaultOnExit, useDefault } from './default-network-linger.js';
import { type EtcFiles, etcFilesIn, etcMountRecords, type HostEntry, hostsText, resolvConfText, rewriteInPlace } from './etc-files.js';
import { relayHostPorts } from './host-port-relay.js';
import { allocateAddress, chooseSubnet } from './ipam.js';
import { formatIPv4, formatSubnet, nth } from './ipv4.js';
import { bridgeName, checkNetworkName, DEFAULT_ALIASES, vethName } from './network-names.js';
import { DEFAULT_BRIDGE, DEFAULT_NETWORK, type Endpoint, type NetworkRecord, NetworkStore, pruneDeadEndpoints } from './network-store.js';
import { type PortMapping, PortProxies } from './port-proxy.js';

/** Names a container gets for reaching the host (its gateway). */
export const HOST_GATEWAY_NAMES = ['host.berth.internal', 'host.testcontainers.internal'];

/** What the runtime needs to know about a container to network it. */
export interface NetworkedContainer {
  id: string;
  name: string;
  hostname: string;
  spec: ContainerSpec;
  /** The container's state directory (for hosts, hostname, resolv.conf). */
  dir: string;
}

/** One start's networking, from reservation to release. */
export interface ContainerNetworking {
  /** Helper `mount` records for /etc/hosts, /etc/hostname, /etc/resolv.conf. */
  mounts: string[];
  /** A netns to join (host mode). */
  netns?: string;
  /** The published ports as bound. */
  ports: PortMapping[];
  /** Puts the held container (its init `pid`) on its networks and starts forwarding its ports. */
  attach(pid: number): Promise<void>;
  /** Takes it off again; idempotent. */
  release(): Promise<void>;
}

/**
 * Networks and container networking: bridges, addresses, the /etc files
 * and published ports. State is host-wide (see {@link NetworkStore}).
 */
export class NetworkManager {
  constructor(readonly store: NetworkStore = new NetworkStore()) {}

  async create(name: string, options: NetworkCreateOptions = {}): Promise<NetworkRecord> {
    checkNetworkName(name);
    return this.store.locked(async () => {
      if (this.store.get(name)) throw new NetworkError(`network ${name} already exists`, { hint: 'pick another name, or remove it first' });
      const id = NetworkStore.newId();
      const record = this.#newRecord(name, id, bridgeName(id), false, options);
      bringUp(this.store, record);
      return record;
    });
  }

  async remove(name: string): Promise<void> {
    await this.store.locked(async () => {
      const record = this.get(name);
      pruneDeadEndpoints(record);
      const users = Object.values(record.endpoints);
      if (users.length > 0) {
        throw new NetworkError(`network ${name} is in use by container ${users[0]?.name}`, {
          hint: 'stop or disconnect its containers first',
        });
      }
      tearDown(this.store, record);
    });
  }

  /** A network by name (`bridge` and `default` mean the default network). */
  get(name: string): NetworkRecord {
    const record = this.store.get(DEFAULT_ALIASES.includes(name) ? DEFAULT_NETWORK : name);
    if (!record) throw new NetworkNotFoundError(name);
    return record;
  }

  list(): NetworkRecord[] {
    return this.store.list();
  }

  /** Reserves the host ports and writes the /etc files; the container does not exist yet. */
  async prepare(container: NetworkedContainer): Promise<ContainerNetworking> {
    const mode = container.spec.networkMode ?? 'bridge';
    const files = etcFilesIn(container.dir);
    const joins = this.#joins(container.spec, mode);
    const bridged = mode !== 'host' && mode !== 'none';
    const proxies = await PortProxies.reserve(bridged ? requestedPorts(container.spec) : []);
    try {
      writeInitialFiles(files, container, mode);
    } catch (error) {
      proxies.close();
      throw error;
    }
    let released = false;
    return {
      mounts: etcMountRecords(files),
      ...(mode === 'host' ? { netns: `/proc/${process.pid}/ns/net` } : {}),
      ports: proxies.mappings,
      attach: async (pid) => {
        const primary = await this.#attachAll(container, files, joins, pid);
        if (primary) proxies.forwardTo(primary);
        const hostPorts = container.spec.hostPorts ?? [];
        const first = joins[0] && this.store.get(joins[0].network);
        if (hostPorts.length > 0 && first) relayHostPorts(first.gateway, hostPorts);
      },
      release: async () => {
        if (released) return;
        released = true;
        proxies.close();
        if (joins.length > 0)
          await this.#detachAll(
            container.id,
            joins.map((j) => j.network),
          );
      },
    };
  }

  /** Puts a running container on one more network. */
  async connect(network: string, container: NetworkedContainer, pid: number, aliases: string[] = []): Promise<void> {
    await this.store.locked(async () => {
      const record = this.get(network);
      if (record.isDefault) throw new NetworkError('containers join the default network only when they start');
      if (record.endpoints[container.id]) throw new NetworkError(`container ${container.name} is already on network ${network}`);
      const index = this.#endpointsOf(container.id).length;
      this.#attachOne(record, container, etcFilesIn(container.dir), pid, index, aliases);
      this.#rewriteHostsOf([record], container.id);
    });
  }

  async disconnect(network: string, containerId: string, pid: number): Promise<void> {
    await this.store.locked(async () => {
      const record = this.get(network);
      const endpoint = record.endpoints[containerId];
      if (!endpoint) throw new NetworkError(`the container is not on network ${network}`);
      native().netDetach(pid, endpoint.ifname);
      delete record.endpoints[containerId];
      this.store.save(record);
      this.#rewriteHostsOf([record], containerId); // It no longer knows that network's containers either.
    });
  }

  /** Every live endpoint of a container, with its network. */
  endpointsOf(containerId: string): { network: NetworkRecord; endpoint: Endpoint }[] {
    return this.#endpointsOf(containerId);
  }

  #endpointsOf(containerId: string, networks = this.store.list()): { network: NetworkRecord; endpoint: Endpoint }[] {
    return networks.flatMap((network) => {
      const endpoint = network.endpoints[containerId];
      return endpoint ? [{ network, endpoint }] : [];
    });
  }

  #joins(spec: ContainerSpec, mode: string): { network: string; aliases: string[] }[] {
    const extra = Object.entries(spec.networks ?? {});
    if (mode === 'host' || mode === 'none') {
      if (extra.length > 0) throw new NetworkError(`network mode ${mode} cannot be combined with other networks`);
      return [];
    }
    const primary = DEFAULT_ALIASES.includes(mode) ? DEFAULT_NETWORK : mode;
    if (primary !== DEFAULT_NETWORK) this.get(primary);
    const joins = [{ network: primary, aliases: spec.networks?.[primary]?.aliases ?? [] }];
    for (const [network, options] of extra) {
      if (network === primary) continue;
      this.get(network);
      joins.push({ network, aliases: options.aliases ?? [] });
    }
    return joins;
  }

  /** Returns the primary address (where published ports forward to). */
  async #attachAll(container: NetworkedContainer, files: EtcFiles, joins: { network: string; aliases: string[] }[], pid: number) {
    if (joins.length === 0) return undefined;
    return this.store.locked(async () => {
      const attached: NetworkRecord[] = [];
      try {
        for (const [index, join] of joins.entries()) {
          const record = join.network === DEFAULT_NETWORK ? this.#defaultNetwork() : this.get(join.network);
          this.#attachOne(record, container, files, pid, index, join.aliases);
          attached.push(record);
        }
      } catch (error) {
        for (const record of attached) this.#dropEndpoint(record, container.id);
        throw error;
      }
      this.#rewriteHostsOf(attached, container.id);
      return attached[0]?.endpoints[container.id]?.ip;
    });
  }

  #attachOne(record: NetworkRecord, c: NetworkedContainer, files: EtcFiles, pid: number, index: number, aliases: string[]): void {
    pruneDeadEndpoints(record);
    const holder = identify(pid);
    if (!holder) throw new NetworkError(`container ${c.name} exited before its network was set up`);
    const ip = allocateAddress(record);
    const hostIf = vethName(c.id, index);
    const ifname = `eth${index}`;
    const gateway = index === 0 ? record.gateway : '';
    // A restart comes back before the kernel has torn down the last run's netns, and its veth with it.
    native().netDeleteLink(hostIf);
    native().netAttach(pid, record.bridge, hostIf, ifname, ip, prefixOf(record), gateway, record.icc ? 0 : 1);
    record.endpoints[c.id] = endpointFor(c, { ip, ifname, hostIf, holder, hostsFile: files.hosts, aliases });
    this.store.save(record);
  }

  /** The default network, made (bridge, rules) on first use; a live process takes it over from a dead owner. */
  #defaultNetwork(): NetworkRecord {
    const existing = this.store.get(DEFAULT_NETWORK);
    if (existing) {
      useDefault(this.store, existing); // Saved with our endpoint.
      return existing;
    }
    const record = this.#newRecord(DEFAULT_NETWORK, NetworkStore.newId(), DEFAULT_BRIDGE, true, {});
    bringUp(this.store, record);
    releaseDefaultOnExit(this.store);
    return record;
  }

  #newRecord(name: string, id: string, bridge: string, isDefault: boolean, options: NetworkCreateOptions): NetworkRecord {
    const subnet = chooseSubnet(this.store.list());
    const owner = identify();
    return {
      id,
      name,
      bridge,
      subnet: formatSubnet(subnet),
      gateway: formatIPv4(nth(subnet, 1)),
      icc: options.icc ?? true,
      isDefault,
      created: new Date().toISOString(),
      labels: options.labels ?? {},
      ...(owner ? { owner } : {}),
      endpoints: {},
    };
  }

  async #detachAll(containerId: string, networks: string[]): Promise<void> {
    await this.store.locked(async () => {
      const changed: NetworkRecord[] = [];
      for (const name of networks) {
        const record = this.store.get(name);
        const endpoint = record?.endpoints[containerId];
        if (!record || !endpoint) continue;
        this.#dropEndpoint(record, containerId);
        changed.push(record);
      }
      this.#rewriteHostsOf(changed, containerId);
    });
  }

  /** Removes an endpoint and its veth; an emptied default network goes too. */
  #dropEndpoint(record: NetworkRecord, containerId: string): void {
    const endpoint = record.endpoints[containerId];
    // A veth whose container is gone goes with its netns; deleting it here would wait ~20 ms on the kernel.
    if (endpoint && isAlive(endpoint.holder)) native().netDeleteLink(endpoint.hostIf);
    delete record.endpoints[containerId];
    pruneDeadEndpoints(record);
    // The default network outlives its containers while some engine process that used it lives (then its
    // reaper, for a grace period), so a run of one container after another, in one process or in a
    // process after another, does not pay for a bridge and its rules each time.
    if (record.isDefault && Object.keys(record.endpoints).length === 0 && !isAlive(record.owner)) tearDown(this.store, record);
    else this.store.save(record);
  }

  /**
   * Rewrites the hosts files a change of `containerId`'s endpoints on
   * `records` touches: its own, and its peers' on user networks (so late
   * joiners and leavers are seen). Names resolve on user networks only, so
   * the default network's other containers keep the file they have.
   */
  #rewriteHostsOf(records: NetworkRecord[], containerId: string): void {
    const peers = records.filter((r) => !r.isDefault).flatMap((r) => Object.keys(r.endpoints));
    const networks = this.store.list(); // Read once for all of them.
    for (const id of new Set([containerId, ...peers])) this.#rewriteHosts(id, networks);
  }

  #rewriteHosts(containerId: string, networks: NetworkRecord[]): void {
    const mine = this.#endpointsOf(containerId, networks);
    const first = mine[0]?.endpoint;
    if (!first) return;
    const peers: HostEntry[] = [];
    for (const { network } of mine) {
      if (network.isDefault) continue; // Like Docker: names resolve on user networks only.
      for (const peer of Object.values(network.endpoints)) {
        if (peer.containerId !== containerId) peers.push({ ip: peer.ip, names: [peer.name, ...peer.aliases] });
      }
    }
    const aliases = mine.flatMap(({ endpoint }) => endpoint.aliases);
    const self = { ip: first.ip, names: [first.hostname, first.name, ...aliases] };
    const gateway = mine[0]?.network.gateway ?? '';
    const extra = [{ ip: gateway, names: HOST_GATEWAY_NAMES }, ...first.extraHosts.map((h) => ({ ip: h.ipAddress, names: [h.host] }))];
    try {
      rewriteInPlace(first.hostsFile, hostsText(self, extra, peers));
    } catch {
      // The container's directory is already gone (it is being removed): nothing to update.
    }
  }
}

function endpointFor(
  c: NetworkedContainer,
  where: { ip: string; ifname: string; hostIf: string; holder: ProcessIdentity; hostsFile: string; aliases: string[] },
): Endpoint {
  return { containerId: c.id, name: c.name, hostname: c.hostname, extraHosts: c.spec.extraHosts ?? [], ...where };
}

function prefixOf(record: NetworkRecord): number {
  return Number(record.subnet.split('/')[1]);
}

function requestedPorts(spec: ContainerSpec): PortMapping[] {
  // The spec's ports were checked when the container was created (checkPortBinding).
  return (spec.ports ?? []).map((p) => ({
    containerPort: p.containerPort,
    protocol: p.protocol ?? 'tcp',
    hostIp: p.hostIp ?? '0.0.0.0',
    hostPort: p.hostPort ?? 0,
  }));
}

/** hosts, hostname and resolv.conf before the container runs (hosts is rewritten once it has addresses). */
function writeInitialFiles(files: EtcFiles, c: NetworkedContainer, mode: string): void {
  const extra = (c.spec.extraHosts ?? []).map((h) => ({ ip: h.ipAddress, names: [h.host] }));
  const hostHosts = mode === 'host' ? readOr('/etc/hosts') : '';
  fs.writeFileSync(
    files.hosts,
    hostHosts ? `${hostHosts}${hostsText(undefined, extra, []).split('\n').slice(2).join('\n')}` : hostsText(undefined, extra, []),
  );
  fs.writeFileSync(files.hostname, `${mode === 'host' ? osHostname() : c.hostname}\n`);
  fs.writeFileSync(files.resolvConf, mode === 'none' ? '' : resolvConfText());
}
