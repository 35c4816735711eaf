import type { Readable } from 'node:stream';
import { request } from 'undici';
import { describe, expect, inject, it } from 'vitest';
import { ContainerNotFoundError, GenericContainer, getEngine } from '../src/index.js';

const busybox = (): string => inject('fixtures').busybox;
const sh = (script: string): GenericContainer => new GenericContainer(busybox()).withCommand(['sh', '-c', script]);

async function until<T>(probe: () => Promise<T | undefined>, what: string): Promise<T> {
  for (let attempt = 0; attempt < 250; attempt++) {
    const value = await probe();
    if (value !== undefined) return value;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`timed out waiting for ${what}`);
}

async function httpGet(port: number): Promise<string | undefined> {
  try {
    const { statusCode, body } = await request(`http://127.0.0.1:${port}/index.html`);
    const text = (await body.text()).trim();
    return statusCode === 200 ? text : undefined;
  } catch {
    return undefined;
  }
}

describe('GenericContainer: more of what testcontainers has', () => {
  it('withSharedMemorySize sizes /dev/shm', async () => {
    await using c = await sh('df -k /dev/shm | tail -1')
      .withSharedMemorySize(128 * 1024 * 1024)
      .start();
    await c.wait();
    expect((await c.output()).trim().split(/\s+/)[1]).toBe(String(128 * 1024));
  });

  it('withAutoRemove removes the container once its command exits', async () => {
    const c = await sh('exit 0').withAutoRemove().start();
    const gone = await until(
      () =>
        getEngine()
          .inspectContainer(c.getId())
          .then(
            () => undefined,
            (e: unknown) => e,
          ),
      'the container to be removed',
    );
    expect(gone).toBeInstanceOf(ContainerNotFoundError);
    await c.stop(); // stop() after the removal is harmless
  });

  it('withLogConsumer gets the output as it is written', async () => {
    let stream: Readable | undefined;
    await using c = await sh('echo first; sleep 0.2; echo second; sleep 600')
      .withLogConsumer((s) => {
        stream = s;
      })
      .start();
    const lines: string[] = [];
    for await (const line of stream ?? []) {
      lines.push(String(line).trim());
      if (lines.length === 2) break;
    }
    expect(lines).toEqual(['first', 'second']);
    expect(c.getId()).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe('StartedTestContainer: restart and commit', () => {
  it('restart keeps the files, runs a new process and serves the published port again', async () => {
    await using c = await sh('mkdir -p /www; date +%s%N >> /www/index.html; exec httpd -f -p 80 -h /www').withExposedPorts(80).start();
    const before = await until(() => httpGet(c.getMappedPort(80)), 'httpd');
    const pid = (await c.inspect()).State.Pid;
    await c.restart();
    expect((await c.inspect()).State.Pid).not.toBe(pid);
    // Two lines now: the file survived the restart and the command appended to it again.
    const after = await until(async () => {
      const text = await httpGet(c.getMappedPort(80));
      return text?.includes('\n') ? text : undefined;
    }, 'httpd after the restart');
    expect(after.startsWith(before)).toBe(true);
  });

  it('commit makes an image of the changes, deletions included, with the run settings', async () => {
    const source = await sh('mkdir -p /data && echo kept > /data/file && rm /etc/group && sleep 600')
      .withEnvironment({ FROM_COMMIT: 'yes' })
      .start();
    try {
      await until(() => source.exec(['test', '-f', '/data/file']).then((r) => (r.exitCode === 0 ? true : undefined)), 'the file');
      const imageId = await source.commit({ reference: 'berth.local/committed:test', comment: 'from a test' });
      expect(imageId).toMatch(/^sha256:/);
      const history = await getEngine().imageHistory('berth.local/committed:test');
      expect(history.some((h) => h.Comment === 'from a test')).toBe(true);
      await using copy = await new GenericContainer('berth.local/committed:test')
        .withCommand(['sh', '-c', 'cat /data/file; test -e /etc/group && echo group-back; echo "env=$FROM_COMMIT"'])
        .start();
      await copy.wait();
      expect(await copy.output()).toBe('kept\nenv=yes\n');
    } finally {
      await source.stop();
      await getEngine().removeImage('berth.local/committed:test', { force: true });
    }
  });
});
