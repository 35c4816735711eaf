/**
 * The default network's reaper (see default-network-linger.ts), run as
 * `node default-network-reaper.js <network state root> <grace ms>`: waits
 * out the grace period, checking now and then whether another process took
 * the network over (then there is nothing left to do), and removes bridge,
 * rules and record if it is still the owner and nothing is attached.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { tearDown } from './bridge-lifecycle.js';
import { DEFAULT_NETWORK, NetworkStore, pruneDeadEndpoints } from './network-store.js';

const CHECK_MS = 250;

async function reap(store: NetworkStore, graceMs: number): Promise<void> {
  const held = (): boolean => store.get(DEFAULT_NETWORK)?.owner?.pid === process.pid;
  for (let waited = 0; waited < graceMs; waited += CHECK_MS) {
    await sleep(Math.min(CHECK_MS, graceMs - waited));
    if (!held()) return;
  }
  await store.locked(async () => {
    const record = store.get(DEFAULT_NETWORK);
    if (!record || record.owner?.pid !== process.pid) return;
    pruneDeadEndpoints(record);
    if (Object.keys(record.endpoints).length === 0) tearDown(store, record);
  });
}

const [root, grace] = process.argv.slice(2);
if (!root || grace === undefined) throw new Error('usage: default-network-reaper <network state root> <grace ms>');
await reap(new NetworkStore(root), Number(grace));
