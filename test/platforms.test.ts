import * as fs from 'node:fs';
import { join } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { hostPlatform } from '../src/engine/image/manifest.js';
import { GenericContainer, ImagePullError, type LocalEngine, PlatformNotAvailableError } from '../src/index.js';
import { fixtureManifest } from './support/fixture-layout.js';
import { scratchStores } from './support/scratch-stores.js';

const freshEngine = scratchStores('platform').engine;

/** The content of `path` in the top layer of image `id`, read from the store. */
function topLayerFile(engine: LocalEngine, id: string, path: string): string {
  const record = engine.images.get(id);
  const top = record?.chainIds.at(-1);
  if (!top) throw new Error(`image ${id} has no layers`);
  return fs.readFileSync(join(engine.images.layerDiff(top), path), 'utf8');
}

describe('a multi-platform image (OCI index with linux/amd64 and linux/arm64)', () => {
  it("picks this machine's platform by default and runs it", async () => {
    expect(hostPlatform()).toEqual({ os: 'linux', architecture: 'amd64' });
    const engine = freshEngine();
    const image = await engine.pullImage(inject('fixtures').multiarch);
    expect(engine.images.get(image.Id)?.config.architecture).toBe('amd64');
    await using c = await new GenericContainer(inject('fixtures').multiarch).withCommand(['cat', '/etc/platform']).start(engine);
    await c.wait();
    expect(await c.output()).toBe('linux/amd64\n');
  });

  it('picks the arm64 manifest when asked, sharing the common layer', async () => {
    const native = freshEngine();
    const amd64 = await native.pullImage(inject('fixtures').multiarch);
    const engine = freshEngine();
    const arm64 = await engine.pullImage(inject('fixtures').multiarch, { platform: 'linux/arm64' });
    expect(arm64.Id).not.toBe(amd64.Id);
    expect(engine.images.get(arm64.Id)?.config.architecture).toBe('arm64');
    expect(topLayerFile(engine, arm64.Id, 'etc/platform')).toBe('linux/arm64\n');
    // The first layer (busybox) is the same in both.
    expect(engine.images.get(arm64.Id)?.chainIds[0]).toBe(native.images.get(amd64.Id)?.chainIds[0]);
  });

  it('pulls the arm64 image even when the tag is already in the store for amd64', async () => {
    const engine = freshEngine();
    const amd64 = await engine.pullImage(inject('fixtures').multiarch);
    const arm64 = await engine.pullImage(inject('fixtures').multiarch, { platform: 'linux/arm64' });
    expect(arm64.Id).not.toBe(amd64.Id);
    expect(engine.images.get(arm64.Id)?.config.architecture).toBe('arm64');
    // And asking for this machine's platform again gives the amd64 image back.
    expect((await engine.pullImage(inject('fixtures').multiarch, { platform: 'linux/amd64' })).Id).toBe(amd64.Id);
  });

  it('refuses a platform the image does not have, listing those it has', async () => {
    const engine = freshEngine();
    const error = await engine.pullImage(inject('fixtures').multiarch, { platform: 'linux/s390x' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ImagePullError);
    const cause = (error as ImagePullError).cause as PlatformNotAvailableError;
    expect(cause).toBeInstanceOf(PlatformNotAvailableError);
    expect(cause.platform).toBe('linux/s390x');
    expect(cause.available).toEqual(['linux/amd64', 'linux/arm64']);
    expect((error as ImagePullError).message).toContain('linux/amd64, linux/arm64');
    expect((error as ImagePullError).hint).toMatch(/withPlatform/);
    expect(await engine.listImages()).toEqual([]);
  });
});

describe('layer compression', () => {
  it('pulls and runs an image with a zstd layer and an uncompressed layer', async () => {
    const types = fixtureManifest('busybox-zstd').layers.map((l) => l.mediaType);
    expect(types).toEqual(['application/vnd.oci.image.layer.v1.tar+zstd', 'application/vnd.oci.image.layer.v1.tar']);
    const engine = freshEngine();
    await engine.pullImage(inject('fixtures')['busybox-zstd']);
    await using c = await new GenericContainer(inject('fixtures')['busybox-zstd'])
      .withCommand(['sh', '-c', 'cat /etc/compression && busybox | head -n1 | cut -d" " -f1'])
      .start(engine);
    await c.wait();
    expect(await c.output()).toBe('zstd, then none\nBusyBox\n');
  });
});
