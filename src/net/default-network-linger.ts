import { spawn } from 'node:child_process';
import { dirname, extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { debug } from '../debug.js';
import { PACKAGE_ROOT } from '../engine/native.js';
import { atProcessEnd } from '../engine/state/process-end.js';
import { identify, isAlive } from '../engine/state/process-identity.js';
import { NetworkError } from '../errors.js';
import { tearDown } from './bridge-lifecycle.js';
import { DEFAULT_NETWORK, inUse, liveUsers, type NetworkRecord, type NetworkStore } from './network-store.js';

/** How long the default network outlives the last process that used it, unless `BERTH_NETWORK_GRACE_MS` says otherwise. */
export const DEFAULT_GRACE_MS = 2000;

/** The grace period from `BERTH_NETWORK_GRACE_MS` (0: removed at exit, by the process itself). */
export function graceMs(env: NodeJS.ProcessEnv = process.env): number {
  const text = env.BERTH_NETWORK_GRACE_MS;
  if (text === undefined || text === '') return DEFAULT_GRACE_MS;
  const ms = Number(text);
  if (!Number.isInteger(ms) || ms < 0) {
    throw new NetworkError(`BERTH_NETWORK_GRACE_MS must be a whole number of milliseconds, not "${text}"`, {
      hint: 'unset it for the default (2000), or set 0 to remove the default network when its last user exits',
    });
  }
  return ms;
}

/**
 * What a process does when it finds the default network made (under the
 * store's lock; the caller saves the record): a dead owner's becomes its
 * own; one a live process or reaper holds it joins as a user, so that when
 * it ends it has nothing to do — the holder, or the reaper it hands over
 * to, waits for its users. A run of test files thus spawns one reaper, not
 * one per file.
 */
export function useDefault(store: NetworkStore, record: NetworkRecord): void {
  if (!isAlive(record.owner)) {
    const me = identify();
    if (me) record.owner = me;
    delete record.lingering;
  } else if (record.owner?.pid !== process.pid) {
    joinAsUser(record);
  }
  if (record.owner?.pid === process.pid) releaseDefaultOnExit(store);
}

/** Adds this process to the record's users (once), dropping those that ended. */
function joinAsUser(record: NetworkRecord): void {
  const users = liveUsers(record);
  const me = identify();
  if (me && !users.some((u) => u.pid === me.pid)) users.push(me);
  record.users = users;
}

/**
 * When the owner of the default network ends (normally or by SIGTERM) with
 * nothing left on it, the bridge and its rules are handed to a reaper: a
 * detached process that holds them for a grace period and removes them
 * unless another process took them over meanwhile. Removing them at exit
 * took the last process ~150 ms (an nft and several iptables runs); making
 * them again took the next one as long, which a test runner that starts a
 * process per test file paid for every file. One spawn is all the exit
 * costs now. Containers still attached at exit (their monitors are taking
 * them down) are waited for by the reaper too. A busy lock leaves the
 * network to the next engine's sweep, as does SIGKILL (of owner or reaper).
 */
export function releaseDefaultOnExit(store: NetworkStore): void {
  const grace = graceMs();
  atProcessEnd('release-default-network', () => {
    try {
      store.tryLockedSync(() => {
        const record = store.get(DEFAULT_NETWORK);
        if (!record || record.owner?.pid !== process.pid) return;
        const used = inUse(record);
        // Containers still attached (this process's, being taken down, or its users') and users are waited for by the reaper.
        if ((grace > 0 || used) && handToReaper(store, { ...record, users: liveUsers(record) }, grace)) return;
        if (!used) tearDown(store, record);
      });
    } catch (error) {
      debug('could not release the default network at exit: %s', (error as Error).message);
    }
  });
}

/** Spawns the reaper and makes it the owner; false if it could not be started. */
function handToReaper(store: NetworkStore, record: NetworkRecord, grace: number): boolean {
  const self = fileURLToPath(import.meta.url);
  // Running from source (tests, tsx): the reaper is TypeScript beside this file, loaded the same way;
  // from the bundle in dist/, it is an entry point of its own there.
  const fromSource = extname(self) === '.ts';
  const script = fromSource
    ? join(dirname(self), 'default-network-reaper.ts')
    : join(PACKAGE_ROOT, 'dist', 'net', 'default-network-reaper.js');
  const loader = fromSource ? ['--import', 'tsx'] : [];
  const child = spawn(process.execPath, [...loader, script, store.root, String(grace)], {
    cwd: PACKAGE_ROOT,
    detached: true,
    stdio: 'ignore',
  });
  child.on('error', (error) => debug('the default network reaper failed: %s', error.message));
  child.unref();
  const reaper = child.pid === undefined ? undefined : identify(child.pid);
  if (!reaper) return false;
  store.save({ ...record, owner: reaper, lingering: true });
  return true;
}
