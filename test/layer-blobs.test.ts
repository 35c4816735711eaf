import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { GenericContainer, type ImageSummary, LocalEngine, StoredLayerError } from '../src/index.js';
import { type FaultProxy, startFaultProxy, useFaultProxy } from './support/fault-proxy.js';
import { type RegistryServer, startRegistry } from './support/registry.js';
import { PLAIN_CONFIG, scratchStores } from './support/scratch-stores.js';
import { buildTar, chunked } from './support/tar-builder.js';

const hex = (digest: string): string => digest.slice('sha256:'.length);

/** The blobs of the store at `root`, as hex digests. */
const blobsIn = (root: string): string[] => fs.readdirSync(join(root, 'blobs/sha256')).sort();

/** The manifest the store at `root` keeps for `image`. */
function storedManifest(root: string, image: ImageSummary): { mediaType?: string; layers: { digest: string; mediaType: string }[] } {
  return JSON.parse(fs.readFileSync(join(root, 'blobs/sha256', hex(image.ManifestDigest)), 'utf8'));
}

/** Requests that upload a blob's bytes (a mount or a HEAD sends none). */
const uploads = (proxy: FaultProxy): string[] =>
  proxy.requests.filter((r) => r.method === 'PATCH' || (r.method === 'PUT' && r.path.includes('/blobs/uploads/'))).map((r) => r.path);

async function output(engine: LocalEngine, image: string, cmd: string[]): Promise<string> {
  await using container = await new GenericContainer(image).withCommand(cmd).start(engine);
  await container.wait();
  return container.output();
}

