import { type ChildProcessByStdio, spawn } from 'node:child_process';
import { once } from 'node:events';
import type { Readable, Writable } from 'node:stream';
import { describe, expect, inject, it } from 'vitest';
import { LocalEngine } from '../src/index.js';
import { useFaultProxy } from './support/fault-proxy.js';
import { fixtureManifest } from './support/fixture-layout.js';
import { PLAIN_CONFIG, scratchStores } from './support/scratch-stores.js';

type PullProcess = ChildProcessByStdio<Writable, Readable, Readable>;

describe('pulls of one image at the same time', () => {
  const proxy = useFaultProxy(() => inject('registry'));
  const stores = scratchStores('dedupe');
  const layers = fixtureManifest('busybox-zstd').layers.map((l) => l.digest);
  const image = (): string => `${proxy().host}/library/busybox-zstd:latest`;
  /** GETs of each layer blob, in layer order. */
  const layerGets = (): number[] =>
    layers.map((digest) => proxy().requests.filter((r) => r.method === 'GET' && r.path.endsWith(`/blobs/${digest}`)).length);

  /** Slows the layers down so that the pulls overlap for certain. */
  function slowLayers(): void {
    for (const digest of layers)
      proxy().add({ path: `/blobs/${digest}`, fault: { kind: 'trickle', chunkBytes: 64 * 1024, intervalMs: 20 } });
  }

  it('downloads each layer once for pulls in one process, by one engine or two', async () => {
    slowLayers();
    const root = stores.root();
    const one = new LocalEngine({ root, config: PLAIN_CONFIG });
    const two = new LocalEngine({ root, config: PLAIN_CONFIG });
    const pulled = await Promise.all([one.pullImage(image()), one.pullImage(image()), two.pullImage(image())]);
    expect(new Set(pulled.map((p) => p.Id)).size).toBe(1);
    expect(layerGets()).toEqual(layers.map(() => 1));
  });

  it('downloads each layer once for pulls in two processes', async () => {
    slowLayers();
    const root = stores.root();
    const children: PullProcess[] = [0, 1].map(() =>
      spawn(process.execPath, ['--import', 'tsx', 'test/support/pull-process.ts', root, image()], { stdio: ['pipe', 'pipe', 'pipe'] }),
    );
    try {
      const outputs = children.map((child) => collect(child));
      // Both engines are open before either starts to pull.
      await Promise.all(outputs.map((o) => o.line(0)));
      for (const child of children) child.stdin.write('go\n');
      const results = await Promise.all(outputs.map(async (o) => JSON.parse(await o.line(1)) as { id: string }));
      expect(results[0]?.id).toBe(fixtureManifest('busybox-zstd').config.digest);
      expect(results[1]?.id).toBe(results[0]?.id);
      expect(layerGets()).toEqual(layers.map(() => 1));
    } finally {
      for (const child of children) child.kill('SIGKILL');
    }
  });
});

/** The stdout lines of a child, and its stderr for failures. */
function collect(child: PullProcess): { line: (n: number) => Promise<string> } {
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => {
    out += d.toString();
  });
  child.stderr.on('data', (d: Buffer) => {
    err += d.toString();
  });
  const exited = once(child, 'exit');
  return {
    line: async (n) => {
      for (;;) {
        const lines = out.split('\n');
        if (lines.length > n + 1) return lines[n] as string;
        const more = once(child.stdout, 'data');
        const winner = await Promise.race([more.then(() => 'data'), exited.then(() => 'exit')]);
        if (winner === 'exit' && out.split('\n').length <= n + 1) throw new Error(`pull process exited early:\n${err}`);
      }
    },
  };
}
