/** Conformance cases for images: pull, inspect, tag and remove, commit, save and load. */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, inject, onTestFinished } from 'vitest';
import type { PullProgress } from '../../src/index.js';
import type { CaseFn } from './describe-engine.js';
import type { SuiteContext } from './suite-context.js';

const DIGEST = /^sha256:[0-9a-f]{64}$/;

/** A directory in the temp dir, removed when the test ends. */
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'berth-conformance-'));
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

export function imageCases(ctx: SuiteContext, test: CaseFn): void {
  test('pull', 'pulls an image from the registry with progress events, one finished event per layer', async () => {
    const { engine } = ctx;
    // A layer of its own, pushed first, so the pull downloads something whatever the backend has cached.
    const unique = randomBytes(8).toString('hex');
    // A MiB of noise, so the download takes several reads and reports progress on the way.
    const writer = await ctx.run(['sh', '-c', `echo ${unique} > /unique; head -c 1048576 /dev/urandom > /noise`]);
    await engine.waitContainer(writer);
    const reference = ctx.reference('pulled');
    const committed = await engine.commitContainer(writer, { reference });
    const pushed = await engine.pushImage(reference);
    expect(pushed).toEqual({ target: reference, digest: expect.stringMatching(DIGEST) });
    await engine.removeContainer(writer);
    expect(await engine.removeImage(reference)).toEqual({ deleted: true });
    expect(await engine.inspectImage(reference)).toBeUndefined();

    const events: PullProgress[] = [];
    const image = await engine.pullImage(reference, { onProgress: (p) => events.push(p) });
    expect(image).toMatchObject({ Id: committed.Id, ManifestDigest: pushed.digest });
    expect(image.RepoTags).toContain(reference);
    const finished = new Set(events.filter((e) => e.done).map((e) => e.layer));
    expect(finished.size).toBe(image.Config.rootfs.diff_ids.length);
    const partial = events.filter((e) => !e.done && e.downloaded > 0);
    expect(partial.length, JSON.stringify(events)).toBeGreaterThan(0);
    expect(partial.every((e) => e.downloaded <= e.total)).toBe(true);
    expect(await ctx.runToEnd(['cat', '/unique'], { image: image.Id })).toEqual({ exitCode: 0, output: `${unique}\n` });
  });

  test('inspect-image', 'inspects an image by reference and by id; an absent one is undefined', async () => {
    const { engine } = ctx;
    const reference = inject('fixtures').busybox;
    const id = await ctx.busybox();
    expect(id).toMatch(DIGEST);
    const image = await engine.inspectImage(reference);
    expect(image?.Id).toBe(id);
    expect(image?.RepoTags).toContain(reference);
    expect(image?.Size).toBeGreaterThan(0);
    expect(image?.Config).toMatchObject({ os: 'linux', config: { Cmd: ['sh'] } });
    expect(image?.Config.rootfs.diff_ids.length).toBeGreaterThan(0);
    expect((await engine.inspectImage(id))?.RepoTags).toContain(reference);
    expect((await engine.listImages()).map((i) => i.Id)).toContain(id);
    expect((await engine.imageHistory(reference)).length).toBeGreaterThan(0);
    expect(await engine.inspectImage(`${inject('registry')}/${ctx.prefix}/absent:1`)).toBeUndefined();
  });

  test('tag-remove-image', 'tags an image, and removing a tag keeps the image while it has others', async () => {
    const { engine } = ctx;
    const id = await ctx.busybox();
    const [first, second] = [ctx.reference('tagged'), ctx.reference('tagged')];
    await engine.tagImage(id, first);
    await engine.tagImage(first, second);
    const tagged = await engine.inspectImage(second);
    expect(tagged?.Id).toBe(id);
    expect(tagged?.RepoTags).toEqual(expect.arrayContaining([first, second, inject('fixtures').busybox]));
    expect(await engine.removeImage(first)).toEqual({ deleted: false });
    expect(await engine.inspectImage(first)).toBeUndefined();
    expect((await engine.inspectImage(second))?.Id).toBe(id);
    expect(await engine.removeImage(second)).toEqual({ deleted: false });
    expect((await engine.inspectImage(id))?.RepoTags).not.toContain(second);
  });

  test('commit', "commits a container's files and run settings, then runs the committed image", async () => {
    const { engine } = ctx;
    const script = 'mkdir /srv && echo kept > /srv/file && rm /bin/true';
    const writer = await ctx.run([script], { entrypoint: ['sh', '-c'] });
    expect((await engine.waitContainer(writer)).exitCode).toBe(0);
    // As it ran: the entrypoint and the command each where they were.
    const plain = await engine.commitContainer(writer);
    ctx.image(plain.Id);
    expect(plain.RepoTags).toEqual([]);
    expect(plain.Config.config).toMatchObject({ Entrypoint: ['sh', '-c'], Cmd: [script] });

    const reference = ctx.reference('committed');
    const image = await engine.commitContainer(writer, {
      reference,
      changes: ['ENV BERTH=conformance', 'WORKDIR /srv', 'CMD ["echo $BERTH; pwd; cat file; test -e /bin/true || echo gone"]'],
    });
    ctx.image(image.Id);
    expect(image.RepoTags).toEqual([reference]);
    expect(image.Config.config).toMatchObject({
      WorkingDir: '/srv',
      Entrypoint: ['sh', '-c'],
      Env: expect.arrayContaining(['BERTH=conformance']),
    });
    const base = await engine.inspectImage(await ctx.busybox());
    expect(image.Config.rootfs.diff_ids).toHaveLength((base?.Config.rootfs.diff_ids.length ?? 0) + 1);
    expect(await ctx.runToEnd(undefined, { image: reference })).toEqual({ exitCode: 0, output: 'conformance\n/srv\nkept\ngone\n' });
  });

  test('save-load', 'saves an image to a docker-archive and loads it back under its tag', async () => {
    const { engine } = ctx;
    const id = await ctx.busybox();
    const reference = ctx.reference('saved');
    await engine.tagImage(id, reference);
    const file = join(tempDir(), 'images.tar');
    await engine.saveImages([reference], file, 'docker-archive');
    const members = execFileSync('tar', ['-tf', file], { encoding: 'utf8' }).split('\n');
    expect(members).toEqual(expect.arrayContaining(['manifest.json', 'repositories']));
    await engine.removeImage(reference);
    expect(await engine.inspectImage(reference)).toBeUndefined();
    const loaded = await engine.loadImages(file);
    expect(loaded.map((i) => i.Id)).toEqual([id]);
    expect(loaded[0]?.RepoTags).toContain(reference);
    expect(await ctx.runToEnd(['echo', 'loaded'], { image: reference })).toEqual({ exitCode: 0, output: 'loaded\n' });
  });
}
