/**
 * The default network's reaper (see default-network-linger.ts), run as
 * `node default-network-reaper.js <network state root> <grace ms>`: waits
 * until nothing has been attached for the grace period, checking now and then
 * whether another process took the network over (then there is nothing left
 * to do), and removes bridge, rules and record if it is still the owner.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { tearDown } from './bridge-lifecycle.js';
import { DEFAULT_NETWORK, NetworkStore, pruneDeadEndpoints } from './network-store.js';

const CHECK_MS = 250;
/** How long containers still attached are waited for; then the next engine's sweep decides. */
const MAX_ATTACHED_MS = 30_000;

/**
 * Holds the network until nothing has been attached to it for the grace
 * period (containers of the exited owner go as their monitors take them
 * down), then removes it; gives up at once when another process took it
 * over, and after 30 s of containers still attached.
 */
async function reap(store: NetworkStore, graceMs: number): Promise<void> {
  const started = Date.now();
  let idleSince = started;
  for (;;) {
    await sleep(CHECK_MS);
    const record = store.get(DEFAULT_NETWORK);
    if (record?.owner?.pid !== process.pid) return;
    pruneDeadEndpoints(record);
    if (Object.keys(record.endpoints).length > 0) {
      if (Date.now() - started > MAX_ATTACHED_MS) return;
      idleSince = Date.now();
    } else if (Date.now() - idleSince >= graceMs) {
      break;
    }
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
