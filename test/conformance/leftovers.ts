/** The suite's last case: nothing it made is left on the backend. */
import { expect } from 'vitest';
import type { CaseFn } from './describe-engine.js';
import type { SuiteContext } from './suite-context.js';

export function leftoverCases(ctx: SuiteContext, test: CaseFn): void {
  test('leftovers', 'leaves no container, network, volume or image of the suite behind', async () => {
    const { engine, prefix } = ctx;
    const ours = (name: string): boolean => name.includes(prefix);
    const containers = await engine.listContainers({ all: true });
    expect(containers.filter((c) => ctx.made.containers.has(c.Id) || ours(c.Name)).map((c) => c.Name)).toEqual([]);
    expect((await engine.listNetworks()).filter((n) => ours(n.Name)).map((n) => n.Name)).toEqual([]);
    const volumes = await engine.listVolumes();
    expect(volumes.filter((v) => ours(v.Name) || v.Labels.purpose === prefix).map((v) => v.Name)).toEqual([]);
    const images = await engine.listImages();
    expect(images.filter((i) => ctx.made.images.has(i.Id) || i.RepoTags.some(ours)).map((i) => i.RepoTags)).toEqual([]);
  });
}
