import { execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ArchiveError, type ArchiveFormat, GenericContainer, type ImageSummary, LocalEngine, StoredLayerError } from '../src/index.js';
import { buildTar, type RawEntry } from './support/tar-builder.js';

const FORMATS: ArchiveFormat[] = ['docker-archive', 'oci-archive', 'oci-dir'];
/** A command per fixture and what it prints: files from every layer of the image. */
const PROBES = {
  busybox: { cmd: ['echo', 'hello from busybox'], output: 'hello from busybox\n' },
  debian: { cmd: ['cat', '/etc/berth-fixture', '/etc/berth-layer3'], output: 'layer2\nlayer3\n' },
} as const;

const sha256 = (bytes: Buffer | string): string => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
const hex = (digest: string): string => digest.slice('sha256:'.length);
const hasSkopeo = ((): boolean => {
  try {
    execFileSync('skopeo', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

/** What a store holds on disk, apart from its locks. */
function storeContents(root: string): Record<'images' | 'layers' | 'blobs' | 'tmp', string[]> {
  const list = (dir: string): string[] => (fs.existsSync(join(root, dir)) ? fs.readdirSync(join(root, dir)).sort() : []);
  return { images: list('images'), layers: list('layers'), blobs: list('blobs/sha256'), tmp: list('tmp') };
}

/** The layer digests the manifest of an image in the store at `root` names. */
function layerDigests(root: string, image: ImageSummary): string[] {
  const manifest = JSON.parse(fs.readFileSync(join(root, 'blobs/sha256', hex(image.ManifestDigest)), 'utf8'));
  return manifest.layers.map((l: { digest: string }) => l.digest);
}

/** Every layer record of the store at `root`, by layer. */
function layerRecords(root: string): Record<string, string> {
  const layers = join(root, 'layers');
  return Object.fromEntries(fs.readdirSync(layers).map((l) => [l, fs.readFileSync(join(layers, l, 'meta.json'), 'utf8')]));
}

/** The chain ids of an image, as the store names its layer directories. */
function chainHexes(image: ImageSummary): string[] {
  const out: string[] = [];
  for (const diffId of image.Config.rootfs.diff_ids) {
    const prev = out.at(-1);
    out.push(prev ? hex(sha256(`sha256:${prev} ${diffId}`)) : hex(diffId));
  }
  return out;
}

async function runIn(engine: LocalEngine, image: string, cmd: readonly string[]): Promise<string> {
  await using container = await new GenericContainer(image).withCommand([...cmd]).start(engine);
  await container.wait();
  return container.output();
}

describe('image archives', () => {
  const roots: string[] = [];
  let work: string;
  let engine: LocalEngine;
  let engineRoot: string;
  const fixtures = (): { busybox: string; debian: string } => inject('fixtures');
  const freshEngine = (): { engine: LocalEngine; root: string } => {
    const root = mkdtempSync(join(tmpdir(), 'berth-archive-'));
    roots.push(root);
    return { engine: new LocalEngine({ root }), root };
  };

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'berth-archive-work-'));
    ({ engine, root: engineRoot } = freshEngine());
    await engine.pullImage(fixtures().busybox);
    await engine.pullImage(fixtures().debian);
  });
  afterAll(() => {
    for (const dir of [work, ...roots]) fs.rmSync(dir, { recursive: true, force: true });
  });

  describe.each(FORMATS)('%s', (format) => {
    it.each(['busybox', 'debian'] as const)('round-trips the %s fixture: same image, same layers, and it runs', async (name) => {
      const reference = fixtures()[name];
      const original = (await engine.inspectImage(reference)) as ImageSummary;
      const destination = join(work, `${name}-${format}`);
      await engine.saveImages([reference], destination, format);
      expect(fs.statSync(destination).isDirectory()).toBe(format === 'oci-dir');

      const other = freshEngine();
      const loaded = await other.engine.loadImages(destination); // Format told by the content.
      expect(loaded).toHaveLength(1);
      const image = loaded[0] as ImageSummary;
      expect(image.Id).toBe(original.Id);
      expect(image.Config).toEqual(original.Config);
      expect(image.RepoTags).toEqual([reference]);
      // A docker-archive carries no manifest of the registry's. The OCI forms carry one naming the layers as saved:
      // the store keeps them unpacked only, so as plain tars (with keepLayerBlobs, below, the registry's blobs).
      if (format !== 'docker-archive') expect(layerDigests(other.root, image)).toEqual(original.Config.rootfs.diff_ids);
      expect(storeContents(other.root).layers).toEqual(chainHexes(original).sort());
      expect(storeContents(other.root).tmp).toEqual([]);
      expect(await runIn(other.engine, reference, PROBES[name].cmd)).toBe(PROBES[name].output);

      if (name !== 'busybox') return; // Saving from a loaded store once is enough.
      // Saved again from the loaded store, the image is the same image.
      const again = join(work, `${name}-${format}-again`);
      await other.engine.saveImages([image.Id], again, format);
      const third = freshEngine();
      const [reloaded] = await third.engine.loadImages(again, { format });
      expect(reloaded?.Id).toBe(original.Id);
      expect(reloaded?.RepoTags).toEqual([]);
    });

    it('saves several images into one archive, each with the tags it was named by, and one named by id without', async () => {
      const { busybox, debian } = fixtures();
      await engine.tagImage(busybox, 'berth.local/archive/extra:two');
      const debianId = (await engine.inspectImage(debian))?.Id as string;
      const destination = join(work, `several-${format}`);
      await engine.saveImages([busybox, 'berth.local/archive/extra:two', debianId.slice(7, 19)], destination, format);

      const other = freshEngine();
      const loaded = await other.engine.loadImages(destination);
      const byId = new Map(loaded.map((image) => [image.Id, image]));
      expect(loaded).toHaveLength(2);
      expect(byId.get((await engine.inspectImage(busybox))?.Id as string)?.RepoTags.sort()).toEqual(
        [busybox, 'berth.local/archive/extra:two'].sort(),
      );
      expect(byId.get(debianId)?.RepoTags).toEqual([]);
      expect((await other.engine.listImages()).map((i) => i.Id).sort()).toEqual([...byId.keys()].sort());
      expect(await runIn(other.engine, 'berth.local/archive/extra:two', PROBES.busybox.cmd)).toBe(PROBES.busybox.output);
      expect(await runIn(other.engine, debianId, PROBES.debian.cmd)).toBe(PROBES.debian.output);
    });
  });

  it.each(['oci-archive', 'oci-dir'] as const)(
    '%s from a store that keeps layer blobs keeps the manifest and blobs as pulled',
    async (format) => {
      const root = mkdtempSync(join(tmpdir(), 'berth-archive-'));
      roots.push(root);
      const keeping = new LocalEngine({ root, config: { insecureRegistries: [], registryMirrors: {}, keepLayerBlobs: true } });
      const original = await keeping.pullImage(fixtures().debian);
      const pulled = JSON.parse(fs.readFileSync(join(root, 'blobs/sha256', hex(original.ManifestDigest)), 'utf8'));
      expect(storeContents(root).blobs).toEqual(expect.arrayContaining(pulled.layers.map((l: { digest: string }) => hex(l.digest))));
      const destination = join(work, `kept-${format}`);
      await keeping.saveImages([original.Id], destination, format);
      const other = freshEngine();
      const [image] = await other.engine.loadImages(destination);
      expect(image?.Id).toBe(original.Id);
      expect(image?.ManifestDigest).toBe(original.ManifestDigest);
      expect(await runIn(other.engine, original.Id, PROBES.debian.cmd)).toBe(PROBES.debian.output);
    },
  );

  it('writes manifest.json and repositories as docker save does', async () => {
    const { busybox, debian } = fixtures();
    await engine.tagImage(busybox, 'busybox:berth'); // On Docker Hub: written in Docker's short form.
    const debianImage = (await engine.inspectImage(debian)) as ImageSummary;
    const busyboxImage = (await engine.inspectImage(busybox)) as ImageSummary;
    const destination = join(work, 'layout.tar');
    await engine.saveImages(['busybox:berth', busybox, debianImage.Id], destination, 'docker-archive');
    const out = join(work, 'layout');
    fs.mkdirSync(out);
    execFileSync('tar', ['-xf', destination, '-C', out]);

    const manifest = JSON.parse(fs.readFileSync(join(out, 'manifest.json'), 'utf8'));
    const layersOf = (image: ImageSummary): string[] => image.Config.rootfs.diff_ids.map((d) => `blobs/sha256/${hex(d)}`);
    expect(manifest).toEqual([
      { Config: `blobs/sha256/${hex(busyboxImage.Id)}`, RepoTags: ['busybox:berth', busybox], Layers: layersOf(busyboxImage) },
      { Config: `blobs/sha256/${hex(debianImage.Id)}`, RepoTags: null, Layers: layersOf(debianImage) },
    ]);
    const top = hex(busyboxImage.Config.rootfs.diff_ids.at(-1) as string);
    const [registryRepo, tag] = [busybox.slice(0, busybox.lastIndexOf(':')), busybox.slice(busybox.lastIndexOf(':') + 1)];
    expect(JSON.parse(fs.readFileSync(join(out, 'repositories'), 'utf8'))).toEqual({
      busybox: { berth: top },
      [registryRepo]: { [tag]: top },
    });
    // Layers are plain tars whose sha256 is their diff id; the config is the image's.
    for (const image of [busyboxImage, debianImage]) {
      for (const diffId of image.Config.rootfs.diff_ids)
        expect(sha256(fs.readFileSync(join(out, 'blobs/sha256', hex(diffId))))).toBe(diffId);
      expect(sha256(fs.readFileSync(join(out, 'blobs/sha256', hex(image.Id))))).toBe(image.Id);
    }
    // It is an OCI layout as well, as Docker 25 writes it.
    const index = JSON.parse(fs.readFileSync(join(out, 'index.json'), 'utf8'));
    expect(index.manifests.map((m: { annotations?: Record<string, string> }) => m.annotations?.['io.containerd.image.name'])).toEqual([
      'docker.io/library/busybox:berth',
      busybox,
      undefined,
    ]);
    const fromLayout = freshEngine();
    const viaOci = await fromLayout.engine.loadImages(out, { format: 'oci-dir' });
    expect(viaOci.map((i) => i.Id).sort()).toEqual([busyboxImage.Id, debianImage.Id].sort());
    await engine.removeImage('busybox:berth');
  });

  describe.skipIf(!hasSkopeo)('archives written by skopeo', () => {
    it.each([
      ['docker-archive', (path: string) => `docker-archive:${path}:berth.local/skopeo/debian:sk`, ['berth.local/skopeo/debian:sk']],
      ['oci-archive', (path: string) => `oci-archive:${path}:latest`, []],
      ['oci', (path: string) => `oci:${path}:latest`, []],
    ] as const)('loads %s', async (kind, target, tags) => {
      const { debian } = fixtures();
      const path = join(work, `skopeo-${kind}`);
      execFileSync('skopeo', ['copy', '--quiet', '--src-tls-verify=false', `docker://${debian}`, target(path)]);
      const other = freshEngine();
      const [image] = await other.engine.loadImages(path);
      expect(image?.Id).toBe((await engine.inspectImage(debian))?.Id);
      expect(image?.RepoTags).toEqual(tags);
      expect(await runIn(other.engine, image?.Id as string, PROBES.debian.cmd)).toBe(PROBES.debian.output);
      // A bare tag names no repository; the caller names it.
      const [named] = await other.engine.loadImages(path, { tag: 'berth.local/skopeo/named:1' });
      expect(named?.RepoTags).toContain('berth.local/skopeo/named:1');
    });
  });

  it('loads into a store that has the image: the record stays, the tags are added, nothing is unpacked again', async () => {
    const { busybox } = fixtures();
    const destination = join(work, 'same-store.tar');
    await engine.saveImages([busybox], destination, 'docker-archive');
    const before = (await engine.inspectImage(busybox)) as ImageSummary;
    const stored = storeContents(engineRoot);
    const records = layerRecords(engineRoot);
    const [loaded] = await engine.loadImages(destination, { tag: 'berth.local/archive/same:1' });
    expect(loaded?.ManifestDigest).toBe(before.ManifestDigest);
    expect(loaded?.RepoTags).toEqual(expect.arrayContaining([busybox, 'berth.local/archive/same:1']));
    expect(loaded?.RepoTags).toHaveLength(before.RepoTags.length + 1);
    // Unpacking again would have noted the archive's plain tar as a blob that holds the layer, in its record.
    expect(storeContents(engineRoot)).toEqual({ ...stored, tmp: [] });
    expect(layerRecords(engineRoot)).toEqual(records);
    await engine.removeImage('berth.local/archive/same:1');
  });

  describe('a save', () => {
    it('appears whole or not at all', async () => {
      const { engine: broken, root } = freshEngine();
      const image = await broken.pullImage(fixtures().debian);
      // The store's top layer is damaged: a file's content changed, its size not, so only the diff id check can tell.
      fs.writeFileSync(join(root, 'layers', chainHexes(image).at(-1) as string, 'diff/etc/berth-layer3'), 'LAYER3\n');
      const destination = join(work, 'whole-or-nothing.tar');
      fs.writeFileSync(destination, 'an older archive');
      for (const format of ['docker-archive', 'oci-dir'] as const) {
        const target = format === 'oci-dir' ? join(work, 'whole-or-nothing-dir') : destination;
        const error = await broken.saveImages([image.Id], target, format).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(StoredLayerError);
        expect((error as StoredLayerError).message).toMatch(/not to its diff id/);
        expect(fs.readdirSync(work).filter((f) => f.includes('whole-or-nothing') && f !== 'whole-or-nothing.tar')).toEqual([]);
      }
      expect(fs.readFileSync(destination, 'utf8')).toBe('an older archive');
      expect(storeContents(root).tmp).toEqual([]);
    });

    it('refuses a format it does not know', async () => {
      const error = await engine.saveImages([fixtures().busybox], join(work, 'odd'), 'zip' as ArchiveFormat).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ArchiveError);
      expect((error as ArchiveError).hint).toContain('docker-archive');
      expect(fs.existsSync(join(work, 'odd'))).toBe(false);
    });

    it('refuses to replace a directory that is not empty', async () => {
      const destination = join(work, 'occupied');
      fs.mkdirSync(destination);
      fs.writeFileSync(join(destination, 'keep-me'), 'x');
      await expect(engine.saveImages([fixtures().busybox], destination, 'oci-dir')).rejects.toBeInstanceOf(ArchiveError);
      expect(fs.readdirSync(destination)).toEqual(['keep-me']);
    });
  });

  it('loads while another process prunes the store', async () => {
    const { debian } = fixtures();
    const destination = join(work, 'under-prune.tar');
    await engine.saveImages([debian], destination, 'oci-archive');
    const { engine: shared, root } = freshEngine();
    const pruner = spawn(process.execPath, ['--import', 'tsx', 'test/support/prune-loop.ts', root], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    try {
      await new Promise<void>((resolve, reject) => {
        pruner.stdout.once('data', () => resolve());
        pruner.once('exit', (code) => reject(new Error(`the pruner exited with ${code}`)));
      });
      for (let round = 0; round < 2; round++) {
        const [image] = await shared.loadImages(destination);
        expect(await runIn(shared, image?.Id as string, PROBES.debian.cmd)).toBe(PROBES.debian.output);
        await shared.removeImage(debian);
      }
    } finally {
      pruner.kill('SIGKILL');
    }
    await shared.pruneImages();
    expect(storeContents(root)).toMatchObject({ images: [], layers: [], blobs: [] });
  });

  describe('a hostile or broken archive', () => {
    let victim: LocalEngine;
    let victimRoot: string;
    beforeAll(() => {
      ({ engine: victim, root: victimRoot } = freshEngine());
    });

    /** Loads `source` expecting an ArchiveError matching `pattern`, and checks the store is as empty as before. */
    async function refused(source: string, pattern: RegExp): Promise<void> {
      const error = await victim.loadImages(source).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(ArchiveError);
      expect((error as ArchiveError).message).toMatch(pattern);
      expect((error as ArchiveError).hint).toBeTruthy();
      expect(storeContents(victimRoot)).toEqual({ images: [], layers: [], blobs: [], tmp: [] });
    }

    const layerA = buildTar([{ path: 'a.txt', data: 'layer a\n' }]);
    const layerB = buildTar([{ path: 'b.txt', data: 'layer b\n' }]);

    /** An OCI archive of one image with `layers`; `diffIds` and `blobs` override what is written. */
    function ociEntries(options: { layers: Buffer[]; diffIds?: string[]; blobs?: Record<string, Buffer>; index?: object }): RawEntry[] {
      const config = Buffer.from(
        JSON.stringify({
          architecture: 'amd64',
          os: 'linux',
          config: { Cmd: ['/a.txt'] },
          rootfs: { type: 'layers', diff_ids: options.diffIds ?? options.layers.map((l) => sha256(l)) },
        }),
      );
      const manifest = Buffer.from(
        JSON.stringify({
          schemaVersion: 2,
          mediaType: 'application/vnd.oci.image.manifest.v1+json',
          config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: sha256(config), size: config.length },
          layers: options.layers.map((l) => ({ mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: sha256(l), size: l.length })),
        }),
      );
      const index = options.index ?? {
        schemaVersion: 2,
        manifests: [{ mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: sha256(manifest), size: manifest.length }],
      };
      const blobs = new Map([config, manifest, ...options.layers].map((b) => [sha256(b), b]));
      for (const [digest, bytes] of Object.entries(options.blobs ?? {})) blobs.set(digest, bytes);
      return [
        { path: 'oci-layout', data: '{"imageLayoutVersion":"1.0.0"}' },
        { path: 'index.json', data: JSON.stringify(index) },
        ...[...blobs].map(([digest, data]) => ({ path: `blobs/sha256/${hex(digest)}`, data })),
      ];
    }

    function archive(name: string, entries: RawEntry[]): string {
      const path = join(work, `hostile-${name}.tar`);
      fs.writeFileSync(path, buildTar(entries));
      return path;
    }

    it("loads older Docker's layout: <id>/layer.tar, a shared layer as a symlink, manifest.json last", async () => {
      const image = (diffIds: string[]): Buffer =>
        Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: diffIds } }));
      const [x, y] = [image([sha256(layerA)]), image([sha256(layerA), sha256(layerB)])];
      const manifest = [
        { Config: `${hex(sha256(x))}.json`, RepoTags: ['berth.local/old/x:1'], Layers: ['x1/layer.tar'] },
        { Config: `${hex(sha256(y))}.json`, RepoTags: ['berth.local/old/y:1'], Layers: ['y1/layer.tar', 'y2/layer.tar'] },
      ];
      const path = archive('old-docker', [
        { path: `${hex(sha256(x))}.json`, data: x },
        { path: `${hex(sha256(y))}.json`, data: y },
        { path: 'x1/', type: '5' },
        { path: 'x1/layer.tar', data: layerA },
        { path: 'y1/', type: '5' },
        { path: 'y1/layer.tar', type: '2', linkpath: '../x1/layer.tar' },
        { path: 'y2/', type: '5' },
        { path: 'y2/layer.tar', data: layerB },
        { path: 'manifest.json', data: JSON.stringify(manifest) },
        { path: 'repositories', data: '{}' },
      ]);
      const { engine: clean, root } = freshEngine();
      const loaded = await clean.loadImages(path);
      expect(loaded.map((i) => [i.Id, i.RepoTags])).toEqual([
        [sha256(x), ['berth.local/old/x:1']],
        [sha256(y), ['berth.local/old/y:1']],
      ]);
      expect(storeContents(root).layers).toHaveLength(2);
      // Both configs and the manifest written for each image; the layers are kept unpacked only, so no layer blob.
      expect(storeContents(root).blobs).toEqual(expect.arrayContaining([x, y].map((b) => hex(sha256(b)))));
      expect(storeContents(root).blobs).toHaveLength(4);
      expect(storeContents(root).tmp).toEqual([]);
    });

    it('a well-formed crafted archive loads (so the refusals below are for their faults alone)', async () => {
      const { engine: clean } = freshEngine();
      const [image] = await clean.loadImages(archive('good', ociEntries({ layers: [layerA, layerB] })));
      expect(image?.Config.rootfs.diff_ids).toEqual([sha256(layerA), sha256(layerB)]);
    });

    it('is refused when truncated', async () => {
      const saved = join(work, 'to-truncate.tar');
      await engine.saveImages([fixtures().debian], saved, 'oci-archive');
      const bytes = fs.readFileSync(saved);
      const truncated = join(work, 'truncated.tar');
      fs.writeFileSync(truncated, bytes.subarray(0, Math.floor(bytes.length * 0.6) + 100));
      await refused(truncated, /truncated/);
    });

    it('is refused when a member points outside the archive', async () => {
      await refused(archive('dotdot', [{ path: '../escape', data: 'x' }, ...ociEntries({ layers: [layerA] })]), /outside the archive/);
      await refused(archive('absolute', [...ociEntries({ layers: [layerA] }), { path: '/etc/escape', data: 'x' }]), /outside the archive/);
      await refused(
        archive('link-out', [{ path: 'blobs', type: '2', linkpath: '/var/lib' }, ...ociEntries({ layers: [layerA] })]),
        /outside the archive/,
      );
    });

    it('is refused when the blobs of an OCI layout directory are a symbolic link', async () => {
      const real = join(work, 'elsewhere');
      const layout = join(work, 'linked-layout');
      await engine.saveImages([fixtures().busybox], real, 'oci-dir');
      fs.mkdirSync(layout);
      for (const f of ['oci-layout', 'index.json']) fs.copyFileSync(join(real, f), join(layout, f));
      fs.symlinkSync(join(real, 'blobs'), join(layout, 'blobs'));
      await refused(layout, /symbolic link/);
    });

    it('is refused when a layer does not match its digest', async () => {
      const entries = ociEntries({
        layers: [layerA, layerB],
        blobs: { [sha256(layerB)]: buildTar([{ path: 'b.txt', data: 'forged\n' }]) },
      });
      await refused(archive('layer-digest', entries), /expected sha256:/);
    });

    it("is refused when the config's diff ids do not match the layers (after the first layer was stored)", async () => {
      await refused(
        archive('diff-ids', ociEntries({ layers: [layerA, layerB], diffIds: [sha256(layerA), sha256(layerA)] })),
        /expected sha256:/,
      );
      const wrongCount = ociEntries({ layers: [layerA, layerB], diffIds: [sha256(layerA)] });
      await refused(archive('diff-id-count', wrongCount), /diff ids/);
      // The same in docker-archive form, where only the diff ids vouch for the layers.
      const config = Buffer.from(
        JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [sha256(layerB)] } }),
      );
      const docker: RawEntry[] = [
        {
          path: 'manifest.json',
          data: JSON.stringify([{ Config: `${hex(sha256(config))}.json`, RepoTags: ['x:1'], Layers: ['a/layer.tar'] }]),
        },
        { path: `${hex(sha256(config))}.json`, data: config },
        { path: 'a/layer.tar', data: layerA },
      ];
      await refused(archive('docker-diff-ids', docker), /expected sha256:/);
    });

    it('is refused when its manifest is missing', async () => {
      await refused(
        archive('no-manifest', [
          { path: 'repositories', data: '{}' },
          { path: 'layer.tar', data: layerA },
        ]),
        /neither manifest.json/,
      );
      const docker: RawEntry[] = [
        { path: 'manifest.json', data: JSON.stringify([{ Config: 'c.json', RepoTags: null, Layers: ['a/layer.tar'] }]) },
      ];
      await refused(archive('no-config', docker), /no member "c.json"/);
    });

    it('is refused when its index points to a missing blob', async () => {
      const missing = sha256('not here');
      const index = {
        schemaVersion: 2,
        manifests: [{ mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: missing, size: 8 }],
      };
      await refused(archive('missing-blob', ociEntries({ layers: [layerA], index })), new RegExp(hex(missing)));
    });

    it('is refused when it is no archive at all, or absent', async () => {
      const junk = join(work, 'junk.tar');
      fs.writeFileSync(junk, Buffer.alloc(3000, 0x41));
      await refused(junk, /cannot read image archive .*not an octal number/);
      await refused(join(work, 'absent.tar'), /cannot read/);
    });
  });
});
