import * as fs from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, inject, it, onTestFinished } from 'vitest';

import {
  BuildContextError,
  type BuildImageOptions,
  type BuildProgress,
  BuildStepError,
  getEngine,
  type ImageSummary,
} from '../src/index.js';

const fixtures = () => inject('fixtures');

/** A build context with `files` (path → content), removed after the test. */
function context(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(join(tmpdir(), 'build-ctx-'));
  onTestFinished(() => fs.rmSync(dir, { recursive: true, force: true }));
  for (const [path, content] of Object.entries(files)) {
    fs.mkdirSync(join(dir, path, '..'), { recursive: true });
    fs.writeFileSync(join(dir, path), content);
  }
  return dir;
}

/** Builds, removing the image after the test; returns the image and the progress events. */
async function build(dir: string, options: BuildImageOptions = {}): Promise<{ image: ImageSummary; events: BuildProgress[] }> {
  const events: BuildProgress[] = [];
  const image = await getEngine().buildImage(dir, { ...options, onProgress: (e) => events.push(e) });
  onTestFinished(async () => {
    await getEngine()
      .removeImage(image.Id, { force: true })
      .catch(() => undefined);
  });
  return { image, events };
}

/** Runs `command` in a container of `image` and returns its output. */
async function run(image: string, command: string[]): Promise<string> {
  const engine = getEngine();
  const id = await engine.createContainer({ image, ...(command.length > 0 ? { command } : {}) });
  try {
    await engine.startContainer(id);
    await engine.waitContainer(id);
    const chunks: string[] = [];
    for await (const frame of await engine.containerLogs(id)) chunks.push(frame.data.toString('utf8'));
    return chunks.join('');
  } finally {
    await engine.removeContainer(id, { force: true });
  }
}

const cachedSteps = (events: BuildProgress[]) => events.filter((e) => e.status === 'cached').map((e) => e.step.replace(/^\[[^\]]*\] /, ''));

