import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { describe, expect, inject, it } from 'vitest';
import { containerDirExists, eventually, mountsUnderState, processExists } from './support/leaks.js';

describe('when the owning process dies', () => {
  it('SIGKILL of the owner leaves, within 2 s, no container process, mount or state', async () => {
    const owner = spawn(process.execPath, ['--import', 'tsx', 'test/support/owner-process.ts', inject('fixtures').busybox, '3'], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const [line] = (await once(owner.stdout, 'data')) as [Buffer];
    const containers = JSON.parse(line.toString()) as { id: string; pid: number }[];
    expect(containers).toHaveLength(3);
    for (const c of containers) expect(processExists(c.pid)).toBe(true);

    owner.kill('SIGKILL');
    await once(owner, 'exit');
    const gone = await eventually(() => containers.every((c) => !processExists(c.pid) && !containerDirExists(c.id)), 2000);
    expect(gone).toBe(true);
    expect(mountsUnderState()).toEqual([]);
  });
});
