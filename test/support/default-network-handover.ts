/**
 * Plays the last user of a default network, in a network state root of its
 * own (argv[2]) so that it never touches the host's shared `berth0`: makes a
 * real network (bridge, nftables table), files it as that root's default
 * network owned by this process, registers the exit release as the engine
 * does, prints the record as JSON and exits (normally, or with argv[3]
 * `idle` waits to be signalled). With argv[3] `join` it uses the root's
 * default network as the engine does when one exists, prints the record and
 * exits.
 */
import { releaseDefaultOnExit, useDefault } from '../../src/net/default-network-linger.js';
import { NetworkManager } from '../../src/net/network-manager.js';
import { DEFAULT_NETWORK, NetworkStore } from '../../src/net/network-store.js';

const [root, mode] = process.argv.slice(2);
if (!root) throw new Error('usage: default-network-handover.ts <network state root> [idle]');
const store = new NetworkStore(root);
if (mode === 'join') {
  const joined = await store.locked(async () => {
    const found = store.get(DEFAULT_NETWORK);
    if (!found) throw new Error('no default network to join');
    useDefault(store, found);
    store.save(found);
    return found;
  });
  process.stdout.write(`${JSON.stringify(joined)}\n`);
  process.exit(0);
}
const made = await new NetworkManager(store).create('handover');
const record = { ...made, name: DEFAULT_NETWORK, isDefault: true };
await store.locked(async () => {
  store.delete(made.name);
  store.save(record);
});
releaseDefaultOnExit(store);
process.stdout.write(`${JSON.stringify(record)}\n`);
if (mode === 'idle') setInterval(() => undefined, 1000);
