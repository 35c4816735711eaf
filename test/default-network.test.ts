import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { identify, isAlive, type ProcessIdentity } from '../src/engine/state/process-identity.js';
import { NetworkError } from '../src/errors.js';
import { berthLinks } from '../src/net/bridge-lifecycle.js';
import { DEFAULT_GRACE_MS, graceMs } from '../src/net/default-network-linger.js';
import { berthTables, tableName } from '../src/net/firewall.js';
import { DEFAULT_NETWORK, type NetworkRecord, NetworkStore } from '../src/net/network-store.js';
import { containerDirExists, eventually } from './support/leaks.js';
import { TempDirs } from './support/temp-dirs.js';

/** Runs test/support/default-network-user.ts; with `signal`, sends it once the container is gone. */
async function runUser(
  signal?: NodeJS.Signals,
  mode = signal ? 'idle' : '',
): Promise<{ pid: number; container: string; code: number | null; killedBy: NodeJS.Signals | null }> {
  const args = ['--import', 'tsx', 'test/support/default-network-user.ts', inject('fixtures').busybox, mode];
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => {
    out += d;
    if (signal && /done \w+\n/.test(out)) child.kill(signal);
  });
  const [code, killedBy] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) =>
    child.once('close', (c, s) => resolve([c, s])),
  );
  const [pid, done] = out.split('\n');
  return { pid: Number(pid), container: done?.split(' ')[1] ?? '', code, killedBy };
}

/** The default network is gone, or held by some other live process (another test file's). */
function expectReleasedBy(pid: number): void {
  const record = new NetworkStore().get(DEFAULT_NETWORK);
  expect(record?.owner?.pid).not.toBe(pid);
  if (!record) expect(berthLinks()).not.toContain('berth0');
}

describe('the default network outlives its containers only while its owner lives', () => {
  it('a process that exits normally gives it back at once', async () => {
    const { pid, code } = await runUser();
    expect(code).toBe(0);
    expectReleasedBy(pid);
  });

  it("a process that calls process.exit() right after a removal has deleted the container's files too", async () => {
    const { container, code } = await runUser(undefined, 'exit');
    expect(code).toBe(0);
    expect(container).toMatch(/^[0-9a-f]{64}$/);
    expect(containerDirExists(container)).toBe(false);
  });

  it('so does one stopped by SIGTERM, as vitest stops its workers, and it still dies of the signal', async () => {
    const { pid, killedBy } = await runUser('SIGTERM');
    expect(killedBy).toBe('SIGTERM');
    expectReleasedBy(pid);
  });
});

/** Runs test/support/default-network-handover.ts in its own network root; returns the record it made and how it ended. */
async function handOver(
  root: string,
  grace: number,
  signal?: NodeJS.Signals,
  mode = signal ? 'idle' : '',
): Promise<{ record: NetworkRecord; code: number | null }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/support/default-network-handover.ts', root, mode], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, BERTH_NETWORK_GRACE_MS: String(grace) },
  });
  const [line] = (await once(child.stdout, 'data')) as [Buffer];
  if (signal) child.kill(signal);
  const [code] = (await once(child, 'close')) as [number | null];
  return { record: JSON.parse(line.toString()) as NetworkRecord, code };
}

/** Files `users` as the default network's users, as processes joining it do. */
async function setUsers(store: NetworkStore, users: ProcessIdentity[]): Promise<void> {
  await store.locked(async () => {
    const held = store.get(DEFAULT_NETWORK);
    if (!held) throw new Error('the default network went while it was held');
    held.users = users;
    store.save(held);
  });
}

/** The store's default network, its bridge and its nftables table are all gone. */
function expectGone(store: NetworkStore, record: NetworkRecord): void {
  expect(store.get(DEFAULT_NETWORK)).toBeUndefined();
  expect(berthLinks()).not.toContain(record.bridge);
  expect(berthTables()).not.toContain(tableName(record));
}

