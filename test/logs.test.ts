import { describe, expect, inject, it } from 'vitest';
import { GenericContainer } from '../src/index.js';

async function collect(stream: AsyncIterable<unknown>): Promise<string[]> {
  const out: string[] = [];
  for await (const chunk of stream) out.push(String(chunk));
  return out;
}

describe('logs', () => {
  it('keeps stdout and stderr apart, with tail and timestamps', async () => {
    await using c = await new GenericContainer(inject('fixtures').busybox)
      .withCommand(['sh', '-c', 'for i in 1 2 3 4 5; do echo out$i; echo err$i >&2; done'])
      .start();
    await c.wait();
    expect(await collect(await c.logs({ stderr: false }))).toEqual(['out1\n', 'out2\n', 'out3\n', 'out4\n', 'out5\n']);
    expect(await collect(await c.logs({ stdout: false, tail: 2 }))).toEqual(['err4\n', 'err5\n']);
    const stamped = await collect(await c.logs({ timestamps: true, tail: 1 }));
    // Two pipes: when the command ends at once, the monitor may drain either one last.
    expect(stamped).toHaveLength(1);
    expect(stamped[0]).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z (out|err)5\n$/);
  });

  it('selects by time with since', async () => {
    await using c = await new GenericContainer(inject('fixtures').busybox)
      .withCommand(['sh', '-c', 'echo early; sleep 0.5; echo late'])
      .start();
    await c.wait();
    const lines = await collect(await c.logs({ timestamps: true }));
    const lateAt = new Date(`${(lines[1] ?? '').slice(0, 23)}Z`);
    expect(await collect(await c.logs({ since: new Date(lateAt.getTime() - 100) }))).toEqual(['late\n']);
  });

  it('follows output as it is written, until the container exits', async () => {
    await using c = await new GenericContainer(inject('fixtures').busybox)
      .withCommand(['sh', '-c', 'echo one; sleep 0.3; printf "two-"; sleep 0.2; echo joined; sleep 0.2; echo three'])
      .start();
    const seen: { line: string; at: number }[] = [];
    const start = Date.now();
    for await (const chunk of await c.logs({ follow: true })) seen.push({ line: String(chunk), at: Date.now() - start });
    expect(seen.map((s) => s.line)).toEqual(['one\n', 'two-joined\n', 'three\n']);
    // Streamed, not collected at the end: the first line arrived well before the last.
    expect((seen[2]?.at ?? 0) - (seen[0]?.at ?? 0)).toBeGreaterThan(400);
  });
});
