import * as fs from 'node:fs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { MANIFEST_ACCEPT } from '../src/engine/image/manifest.js';
import { GenericContainer, getEngine, LocalEngine } from '../src/index.js';
import { buildTar, chunked } from './support/tar-builder.js';

describe('push', () => {
  const roots: string[] = [];
  const freshEngine = (): LocalEngine => {
    const root = mkdtempSync(join(tmpdir(), 'berth-push-'));
    roots.push(root);
    return new LocalEngine({ root });
  };
  afterAll(() => {
    for (const r of roots) fs.rmSync(r, { recursive: true, force: true });
  });

  it('pushes a pulled image to another repository and pulls it back by digest', async () => {
    const registry = inject('registry');
    const engine = getEngine();
    const source = await engine.pullImage(inject('fixtures').debian);
    const target = `${registry}/berth-test/pushed-${process.pid}:v1`;
    const { digest } = await engine.pushImage(inject('fixtures').debian, { target });
    expect(digest).toBe(source.ManifestDigest);

    const other = freshEngine();
    const back = await other.pullImage(`${registry}/berth-test/pushed-${process.pid}@${digest}`);
    expect(back.Id).toBe(source.Id);
    await using c = await new GenericContainer(back.Id).withCommand(['cat', '/etc/berth-layer3']).start(other);
    await c.wait();
    expect(await c.output()).toBe('layer3\n');
  });

  it('pushes an imported image (a layer the registry has never seen)', async () => {
    const engine = freshEngine();
    const tar = buildTar([{ path: 'hello.txt', data: `hi from import ${process.pid}\n` }]);
    const image = await engine.importImage(chunked(tar), 'berth.local/imported:1');
    const target = `${inject('registry')}/berth-test/imported-${process.pid}:1`;
    await engine.pushImage(image.Id, { target });
    const other = freshEngine();
    expect((await other.pullImage(target)).Id).toBe(image.Id);
  });

  it('pushes to the repository the reference names, not to the first tag of the image', async () => {
    const registry = inject('registry');
    const engine = freshEngine();
    const pulled = await engine.pullImage(inject('fixtures').busybox);
    const tag = `${registry}/team/a:1`;
    await engine.tagImage(inject('fixtures').busybox, tag);
    expect(await engine.pushImage(tag)).toEqual({ digest: pulled.ManifestDigest, target: tag });

    const res = await fetch(`http://${registry}/v2/team/a/manifests/1`, { headers: { accept: MANIFEST_ACCEPT } });
    expect(res.status).toBe(200);
    expect(res.headers.get('docker-content-digest')).toBe(pulled.ManifestDigest);
  });
});