// In network roots of their own: the host's berth0 is shared with whatever else runs containers meanwhile.
// Their bridges are not safe from other engines' sweeps (no record in /run/berth), their tables are.
describe('the last process hands the default network to a reaper for a grace period', () => {
  const dirs = new TempDirs('berth-net-root-');
  afterAll(() => dirs.removeAll());

  it('the reaper owns it once the last user exited, and removes bridge, rules and record after the grace period', async () => {
    const root = dirs.make();
    const store = new NetworkStore(root);
    const { record, code } = await handOver(root, 300);
    expect(code).toBe(0);
    const held = store.get(DEFAULT_NETWORK);
    expect(held?.lingering).toBe(true);
    expect(held?.owner?.pid).not.toBe(record.owner?.pid);
    expect(isAlive(held?.owner)).toBe(true);
    // The table, not the bridge: any engine's sweep takes a berth link that /run/berth has no record of.
    expect(berthTables()).toContain(tableName(record));
    expect(await eventually(() => !isAlive(held?.owner), 10_000)).toBe(true);
    expectGone(store, record);
  });

  it('a process stopped by SIGTERM hands it over too', async () => {
    const root = dirs.make();
    const store = new NetworkStore(root);
    const { record } = await handOver(root, 300, 'SIGTERM');
    const held = store.get(DEFAULT_NETWORK);
    expect(held?.lingering).toBe(true);
    expect(await eventually(() => !isAlive(held?.owner), 10_000)).toBe(true);
    expectGone(store, record);
  });

  it('a process that uses it within the grace period joins it; the reaper waits for it and spawns no other', async () => {
    const root = dirs.make();
    const store = new NetworkStore(root);
    const { record } = await handOver(root, 1000);
    const reaper = store.get(DEFAULT_NETWORK)?.owner;
    expect(isAlive(reaper)).toBe(true);
    const joiner = await handOver(root, 1000, undefined, 'join');
    expect(joiner.code).toBe(0);
    expect(joiner.record.id).toBe(record.id);
    expect(joiner.record.owner).toEqual(reaper);
    expect(joiner.record.users?.map((u) => u.pid)).toHaveLength(1);
    // The joiner ended without handing anything over: the same reaper holds it, then removes it.
    expect(store.get(DEFAULT_NETWORK)?.owner).toEqual(reaper);
    expect(await eventually(() => !isAlive(reaper), 10_000)).toBe(true);
    expectGone(store, record);
  });

  it('the reaper keeps it while a user runs, and removes it a grace period after the user ends', async () => {
    const root = dirs.make();
    const store = new NetworkStore(root);
    const { record } = await handOver(root, 300);
    const reaper = store.get(DEFAULT_NETWORK)?.owner;
    // This test's process plays a user that stays: the reaper must outwait it.
    await setUsers(store, [identify() as ProcessIdentity]);
    await new Promise((r) => setTimeout(r, 1500));
    expect(isAlive(reaper)).toBe(true);
    expect(store.get(DEFAULT_NETWORK)?.id).toBe(record.id);
    // A user that ended (a pid no process has) no longer holds it.
    await setUsers(store, [{ pid: 2 ** 22 + 1, startTime: 1 }]);
    expect(await eventually(() => !isAlive(reaper), 10_000)).toBe(true);
    expectGone(store, record);
  });

  it('BERTH_NETWORK_GRACE_MS=0 removes it at exit, as the process ends', async () => {
    const root = dirs.make();
    const store = new NetworkStore(root);
    const { record, code } = await handOver(root, 0);
    expect(code).toBe(0);
    expectGone(store, record);
  });

  it('a grace period that is not a whole number of milliseconds is a typed error', () => {
    expect(() => graceMs({ BERTH_NETWORK_GRACE_MS: '2s' })).toThrow(NetworkError);
    expect(graceMs({})).toBe(DEFAULT_GRACE_MS);
  });
});
