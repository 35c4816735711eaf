import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { request } from 'undici';
import { describe, expect, inject, it } from 'vitest';
import { type GenericContainer, getEngine } from '../src/index.js';
import { processExists } from './support/leaks.js';
import { reusable } from './support/reusable.js';

const busybox = (): string => inject('fixtures').busybox;
const sleeper = (marker: string): GenericContainer => reusable(busybox(), marker);

/** Runs test/support/reuse-process.ts to its end; returns the id it printed. */
async function startInAnotherProcess(marker: string, mode = ''): Promise<string> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/support/reuse-process.ts', busybox(), marker, mode], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d));
  const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
  expect(code).toBe(0);
  return (JSON.parse(out) as { id: string }).id;
}

async function removeAll(marker: string): Promise<void> {
  for (const c of await getEngine().listContainers({ all: true, labels: { marker } })) {
    await getEngine().removeContainer(c.Id, { force: true });
  }
}

describe('withReuse', () => {
  it('hands the same running container to the same configuration, and a new one to another', async () => {
    const marker = randomUUID();
    try {
      const a = await sleeper(marker).start();
      const b = await sleeper(marker).start();
      const other = await sleeper(marker).withEnvironment({ DIFFERENT: '1' }).start();
      expect(b.getId()).toBe(a.getId());
      expect(other.getId()).not.toBe(a.getId());
      // Disposal keeps a reusable container for the next user; stop() removes it.
      await a[Symbol.asyncDispose]();
      expect((await getEngine().inspectContainer(a.getId())).State.Running).toBe(true);
      await b.stop();
      expect(await getEngine().listContainers({ all: true, labels: { marker } })).toHaveLength(1);
    } finally {
      await removeAll(marker);
    }
  });

  it('outlives the process that started it, and the next process reuses it', async () => {
    const marker = randomUUID();
    try {
      const first = await startInAnotherProcess(marker);
      await new Promise((r) => setTimeout(r, 500)); // long enough for a lifeline to have fired
      const info = await getEngine().inspectContainer(first);
      expect(info.State.Running).toBe(true);
      expect(processExists(info.State.Pid)).toBe(true);
      const second = await startInAnotherProcess(marker);
      expect(second).toBe(first);
      const here = await sleeper(marker).start();
      expect(here.getId()).toBe(first);
      await here.stop();
    } finally {
      await removeAll(marker);
    }
  });

  it('serves the published ports of a container whose starter is gone', async () => {
    const marker = randomUUID();
    try {
      const first = await startInAnotherProcess(marker, 'httpd');
      const c = await reusable(busybox(), marker, true).start();
      expect(c.getId()).toBe(first);
      const { statusCode, body } = await request(`http://127.0.0.1:${c.getMappedPort(80)}/index.html`);
      expect(statusCode).toBe(200);
      expect((await body.text()).trim()).toBe(marker);
    } finally {
      await removeAll(marker);
    }
  });

  it('gives processes that ask at the same moment one container', async () => {
    const marker = randomUUID();
    try {
      const ids = await Promise.all([startInAnotherProcess(marker), startInAnotherProcess(marker), startInAnotherProcess(marker)]);
      expect(new Set(ids).size).toBe(1);
      expect(await getEngine().listContainers({ all: true, labels: { marker } })).toHaveLength(1);
    } finally {
      await removeAll(marker);
    }
  });
});
