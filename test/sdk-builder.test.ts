import { randomUUID } from 'node:crypto';
import { describe, expect, inject, it } from 'vitest';
import { GenericContainer, getEngine, ImageNotPresentError, PullPolicy } from '../src/index.js';
import { onDocker } from './support/backend.js';

const fixtures = () => inject('fixtures');

describe('GenericContainer: labels and pull policies', () => {
  it('withLabels sets labels the started container and inspect report', async () => {
    await using c = await new GenericContainer(fixtures().busybox)
      .withCommand(['sleep', '60'])
      .withLabels({ team: 'qa', purpose: 'test' })
      .start();
    // A Docker daemon's containers also carry their owner's labels (berth.owner…: the cleanup's).
    expect(withoutOwner(c.getLabels())).toEqual({ team: 'qa', purpose: 'test' });
    expect((await c.inspect()).Config.Labels).toMatchObject({ team: 'qa', purpose: 'test' });
  });

  it.skipIf(onDocker)(
    'pulls again with alwaysPull, uses the local image by default, and never pulls with neverPull (local engine only: dockerd 20.10 cannot unpack the zstd fixture)',
    async () => {
      const engine = getEngine();
      const tag = `${inject('registry')}/library/pull-policy-${randomUUID().slice(0, 8)}:latest`;
      const run = async (policy?: PullPolicy): Promise<string> => {
        const builder = new GenericContainer(tag).withCommand(['true']);
        await using c = await (policy ? builder.withPullPolicy(policy) : builder).start();
        return (await c.inspect()).Image;
      };
      // The tag first names busybox, then busybox-zstd: only a pull can see the change.
      const busybox = await engine.pullImage(fixtures().busybox);
      const zstd = await engine.pullImage(fixtures()['busybox-zstd']);
      await engine.pushImage(busybox.Id, { target: tag });
      expect(await run()).toBe(busybox.Id);
      await engine.pushImage(zstd.Id, { target: tag });
      expect(await run()).toBe(busybox.Id);
      expect(await run(PullPolicy.alwaysPull())).toBe(zstd.Id);
      await engine.removeImage(tag, { force: true });
      await expect(run(PullPolicy.neverPull())).rejects.toBeInstanceOf(ImageNotPresentError);
    },
  );
});

function withoutOwner(labels: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(labels).filter(([key]) => !key.startsWith('berth.owner')));
}
