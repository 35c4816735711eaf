/**
 * The default network's reaper (see default-network-linger.ts), run as
 * `node default-network-reaper.js <network state root> <grace ms>`: waits
 * until no process uses the network and nothing has been attached to it for
 * the grace period, checking now and then whether another process took the
 * network over (then there is nothing left to do), and removes bridge, rules
 * and record if it is still the owner.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { tearDown } from './bridge-lifecycle.js';
import { DEFAULT_NETWORK, inUse, liveUsers, NetworkStore } from './network-store.js';

const CHECK_MS = 250;
/** How long containers still attached are waited for once no user process is left; then the next engine's sweep decides. */
const MAX_ATTACHED_MS = 30_000;

/**
 * Holds the network while processes use it or containers are attached to it
 * (containers of ended processes go as their monitors take them down), then
 * for the grace period, then removes it; gives up at once when another
 * process took it over, and after 30 s of containers still attached with no
 * user process left.
 */
async function reap(store: NetworkStore, graceMs: number): Promise<void> {
  let lastUser = Date.now();
  let idleSince = lastUser;
  for (;;) {
    await sleep(CHECK_MS);
    const record = store.get(DEFAULT_NETWORK);
    if (record?.owner?.pid !== process.pid) return;
    const now = Date.now();
    if (liveUsers(record).length > 0) lastUser = now;
    if (inUse(record)) {
      if (now - lastUser > MAX_ATTACHED_MS) return; // Only containers are left, for too long.
      idleSince = now;
    } else if (now - idleSince >= graceMs) {
      break;
    }
  }
  await store.locked(async () => {
    const record = store.get(DEFAULT_NETWORK);
    if (!record || record.owner?.pid !== process.pid) return;
    if (!inUse(record)) tearDown(store, record);
  });
}

const [root, grace] = process.argv.slice(2);
if (!root || grace === undefined) throw new Error('usage: default-network-reaper <network state root> <grace ms>');
await reap(new NetworkStore(root), Number(grace));
