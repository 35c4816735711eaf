import { spawn } from 'node:child_process';
import { describe, expect, inject, it } from 'vitest';
import { DEFAULT_NETWORK, NetworkStore } from '../src/net/network-store.js';
import { berthLinks } from '../src/net/sweep-networks.js';
import { containerDirExists } from './support/leaks.js';

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
