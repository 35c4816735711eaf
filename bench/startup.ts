/**
 * Container start-up: start-to-exit of `true` in a busybox rootfs (warm
 * image, ≥ 20 runs each), Berth beside crun and runc on the same rootfs.
 */
import * as fs from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { create } from 'tar';
import { GenericContainer, LocalEngine, type StartedGenericContainer } from '../src/index.js';
import { writeBusyboxRootfs } from '../test/support/busybox-rootfs.js';
import { installed, makeBundle, runBundle } from './oci-runtime.js';
import { printTable, type Summary, summarise, timeRuns } from './stats.js';

const RUNS = Math.max(20, Number(process.env.BENCH_RUNS ?? 30));
const IMAGE = 'berth.local/bench/busybox:latest';

const work = fs.mkdtempSync(join(tmpdir(), 'berth-bench-'));
const rootfs = join(work, 'rootfs');
writeBusyboxRootfs(rootfs);
const engine = new LocalEngine({ root: join(work, 'state') });
await engine.importImage(create({ cwd: rootfs, portable: false }, ['.']), IMAGE, { cmd: ['sh'] });

const rows: { name: string; summary?: Summary; note?: string }[] = [];

async function berthRun(): Promise<void> {
  const c = await new GenericContainer(IMAGE).withCommand(['true']).start(engine);
  await c.wait();
  await c.stop();
}

const berth = summarise(await timeRuns(RUNS, berthRun));
rows.push({ name: 'berth: start, wait exit, remove', summary: berth });
const exited: StartedGenericContainer[] = [];
const startToExit = await timeRuns(RUNS, async () => {
  const c = await new GenericContainer(IMAGE).withCommand(['true']).start(engine);
  await c.wait();
  exited.push(c);
});
rows.push({ name: 'berth: start to exit (removal untimed)', summary: summarise(startToExit) });
for (const c of exited) await c.stop();

for (const [runtime, globalArgs] of [
  ['crun', []],
  ['crun', ['--cgroup-manager=disabled']],
  ['runc', []],
] as [string, string[]][]) {
  const label = `${runtime} run ${globalArgs.join(' ')}`.trim();
  if (!installed(runtime)) {
    rows.push({ name: label, note: 'not installed (bash scripts/setup.sh --bench)' });
    continue;
  }
  const bundle = join(work, `bundle-${label.replace(/\W+/g, '-')}`);
  makeBundle(runtime, bundle, rootfs, ['true']);
  let n = 0;
  try {
    const summary = summarise(await timeRuns(RUNS, () => runBundle(runtime, bundle, `berth-bench-${process.pid}-${n++}`, globalArgs)));
    rows.push({ name: label, summary, note: `berth is ${(berth.median / summary.median).toFixed(2)}x this` });
  } catch (e) {
    rows.push({ name: label, note: `failed: ${(e as Error).message}` });
  }
}

printTable(`busybox \`true\`, start to exit, ${RUNS} runs each (ms)`, rows);
fs.rmSync(work, { recursive: true, force: true });
