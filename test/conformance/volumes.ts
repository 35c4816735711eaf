/** Conformance cases for volumes: data that outlives containers, removal and prune. */
import { expect } from 'vitest';
import { VolumeInUseError, VolumeNotFoundError } from '../../src/index.js';
import type { CaseFn } from './describe-engine.js';
import type { SuiteContext } from './suite-context.js';

export function volumeCases(ctx: SuiteContext, test: CaseFn): void {
  test('volume-data', 'keeps data in a named volume from one container to the next, and removes it once unused', async () => {
    const { engine } = ctx;
    const name = ctx.name('vol');
    ctx.volumes.add(name);
    const volume = await engine.createVolume({ name, labels: { purpose: ctx.prefix } });
    expect(volume).toMatchObject({ Name: name, Driver: 'local', Labels: { purpose: ctx.prefix } });
    expect((await engine.listVolumes()).map((v) => v.Name)).toContain(name);
    expect((await engine.createVolume({ name })).Name).toBe(name); // Exists: the same volume.

    const writer = await ctx.run(['sh', '-c', 'echo kept > /data/file'], { mounts: [{ type: 'volume', source: name, target: '/data' }] });
    expect((await engine.waitContainer(writer)).exitCode).toBe(0);
    await engine.removeContainer(writer);
    const reader = await ctx.run(['sh', '-c', 'cat /data/file; touch /data/other 2>&1 || true'], {
      mounts: [{ type: 'volume', source: name, target: '/data', readOnly: true }],
    });
    expect((await engine.waitContainer(reader)).exitCode).toBe(0);
    expect((await ctx.logLines(reader)).join('')).toMatch(/^kept\n.*Read-only file system\n$/);
    await expect(engine.removeVolume(name)).rejects.toBeInstanceOf(VolumeInUseError);
    await engine.removeContainer(reader);
    await engine.removeVolume(name);
    await expect(engine.inspectVolume(name)).rejects.toBeInstanceOf(VolumeNotFoundError);
  });

  test('volume-prune', 'prunes unused anonymous volumes, keeping named ones and those in use', async () => {
    const { engine } = ctx;
    const labels = { purpose: ctx.prefix };
    const named = await engine.createVolume({ name: ctx.name('keep'), labels });
    const unused = await engine.createVolume({ labels });
    const used = await engine.createVolume({ labels });
    for (const volume of [named, unused, used]) ctx.volumes.add(volume.Name);
    expect(unused.Name).toMatch(/^[0-9a-f]{64}$/);
    await ctx.create({ command: ['true'], mounts: [{ type: 'volume', source: used.Name, target: '/data' }] });
    const pruned = await engine.pruneVolumes();
    expect(pruned.VolumesDeleted).toContain(unused.Name);
    expect(pruned.VolumesDeleted).not.toContain(named.Name);
    expect(pruned.VolumesDeleted).not.toContain(used.Name);
    await expect(engine.inspectVolume(unused.Name)).rejects.toBeInstanceOf(VolumeNotFoundError);
    expect((await engine.inspectVolume(named.Name)).Name).toBe(named.Name);
    expect((await engine.inspectVolume(used.Name)).Name).toBe(used.Name);
  });
}