describe('layers kept unpacked only', () => {
  const stores = scratchStores('blobs');
  const proxy = useFaultProxy(() => inject('registry'));
  let fresh: RegistryServer;
  let freshProxy: FaultProxy;
  beforeAll(async () => {
    fresh = await startRegistry();
    freshProxy = await startFaultProxy(fresh.host);
  });
  afterAll(async () => {
    await freshProxy?.stop();
    await fresh?.stop();
  });

  it('a pulled image leaves no compressed layer blob in the store (the postgres fixture)', async () => {
    const root = stores.root();
    const image = await new LocalEngine({ root, config: PLAIN_CONFIG }).pullImage(inject('fixtures').postgres);
    expect(blobsIn(root)).toEqual([hex(image.Id), hex(image.ManifestDigest)].sort());
    for (const layer of fs.readdirSync(join(root, 'layers'))) {
      expect(fs.readdirSync(join(root, 'layers', layer)).sort()).toEqual(['diff', 'meta.json', 'tar-skeleton.gz']);
      const record = JSON.parse(fs.readFileSync(join(root, 'layers', layer, 'meta.json'), 'utf8'));
      expect(record.rebuilds).toBe(true);
      expect(record.forms[0].sources).toEqual([inject('fixtures').postgres.replace(/:latest$/, '')]);
      // The skeleton is the tar without the content of its files: a small part of it.
      expect(fs.statSync(join(root, 'layers', layer, 'tar-skeleton.gz')).size).toBeLessThan(record.diffSize / 50);
    }
  });

  describe('pushed', () => {
    let engine: LocalEngine;
    let root: string;
    let image: ImageSummary;
    const source = (): string => `${proxy().host}/library/debian:latest`;
    beforeAll(() => {
      root = stores.root();
      engine = new LocalEngine({ root, config: PLAIN_CONFIG });
    });

    it('to another repository of the same registry, mounts every blob: nothing is uploaded', async () => {
      image = await engine.pullImage(source());
      proxy().reset();
      const { digest } = await engine.pushImage(source(), { target: `${proxy().host}/berth-test/kept-unpacked-${process.pid}:1` });
      expect(digest).toBe(image.ManifestDigest);
      expect(uploads(proxy())).toEqual([]);
      expect(proxy().requests.filter((r) => r.method === 'POST' && r.path.includes('mount=')).length).toBeGreaterThan(0);
    });

    it('to a fresh registry, rebuilds and compresses the layers; the image pulls back and runs', async () => {
      image = await engine.pullImage(source());
      const target = `${freshProxy.host}/berth-test/debian:1`;
      const { digest } = await engine.pushImage(image.Id, { target });
      // New blobs, so a new manifest naming them; the config, hence the image id, is the same.
      expect(digest).not.toBe(image.ManifestDigest);
      expect(uploads(freshProxy)).toHaveLength(image.Config.rootfs.diff_ids.length + 1); // The layers and the config.
      const otherRoot = stores.root();
      const other = new LocalEngine({ root: otherRoot, config: PLAIN_CONFIG });
      const back = await other.pullImage(target);
      expect(back.Id).toBe(image.Id);
      expect(back.ManifestDigest).toBe(digest);
      const pushed = storedManifest(otherRoot, back);
      expect(pushed.mediaType).toBe(storedManifest(root, image).mediaType);
      expect(pushed.layers.map((l) => l.mediaType)).toEqual(storedManifest(root, image).layers.map((l) => l.mediaType));
      expect(await output(other, target, ['cat', '/etc/berth-fixture', '/etc/berth-layer3'])).toBe('layer2\nlayer3\n');

      // The store noted where the new blobs are: a push to another repository there mounts them.
      freshProxy.reset();
      const again = await engine.pushImage(image.Id, { target: `${freshProxy.host}/berth-test/debian-again:1` });
      expect(again.digest).toBe(digest);
      expect(uploads(freshProxy)).toEqual([]);
    });

    it('fails with StoredLayerError when an unpacked file changed, and leaves nothing behind', async () => {
      const top = fs.readdirSync(join(root, 'layers')).find((l) => fs.existsSync(join(root, 'layers', l, 'diff/etc/berth-layer3')));
      const file = join(root, 'layers', top as string, 'diff/etc/berth-layer3');
      const intact = fs.readFileSync(file);
      fs.writeFileSync(file, 'LAYER3\n'); // Same size: only the diff id check can tell.
      try {
        const error = await engine
          .pushImage(image.Id, { target: `${fresh.host}/berth-test/damaged-${process.pid}:1` })
          .catch((e: unknown) => e);
        expect(error).toBeInstanceOf(StoredLayerError);
        expect((error as StoredLayerError).hint).toMatch(/pull or load it again/);
        expect(fs.readdirSync(join(root, 'tmp'))).toEqual([]);
      } finally {
        fs.writeFileSync(file, intact);
      }
    });
  });

  it('with keepLayerBlobs, keeps the blobs and pushes them as pulled: the manifest keeps its digest', async () => {
    const root = stores.root();
    const keeping = new LocalEngine({ root, config: { ...PLAIN_CONFIG, keepLayerBlobs: true } });
    const image = await keeping.pullImage(inject('fixtures').busybox);
    expect(blobsIn(root)).toEqual(expect.arrayContaining(storedManifest(root, image).layers.map((l) => hex(l.digest))));
    const { digest } = await keeping.pushImage(image.Id, { target: `${fresh.host}/berth-test/kept-blobs:1` });
    expect(digest).toBe(image.ManifestDigest);
  });

  it('gives back a tar byte for byte from its files: PAX and GNU records, links, whiteouts, devices, trailing bytes', async () => {
    const root = stores.root();
    const engine = new LocalEngine({ root, config: PLAIN_CONFIG });
    const tar = Buffer.concat([
      buildTar([
        { path: './', type: '5' },
        { path: 'etc/', type: '5', mode: 0o750 },
        { path: 'etc/conf', data: 'x=1\n', pax: { mtime: '1700000000.123456789', 'SCHILY.xattr.user.note': 'kept' } },
        { path: 'ignored-name', gnuLongName: `${'deep/'.repeat(30)}file`, data: 'long\n' },
        { path: 'etc/hard', type: '1', linkpath: 'etc/conf' },
        { path: 'etc/link', type: '2', linkpath: 'conf' },
        { path: 'etc/.wh.gone', data: 'a whiteout with a body\n' },
        { path: 'etc/.wh..wh..opq' },
        { path: 'dev/null', type: '3', mode: 0o666, devmajor: 1, devminor: 3 },
        { path: 'empty', data: '' },
        { path: 'big.bin', data: Buffer.from(Array.from({ length: 300_000 }, (_, i) => (i * 7919) % 251)) },
      ]),
      Buffer.alloc(8 * 512), // Record padding, as GNU tar writes it.
      Buffer.from('bytes after the end'),
    ]);
    const image = await engine.importImage(chunked(tar, 4096), 'berth.local/blobs/crafted:1');
    expect(blobsIn(root)).not.toContain(hex(image.Config.rootfs.diff_ids[0] as string));
    const archive = join(stores.root(), 'crafted.tar');
    await engine.saveImages([image.Id], archive, 'docker-archive');
    const out = stores.root();
    execFileSync('tar', ['-xf', archive, '-C', out]);
    expect(fs.readFileSync(join(out, 'blobs/sha256', hex(image.Config.rootfs.diff_ids[0] as string))).equals(tar)).toBe(true);
    // A plain layer rebuilt is the very blob: the manifest pushed is the stored one.
    const target = `${fresh.host}/berth-test/crafted-${process.pid}:1`;
    expect((await engine.pushImage(image.Id, { target })).digest).toBe(image.ManifestDigest);
  });

  it('keeps the blob of a layer its files cannot rebuild (a tar naming a path twice), and pushes it', async () => {
    const root = stores.root();
    const engine = new LocalEngine({ root, config: PLAIN_CONFIG });
    const tar = buildTar([
      { path: 'twice.txt', data: 'first\n' },
      { path: 'twice.txt', data: 'second\n' },
    ]);
    const image = await engine.importImage(chunked(tar), 'berth.local/blobs/twice:1');
    const layer = storedManifest(root, image).layers[0]?.digest as string;
    expect(blobsIn(root)).toContain(hex(layer));
    const target = `${fresh.host}/berth-test/twice-${process.pid}:1`;
    expect((await engine.pushImage(image.Id, { target })).digest).toBe(image.ManifestDigest);
    const other = stores.engine();
    expect((await other.pullImage(target)).Id).toBe(image.Id);
  });
});
