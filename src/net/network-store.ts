import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import { join } from 'node:path';
import { hostRunDir } from '../engine/paths.js';
import { trySyncLock, withFileLock } from '../engine/state/file-lock.js';
import { isAlive, type ProcessIdentity } from '../engine/state/process-identity.js';

/** One container's place on a network. */
export interface Endpoint {
  containerId: string;
  /** The container's name: peers on user networks resolve it. */
  name: string;
  aliases: string[];
  ip: string;
  /** The interface inside the container (`eth0`, `eth1`…). */
  ifname: string;
  /** The veth's host end, enslaved to the bridge. */
  hostIf: string;
  /** The container's init: the endpoint is live exactly while it runs. */
  holder: ProcessIdentity;
  /** The container's /etc/hosts on the host, rewritten in place when peers come and go. */
  hostsFile: string;
  /** What the container's own hosts line and extra lines say (for rewrites by any process). */
  hostname: string;
  extraHosts: { host: string; ipAddress: string }[];
}

/** A bridge network as persisted (`/run/berth/networks/<name>.json`). */
export interface NetworkRecord {
  id: string;
  name: string;
  bridge: string;
  subnet: string;
  gateway: string;
  /** Containers on it may talk to each other (Docker's enable_icc). */
  icc: boolean;
  /** The default network: made on first use, removed once empty and its owner (the last process to use it) is gone. */
  isDefault: boolean;
  created: string;
  labels: Record<string, string>;
  /** The process that created a user network (or last used the default one); once it is gone the network is swept. */
  owner?: ProcessIdentity;
  /**
   * The default network only: its owner is a reaper holding it for a grace
   * period after the last process that used it ended (see
   * default-network-linger.ts); processes that use it meanwhile join it as users.
   */
  lingering?: boolean;
  /**
   * The default network only: processes besides the owner that use it. Its
   * owner, when it ends, hands it to a reaper that waits for them (and an
   * owning reaper does), so they need do nothing when they end.
   */
  users?: ProcessIdentity[];
  endpoints: Record<string, Endpoint>;
  /** The address handed out last (allocation continues after it). */
  lastIp?: string;
}

/** Name of the default network (Docker's `bridge`). */
export const DEFAULT_NETWORK = 'berth';
/** Its bridge device. */
export const DEFAULT_BRIDGE = 'berth0';

/**
 * Bridges, subnets and addresses are host-wide, so network state is too:
 * it lives under /run (gone at reboot, like the bridges) rather than in a
 * berth state root, and every change happens under one file lock.
 */
export class NetworkStore {
  readonly dir: string;
  readonly #locks: string;

  constructor(readonly root: string = hostRunDir()) {
    this.dir = join(root, 'networks');
    this.#locks = join(root, 'locks');
    fs.mkdirSync(this.dir, { recursive: true, mode: 0o700 });
  }

  static newId(): string {
    return randomBytes(32).toString('hex');
  }

  /** Runs `fn` holding the networks lock (across processes). */
  locked<T>(fn: () => Promise<T>): Promise<T> {
    return withFileLock(this.#locks, 'networks', fn);
  }

  /** Runs `fn` holding the networks lock if it is free right now (for exit handlers, which cannot wait); true if it ran. */
  tryLockedSync(fn: () => void): boolean {
    return trySyncLock(this.#locks, 'networks', fn);
  }

  get(name: string): NetworkRecord | undefined {
    try {
      return JSON.parse(fs.readFileSync(this.#path(name), 'utf8')) as NetworkRecord;
    } catch {
      return undefined;
    }
  }

  list(): NetworkRecord[] {
    let files: string[] = [];
    try {
      files = fs.readdirSync(this.dir).filter((f) => f.endsWith('.json'));
    } catch {
      return [];
    }
    return files.map((f) => this.get(f.slice(0, -5))).filter((r): r is NetworkRecord => r !== undefined);
  }

  save(record: NetworkRecord): void {
    const path = this.#path(record.name);
    fs.writeFileSync(`${path}.tmp`, JSON.stringify(record));
    fs.renameSync(`${path}.tmp`, path);
  }

  delete(name: string): void {
    fs.rmSync(this.#path(name), { force: true });
  }

  #path(name: string): string {
    return join(this.dir, `${name}.json`);
  }
}

/** Drops endpoints whose container is gone (its owner died without telling anyone); true if any went. */
export function pruneDeadEndpoints(record: NetworkRecord): boolean {
  let changed = false;
  for (const [id, endpoint] of Object.entries(record.endpoints)) {
    if (isAlive(endpoint.holder)) continue;
    delete record.endpoints[id];
    changed = true;
  }
  return changed;
}

/** The default network's users (see {@link NetworkRecord.users}) that still run. */
export function liveUsers(record: NetworkRecord): ProcessIdentity[] {
  return (record.users ?? []).filter(isAlive);
}

/** Whether containers are attached to the network or, for the default one, processes use it (dead endpoints pruned first). */
export function inUse(record: NetworkRecord): boolean {
  pruneDeadEndpoints(record);
  return Object.keys(record.endpoints).length > 0 || liveUsers(record).length > 0;
}
