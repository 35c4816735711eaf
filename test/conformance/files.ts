/** Conformance case for copying files into and out of containers as tar archives. */
import { expect } from 'vitest';
import { readTar } from '../../src/engine/image/tar-reader.js';
import { ContainerPathError } from '../../src/index.js';
import { buildTar } from '../support/tar-builder.js';
import type { CaseFn } from './describe-engine.js';
import type { SuiteContext } from './suite-context.js';

/** The entries of a tar stream: path, mode bits and content. */
async function entries(tar: AsyncIterable<Buffer>): Promise<{ path: string; mode: number; data: string }[]> {
  const found: { path: string; mode: number; data: string }[] = [];
  for await (const { entry, body } of readTar(tar)) {
    const chunks: Buffer[] = [];
    for await (const chunk of body) chunks.push(chunk);
    found.push({ path: entry.path, mode: entry.mode & 0o7777, data: Buffer.concat(chunks).toString() });
  }
  return found;
}

export function fileCases(ctx: SuiteContext, test: CaseFn): void {
  test('archive', 'puts a tar into a container and gets it back, with stat, into another container', async () => {
    const { engine } = ctx;
    const source = await ctx.run(['sleep', '60']);
    const tar = buildTar([
      { path: 'drop/', type: '5', mode: 0o750 },
      { path: 'drop/note.txt', mode: 0o640, data: 'carried in\n' },
    ]);
    await engine.putArchive(
      source,
      '/tmp',
      (async function* () {
        yield tar;
      })(),
    );
    const put = await engine.execContainer(source, { cmd: ['sh', '-c', 'stat -c %a /tmp/drop; stat -c "%a %s" /tmp/drop/note.txt'] });
    expect(put.stdout).toBe('750\n640 11\n');
    const file = await engine.getArchive(source, '/tmp/drop/note.txt');
    expect(file.stat).toMatchObject({ name: 'note.txt', size: 11, mode: 0o100640 });
    expect(await entries(file.stream)).toEqual([{ path: 'note.txt', mode: 0o640, data: 'carried in\n' }]);

    const dir = await engine.getArchive(source, '/tmp/drop');
    expect(dir.stat.mode & 0o170000).toBe(0o040000);
    // Into a container that was never started: the files are there when it runs.
    const target = await ctx.create({ command: ['sh', '-c', 'stat -c "%a %n" /tmp/drop /tmp/drop/note.txt; cat /tmp/drop/note.txt'] });
    await engine.putArchive(target, '/tmp', dir.stream);
    await engine.startContainer(target);
    expect(await engine.waitContainer(target)).toMatchObject({ exitCode: 0 });
    expect((await ctx.logLines(target)).join('')).toBe('750 /tmp/drop\n640 /tmp/drop/note.txt\ncarried in\n');

    await expect(engine.getArchive(source, '/no/such/path')).rejects.toBeInstanceOf(ContainerPathError);
    const nowhere = (async function* () {
      yield tar;
    })();
    await expect(engine.putArchive(source, '/no/such/dir', nowhere)).rejects.toBeInstanceOf(ContainerPathError);
  });
}
