/**
 * Cold pull of the multi-layer Debian fixture from a local registry: Berth
 * (download, verify, unpack, ready to run) beside `skopeo copy` to a
 * directory (download and verify only) and `docker pull` when a dockerd runs.
 *
 * The tools take turns, run by run, and each run starts after the previous
 * run's data was deleted and flushed (untimed): this VM's disk speed drifts
 * with the write-back and discard work in flight, and taking turns exposes
 * every tool to the same drift.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pushOciLayout } from '../src/engine/image/push.js';
import { LocalEngine } from '../src/index.js';
import { startRegistry } from '../test/support/registry.js';
import { installed } from './oci-runtime.js';
import { printTable, type Summary, summarise } from './stats.js';

const RUNS = Math.max(5, Number(process.env.BENCH_PULL_RUNS ?? 7));
const FIXTURES = process.env.BERTH_FIXTURE_CACHE ?? '/var/cache/berth-fixtures';

interface Contender {
  name: string;
  /** Untimed: undo the previous run. */
  reset: (run: number) => void;
  pull: (run: number) => Promise<void> | void;
  samples: number[];
}

execFileSync('bash', ['test/fixtures/build-images.sh', 'debian'], { stdio: ['ignore', 'ignore', 'inherit'] });
const registry = await startRegistry();
const image = `${registry.host}/library/debian:latest`;
await pushOciLayout(join(FIXTURES, 'debian'), image);
const work = fs.mkdtempSync(join(tmpdir(), 'berth-bench-pull-'));
const dir = (tool: string, run: number): string => join(work, `${tool}-${run}`);
const removeDir = (tool: string) => (run: number) => fs.rmSync(dir(tool, run - 1), { recursive: true, force: true });

const contenders: Contender[] = [
  {
    name: 'berth pull (download+verify+unpack)',
    reset: removeDir('berth'),
    pull: async (run) => void (await new LocalEngine({ root: dir('berth', run) }).pullImage(image)),
    samples: [],
  },
];
const notes: { name: string; note: string }[] = [];
if (installed('skopeo')) {
  contenders.push({
    name: 'skopeo copy to dir (no unpack)',
    reset: removeDir('skopeo'),
    pull: (run) => void execFileSync('skopeo', ['copy', '-q', '--src-tls-verify=false', `docker://${image}`, `dir:${dir('skopeo', run)}`]),
    samples: [],
  });
} else notes.push({ name: 'skopeo copy', note: 'not installed' });
if (installed('docker') && spawnSync('docker', ['info'], { stdio: 'ignore' }).status === 0) {
  contenders.push({
    name: 'docker pull',
    reset: () => void spawnSync('docker', ['rmi', '-f', image], { stdio: 'ignore' }),
    pull: () => void execFileSync('docker', ['pull', '-q', image], { stdio: 'ignore' }),
    samples: [],
  });
} else notes.push({ name: 'docker pull', note: 'no dockerd running (bash bench/start-dockerd.sh)' });

try {
  for (let run = 0; run <= RUNS; run++) {
    for (const c of contenders) {
      c.reset(run);
      spawnSync('sync');
      const start = process.hrtime.bigint();
      await c.pull(run);
      // Run 0 warms up (registry caches, code paths) and is not counted.
      if (run > 0) c.samples.push(Number(process.hrtime.bigint() - start) / 1e6);
    }
  }
} finally {
  for (const c of contenders) c.reset(RUNS + 1);
  await registry.stop();
  fs.rmSync(work, { recursive: true, force: true });
}

const berth = summarise(contenders[0]?.samples ?? []);
const rows: { name: string; summary?: Summary; note?: string }[] = contenders.map((c, i) => {
  const summary = summarise(c.samples);
  const ratio = summary.median / berth.median;
  return { name: c.name, summary, ...(i > 0 ? { note: `berth/this: ${(1 / ratio).toFixed(2)}x the time` } : {}) };
});
printTable(`cold pull of the 3-layer Debian fixture, tools taking turns (${RUNS} runs, ms)`, [...rows, ...notes]);
