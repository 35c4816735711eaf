import * as fs from 'node:fs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ContainerStateError, GenericContainer, ImageNotPresentError, LocalEngine } from '../src/index.js';
import { scratchStores } from './support/scratch-stores.js';

describe('the image store', () => {
  const scratch = scratchStores('store');
  let root: string;
  let engine: LocalEngine;
  const layerDirs = (): string[] => fs.readdirSync(join(root, 'layers')).filter((d) => /^[a-f0-9]{64}$/.test(d));

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'berth-store-'));
    engine = new LocalEngine({ root });
    await engine.pullImage(inject('fixtures').busybox);
    await engine.pullImage(inject('fixtures').debian);
  });
  afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

  it('lists images with their tags, and shares nothing it should not', async () => {
    const images = await engine.listImages();
    expect(images.flatMap((i) => i.RepoTags).sort()).toEqual([inject('fixtures').busybox, inject('fixtures').debian].sort());
    expect(layerDirs()).toHaveLength(4);
  });

  it('tags, moves tags, and removes a tag before the image', async () => {
    const busybox = inject('fixtures').busybox;
    await engine.tagImage(busybox, 'berth.local/alias:one');
    await engine.tagImage(busybox, 'berth.local/alias:two');
    expect((await engine.inspectImage('berth.local/alias:one'))?.Id).toBe((await engine.inspectImage(busybox))?.Id);
    await engine.tagImage(inject('fixtures').debian, 'berth.local/alias:two');
    expect((await engine.inspectImage('berth.local/alias:two'))?.Id).toBe((await engine.inspectImage(inject('fixtures').debian))?.Id);
    expect(await engine.removeImage('berth.local/alias:one')).toEqual({ deleted: false });
    expect(await engine.inspectImage('berth.local/alias:one')).toBeUndefined();
    expect(await engine.inspectImage(busybox)).toBeDefined();
    await engine.removeImage('berth.local/alias:two');
  });

  it('reports history from the image config', async () => {
    const history = await engine.imageHistory(inject('fixtures').debian);
    expect(history.map((h) => h.CreatedBy).join('\n')).toContain('debootstrap');
    expect(history.length).toBeGreaterThanOrEqual(3);
  });

  it('removes one of several tags of an image a container uses, but refuses its last reference', async () => {
    const busybox = inject('fixtures').busybox;
    await engine.tagImage(busybox, 'berth.local/alias:in-use');
    await using container = await new GenericContainer(busybox).withCommand(['true']).start(engine);
    await container.wait();
    expect(await engine.removeImage(busybox)).toEqual({ deleted: false });
    expect(await engine.inspectImage(busybox)).toBeUndefined();
    await expect(engine.removeImage('berth.local/alias:in-use')).rejects.toBeInstanceOf(ContainerStateError);
    const id = (await engine.inspectImage('berth.local/alias:in-use'))?.Id;
    if (!id) throw new Error('the image went with its refused removal');
    await expect(engine.removeImage(id)).rejects.toBeInstanceOf(ContainerStateError);
    await engine.tagImage('berth.local/alias:in-use', busybox);
    expect(await engine.removeImage('berth.local/alias:in-use')).toEqual({ deleted: false });
    expect((await engine.inspectImage(busybox))?.RepoTags).toEqual([busybox]);
  });

  it('removes the last reference of an image a container uses when forced, keeping the layers the container runs on', async () => {
    const other = scratch.engine();
    const image = await other.pullImage(inject('fixtures').busybox);
    await using container = await new GenericContainer(image.Id).withCommand(['cat', '/bin/busybox']).start(other);
    await container.wait();
    expect(await other.removeImage(inject('fixtures').busybox, { force: true })).toEqual({ deleted: true });
    expect(await other.listImages()).toEqual([]);
    expect(fs.readdirSync(join(other.images.paths.layers))).toEqual(image.Config.rootfs.diff_ids.map((d) => d.slice(7)));
    await container.restart();
    expect((await container.wait()).exitCode).toBe(0);
  });

  it('removes an image with its layers, and prunes staging left by dead processes', async () => {
    fs.mkdirSync(join(root, 'tmp', 'layer-999999999-abcdef'), { recursive: true });
    const before = layerDirs().length;
    expect(await engine.removeImage(inject('fixtures').debian)).toEqual({ deleted: true });
    expect(layerDirs()).toHaveLength(before - 3);
    expect(fs.readdirSync(join(root, 'tmp'))).toEqual([]);
    await expect(engine.removeImage(inject('fixtures').debian)).rejects.toBeInstanceOf(ImageNotPresentError);
    const pruned = await engine.pruneImages();
    expect(pruned.LayersDeleted).toBe(0);
    expect(layerDirs()).toHaveLength(1);
  });
});