describe('buildImage', () => {
  it('builds RUN, COPY and metadata steps into an image that runs', async () => {
    const dir = context({
      Dockerfile: `FROM ${fixtures().busybox}\nARG GREETING=hello\nENV APP=/app\nWORKDIR $APP\nCOPY app.txt ./\nRUN echo "$GREETING from run" > run.txt && rm -f /bin/ping\nCMD ["cat", "app.txt", "run.txt"]\nLABEL stage=one\n`,
      'app.txt': 'from the context\n',
    });
    const { image } = await build(dir, { tags: ['berth-build-test/one:latest'] });
    expect(image.RepoTags.some((t) => t.endsWith('berth-build-test/one:latest'))).toBe(true);
    expect(image.Config.config).toMatchObject({ Cmd: ['cat', 'app.txt', 'run.txt'], WorkingDir: '/app', Labels: { stage: 'one' } });
    expect(image.Config.config?.Env).toContain('APP=/app');
    expect(await run(image.Id, [])).toBe('from the context\nhello from run\n');
    // The deleted file is a whiteout in the RUN's layer.
    expect(await run(image.Id, ['sh', '-c', 'test -e /bin/ping && echo present || echo gone'])).toBe('gone\n');
    const history = image.Config.history ?? [];
    expect(history.slice(-6).map((h) => [h.created_by, h.empty_layer ?? false])).toEqual([
      ['ENV APP=/app', true],
      ['WORKDIR $APP', true],
      ['COPY app.txt ./', false],
      ['RUN /bin/sh -c echo "$GREETING from run" > run.txt && rm -f /bin/ping', false],
      ['CMD ["cat", "app.txt", "run.txt"]', true],
      ['LABEL stage=one', true],
    ]);
  });

  it('builds only the stages the target needs, copying between them with --from, --chown and --chmod', async () => {
    const dir = context({
      Dockerfile: [
        `FROM ${fixtures().busybox} AS build`,
        'RUN mkdir /out && echo built > /out/app && chmod 700 /out/app',
        `FROM ${fixtures().busybox} AS unused`,
        'RUN exit 1',
        `FROM ${fixtures().busybox} AS final`,
        'COPY --from=build --chown=12:34 /out/ /srv/',
        'COPY --chmod=0600 <<EOF /etc/motd',
        'hi $USER',
        'EOF',
        'CMD ["sh", "-c", "cat /srv/app /etc/motd; stat -c \'%u:%g %a\' /srv/app /etc/motd"]',
        'FROM final AS later',
      ].join('\n'),
    });
    const { image, events } = await build(dir, { target: 'final' });
    expect(events.some((e) => e.step.includes('exit 1'))).toBe(false);
    expect(await run(image.Id, [])).toBe('built\nhi \n12:34 700\n0:0 600\n');
  });

  it('keeps every layer cached when an unrelated file is touched, and misses from a changed file or ARG on', async () => {
    const dir = context({
      // A label of its own so the first build is cold, whatever earlier runs cached.
      Dockerfile: `FROM ${fixtures().busybox}\nLABEL run=${Math.random()}\nCOPY a.txt /a.txt\nARG V=1\nRUN echo run-$V > /v\nCOPY b.txt /b.txt\nRUN cat /a.txt /v /b.txt > /all\n`,
      'a.txt': 'a\n',
      'b.txt': 'b\n',
      'other.txt': 'other\n',
    });
    const first = await build(dir);
    expect(cachedSteps(first.events)).toEqual([]);
    // Touching a file without changing it, and changing a file no step copies, keeps everything.
    const later = new Date(Date.now() + 60_000);
    fs.utimesSync(join(dir, 'a.txt'), later, later);
    fs.writeFileSync(join(dir, 'other.txt'), 'changed\n');
    const touched = await build(dir);
    expect(cachedSteps(touched.events)).toEqual([
      'COPY a.txt /a.txt',
      'RUN echo run-$V > /v',
      'COPY b.txt /b.txt',
      'RUN cat /a.txt /v /b.txt > /all',
    ]);
    expect(touched.image.Id).toBe(first.image.Id);
    // A changed ARG misses from its first use on.
    const arg = await build(dir, { buildArgs: { V: '2' } });
    expect(cachedSteps(arg.events)).toEqual(['COPY a.txt /a.txt']);
    expect(await run(arg.image.Id, ['cat', '/all'])).toBe('a\nrun-2\nb\n');
    // A changed file misses from its COPY on.
    fs.writeFileSync(join(dir, 'b.txt'), 'b2\n');
    const changed = await build(dir);
    expect(cachedSteps(changed.events)).toEqual(['COPY a.txt /a.txt', 'RUN echo run-$V > /v']);
    expect(await run(changed.image.Id, ['cat', '/all'])).toBe('a\nrun-1\nb2\n');
    // noCache builds every step again.
    expect(cachedSteps((await build(dir, { noCache: true })).events)).toEqual([]);
  });

  it('honours .dockerignore and <Dockerfile>.dockerignore, and ADD extracts a local tar', async () => {
    const dir = context({
      'build/app.Dockerfile': `FROM ${fixtures().busybox}\nCOPY . /ctx/\nADD files.tar /x/\nCMD ["sh", "-c", "cd /ctx && find . -type f | sort && cat /x/inner/file"]\n`,
      'build/app.Dockerfile.dockerignore': 'logs\n*.tmp\n!keep.tmp\n**/secret\n',
      '.dockerignore': 'src\n',
      'src/main.c': 'int main;\n',
      'src/deep/secret': 'no\n',
      'logs/1.log': 'x\n',
      'a.tmp': 'x\n',
      'keep.tmp': 'y\n',
      'inner/file': 'from tar\n',
    });
    const { execFileSync } = await import('node:child_process');
    execFileSync('tar', ['-cf', join(dir, 'files.tar'), '-C', dir, 'inner']);
    fs.rmSync(join(dir, 'inner'), { recursive: true });
    const { image } = await build(dir, { dockerfile: 'build/app.Dockerfile' });
    // The per-Dockerfile ignore file wins over the context's .dockerignore (which would drop src).
    const listing = [
      './.dockerignore',
      './build/app.Dockerfile',
      './build/app.Dockerfile.dockerignore',
      './files.tar',
      './keep.tmp',
      './src/main.c',
    ];
    expect(await run(image.Id, [])).toBe(`${listing.join('\n')}\nfrom tar\n`);
  });

  it('refuses a context escape: COPY ../x and a symlink out of the context', async () => {
    const outside = context({ 'secret.txt': 'no\n' });
    const dir = context({ Dockerfile: `FROM ${fixtures().busybox}\nCOPY ../secret.txt /s\n` });
    await expect(getEngine().buildImage(dir)).rejects.toThrow(BuildContextError);
    fs.writeFileSync(join(dir, 'Dockerfile'), `FROM ${fixtures().busybox}\nCOPY link /s\n`);
    fs.symlinkSync(join(outside, 'secret.txt'), join(dir, 'link'));
    const error = await getEngine()
      .buildImage(dir)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BuildContextError);
    expect((error as BuildContextError).message).toMatch(/leads out of the build context/);
  });

  it('reports a failing RUN with its step, exit code and last lines, leaving no container behind', async () => {
    const engine = getEngine();
    const before = (await engine.listContainers({ all: true })).length;
    const dir = context({ Dockerfile: `FROM ${fixtures().busybox}\nRUN echo one; echo two; exit 3\n` });
    const error = (await engine.buildImage(dir).catch((e: unknown) => e)) as BuildStepError;
    expect(error).toBeInstanceOf(BuildStepError);
    expect(error.code).toBe('BUILD_STEP_FAILED');
    expect(error.step).toBe('[stage-0 2/2] RUN echo one; echo two; exit 3');
    expect(error.exitCode).toBe(3);
    expect(error.lastLines).toEqual(['one', 'two']);
    expect((await engine.listContainers({ all: true })).length).toBe(before);
  });

  it('runs the ONBUILD triggers of a base image in a child build', async () => {
    const base = context({ Dockerfile: `FROM ${fixtures().busybox}\nONBUILD RUN echo triggered > /trigger\n` });
    const { image: parent } = await build(base, { tags: ['berth-build-test/onbuild:latest'] });
    expect((parent.Config.config as { OnBuild?: string[] }).OnBuild).toEqual(['RUN echo triggered > /trigger']);
    const child = context({ Dockerfile: 'FROM berth-build-test/onbuild:latest\nCMD ["cat", "/trigger"]\n' });
    const { image } = await build(child);
    expect(await run(image.Id, [])).toBe('triggered\n');
    expect((image.Config.config as { OnBuild?: string[] }).OnBuild).toBeUndefined();
  });
});
