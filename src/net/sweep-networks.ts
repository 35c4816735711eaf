import { debug } from '../debug.js';
import { native } from '../engine/native.js';
import { isAlive } from '../engine/state/process-identity.js';
import { berthLinks, tearDown } from './bridge-lifecycle.js';
import { DEFAULT_BRIDGE, type NetworkStore, pruneDeadEndpoints } from './network-store.js';

/** What a network sweep removed. */
export interface NetworkSweepResult {
  networks: string[];
  links: string[];
}

/**
 * Removes what dead owners left: networks whose creator (for the default
 * network: the last process that used it) is gone and that no live
 * container uses (bridge, veths, nftables table and record go together),
 * then any bridge or veth named as the engine names them that no network
 * record accounts for (other `berth*` links, such as the bridges of test
 * dockerds, `berthd…`, are not the engine's to take). Every
 * table has a record (bringUp saves it first), so the host's tables need no
 * listing. Network namespaces need no sweep: they are never bound to a
 * path, so each dies with its container.
 */
export async function sweepNetworks(store: NetworkStore): Promise<NetworkSweepResult> {
  return store.locked(async () => {
    const result: NetworkSweepResult = { networks: [], links: [] };
    for (const record of store.list()) {
      const pruned = pruneDeadEndpoints(record);
      const empty = Object.keys(record.endpoints).length === 0;
      if (empty && !isAlive(record.owner)) {
        tearDown(store, record);
        result.networks.push(record.name);
      } else if (pruned) {
        store.save(record);
      }
    }
    const live = store.list();
    const bridges = new Set(live.map((r) => r.bridge));
    const veths = new Set(live.flatMap((r) => Object.values(r.endpoints).map((e) => e.hostIf)));
    for (const link of berthLinks().filter(isEngineLink)) {
      if (bridges.has(link) || veths.has(link)) continue;
      if (native().netDeleteLink(link)) result.links.push(link);
    }
    if (result.networks.length + result.links.length > 0) debug('network sweep removed %o', result);
    return result;
  });
}

/** `berth0`, a veth (`berthv` + 9 hex) or a user network's bridge (`berth-` + 8 hex): see network-names.ts. */
function isEngineLink(name: string): boolean {
  return name === DEFAULT_BRIDGE || /^berthv[0-9a-f]{9}$/.test(name) || /^berth-[0-9a-f]{8}$/.test(name);
}
