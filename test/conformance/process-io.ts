/** Conformance cases for what goes into and out of a container's processes: exec, attach and logs. */
import { Readable } from 'node:stream';
import { expect } from 'vitest';
import { ContainerExecError, ContainerStateError, type LogFrame } from '../../src/index.js';
import type { CaseFn } from './describe-engine.js';
import type { SuiteContext } from './suite-context.js';

/** RFC 3339 with fractional seconds, as `docker logs --timestamps` writes it. */
const TIMESTAMP = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z$/;

export function processIoCases(ctx: SuiteContext, test: CaseFn): void {
  test('exec', "execs with stdout and stderr apart, the exit code, and the container's or the given settings", async () => {
    const { engine } = ctx;
    const id = await ctx.run(['sleep', '60'], { env: { FROM: 'container' }, workingDir: '/tmp' });
    const chunks: string[] = [];
    const result = await engine.execContainer(id, {
      cmd: ['sh', '-c', 'echo out; echo err >&2; exit 42'],
      onOutput: (stream, chunk) => chunks.push(`${stream}:${chunk}`),
    });
    expect(result).toEqual({ exitCode: 42, stdout: 'out\n', stderr: 'err\n' });
    expect(chunks.sort()).toEqual(['stderr:err\n', 'stdout:out\n']);
    const script = ['sh', '-c', 'echo "$FROM $EXTRA"; pwd; id -u'];
    expect((await engine.execContainer(id, { cmd: script })).stdout).toBe('container \n/tmp\n0\n');
    const overridden = await engine.execContainer(id, { cmd: script, env: { EXTRA: 'x' }, user: 'nobody', workingDir: '/etc' });
    expect(overridden.stdout).toBe('container x\n/etc\n65534\n');
    const tty = await engine.execContainer(id, { cmd: ['sh', '-c', 'echo out; echo err >&2'], tty: true });
    expect(tty.stdout.replace(/\r/g, '')).toBe('out\nerr\n');
    expect(tty.stderr).toBe('');
    await expect(engine.execContainer(id, { cmd: ['/no/such/binary'] })).rejects.toBeInstanceOf(ContainerExecError);
    await engine.stopContainer(id, { timeoutMs: 0 });
    await expect(engine.execContainer(id, { cmd: ['true'] })).rejects.toBeInstanceOf(ContainerStateError);
  });

  test('exec-stdin', 'execs with stdin from a string or a stream, closed at its end', async () => {
    const { engine } = ctx;
    const id = await ctx.run(['sleep', '60']);
    const read = await engine.execContainer(id, { cmd: ['sh', '-c', 'read line; echo "got $line"; wc -c'], stdin: 'first\nrest of it' });
    expect(read).toEqual({ exitCode: 0, stdout: 'got first\n10\n', stderr: '' });
    const chunks = Readable.from([Buffer.from('one '), 'two ', Buffer.from('three')]);
    expect((await engine.execContainer(id, { cmd: ['cat'], stdin: chunks })).stdout).toBe('one two three');
    // Without stdin the command reads EOF at once.
    expect((await engine.execContainer(id, { cmd: ['wc', '-c'] })).stdout.trim()).toBe('0');
  });

  test('attach', "attaches to a running container's stdin and output; its end is the command's EOF", async () => {
    const { engine } = ctx;
    const id = await ctx.run(['sh', '-c', 'echo ready; while read line; do echo "echo: $line"; done; echo bye'], { openStdin: true });
    await ctx.outputHas(id, 'ready');
    const session = await engine.attachContainer(id);
    try {
      // From the moment of attaching: read in the background while the test writes.
      const seen = (async () => {
        const lines: string[] = [];
        for await (const frame of session.output) lines.push(frame.data.toString());
        return lines.join('');
      })();
      await session.write('one\n');
      await session.write('two\n');
      await session.end();
      expect(await engine.waitContainer(id)).toMatchObject({ exitCode: 0 });
      expect((await ctx.logLines(id)).join('')).toBe('ready\necho: one\necho: two\nbye\n');
      expect(await seen).toBe('echo: one\necho: two\nbye\n');
    } finally {
      session.close();
    }
    const closed = await ctx.run(['sleep', '60']);
    await expect(engine.attachContainer(closed)).rejects.toBeInstanceOf(ContainerStateError); // Neither openStdin nor tty.
  });

  test('logs-streams', 'logs stdout and stderr apart, each line a frame with its stream and time', async () => {
    const { engine } = ctx;
    const before = Date.now();
    const id = await ctx.run(['sh', '-c', 'echo out1; echo err1 >&2; echo out2; echo err2 >&2']);
    await engine.waitContainer(id);
    const frames = await ctx.logFrames(id);
    expect(frames.map((f) => `${f.stream}:${f.data}`).sort()).toEqual(['stderr:err1\n', 'stderr:err2\n', 'stdout:out1\n', 'stdout:out2\n']);
    expect(await ctx.logLines(id, { stderr: false })).toEqual(['out1\n', 'out2\n']);
    expect(await ctx.logLines(id, { stdout: false })).toEqual(['err1\n', 'err2\n']);
    for (const frame of frames) {
      expect(frame.time).toMatch(TIMESTAMP);
      const time = Date.parse(frame.time);
      // The host's clock, not the container's: a second either way of when the test ran.
      expect(time).toBeGreaterThanOrEqual(before - 1000);
      expect(time).toBeLessThanOrEqual(Date.now() + 1000);
    }
    // Each stream's frames in the order written.
    const out = frames.filter((f) => f.stream === 'stdout');
    expect(Date.parse(out[1]?.time ?? '')).toBeGreaterThanOrEqual(Date.parse(out[0]?.time ?? ''));
  });

  test('logs-tail-since', 'selects log lines by tail and since', async () => {
    const { engine } = ctx;
    const id = await ctx.run(['sh', '-c', 'echo a; echo b; echo c; while [ ! -e /go ]; do sleep 0.05; done; echo d']);
    await ctx.outputHas(id, 'c\n');
    await new Promise((resolve) => setTimeout(resolve, 100));
    const between = new Date();
    await new Promise((resolve) => setTimeout(resolve, 100));
    await engine.execContainer(id, { cmd: ['touch', '/go'] });
    await engine.waitContainer(id);
    expect(await ctx.logLines(id, { tail: 2 })).toEqual(['c\n', 'd\n']);
    expect(await ctx.logLines(id, { tail: 0 })).toEqual([]);
    expect(await ctx.logLines(id, { since: between })).toEqual(['d\n']);
    expect(await ctx.logLines(id, { since: between.getTime() / 1000 })).toEqual(['d\n']);
  });

  test('logs-follow', 'follows the output as it is written, ending when the container exits', async () => {
    const { engine } = ctx;
    const id = await ctx.run(['sh', '-c', 'echo first; while [ ! -e /go ]; do sleep 0.05; done; echo second']);
    await ctx.outputHas(id, 'first');
    // Both followers are open once containerLogs resolves.
    const lines = async (frames: AsyncIterable<LogFrame>): Promise<string[]> => {
      const found: string[] = [];
      for await (const frame of frames) found.push(frame.data.toString());
      return found;
    };
    const all = lines(await engine.containerLogs(id, { follow: true }));
    const fresh = lines(await engine.containerLogs(id, { follow: true, tail: 0 }));
    await engine.execContainer(id, { cmd: ['touch', '/go'] });
    expect(await all).toEqual(['first\n', 'second\n']);
    expect(await fresh).toEqual(['second\n']);
  });
}
