/**
 * Container start-up, the `run --rm busybox true` case: start, wait for the
 * exit, remove — Berth beside crun and runc (same rootfs, as OCI bundles) and
 * podman and docker (same rootfs, imported), ≥ 20 runs each; then 10
 * containers at once. Berth and docker run twice, on their default bridge
 * network and with no network, and each ratio compares like with like (the
 * OCI runtimes alone set up no network).
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { create } from 'tar';
import { GenericContainer, LocalEngine } from '../src/index.js';
import { writeBusyboxRootfs } from '../test/support/busybox-rootfs.js';
import { installed, makeBundle } from './oci-runtime.js';
import { printTable, type Summary, summarise, timeRuns } from './stats.js';

const RUNS = Math.max(20, Number(process.env.BENCH_RUNS ?? 30));
const PARALLEL = 10;
const IMAGE = 'berth.local/bench/busybox:latest';
const PEER_IMAGE = 'berth-bench-busybox:latest';

const work = fs.mkdtempSync(join(tmpdir(), 'berth-bench-'));
const rootfs = join(work, 'rootfs');
writeBusyboxRootfs(rootfs);
const rootfsTar = join(work, 'rootfs.tar');
execFileSync('tar', ['-C', rootfs, '-cf', rootfsTar, '.']);
const engine = new LocalEngine({ root: join(work, 'state') });
await engine.importImage(create({ cwd: rootfs, portable: false }, ['.']), IMAGE, { cmd: ['sh'] });

type Row = { name: string; summary?: Summary; note?: string };
const single: Row[] = [];
const parallel: Row[] = [];

function berthRun(network: 'bridge' | 'none'): () => Promise<void> {
  return async () => {
    const c = await new GenericContainer(IMAGE).withCommand(['true']).withNetworkMode(network).start(engine);
    await c.wait();
    await c.stop();
  };
}

const berth = summarise(await timeRuns(RUNS, berthRun('bridge')));
single.push({ name: 'berth run --rm', summary: berth });
const berthNone = summarise(await timeRuns(RUNS, berthRun('none')));
single.push({ name: 'berth run --rm --network none', summary: berthNone });
parallel.push({ name: `berth, ${PARALLEL} at once`, summary: summarise(await timeRuns(5, () => all(berthRun('bridge')), 1)) });

/**
 * A peer: a command line that does `run --rm … true`, timed the same way and
 * compared with Berth's run in the same network mode.
 */
function peer(name: string, available: () => string | undefined, argv: (i: number) => string[], versus = berthNone): void {
  const missing = available();
  if (missing) {
    single.push({ name, note: missing });
    return;
  }
  let n = 0;
  const once = (): Promise<void> => run(argv(n++));
  peers.push(async () => {
    try {
      const summary = summarise(await timeRuns(RUNS, once));
      single.push({ name, summary, note: `berth takes ${(versus.median / summary.median).toFixed(3)}x this` });
      parallel.push({ name: `${name}, ${PARALLEL} at once`, summary: summarise(await timeRuns(5, () => all(once), 1)) });
    } catch (e) {
      single.push({ name, note: `failed: ${(e as Error).message.split('\n')[0]}` });
    }
  });
}

const peers: (() => Promise<void>)[] = [];
for (const [runtime, globalArgs] of [
  ['crun', []],
  ['runc', []],
] as [string, string[]][]) {
  const bundle = join(work, `bundle-${runtime}`);
  peer(
    `${runtime} run`,
    () => {
      if (!installed(runtime)) return 'not installed (bash scripts/setup.sh --bench)';
      makeBundle(runtime, bundle, rootfs, ['true']);
      return undefined;
    },
    (i) => [runtime, ...globalArgs, 'run', '-b', bundle, `berth-bench-${process.pid}-${i}`],
  );
}
peer(
  'podman run --rm',
  () => (installed('podman') && importInto('podman') ? undefined : 'not installed, or import failed'),
  () => ['podman', 'run', '--rm', '--network=none', PEER_IMAGE, 'true'],
);
peer(
  'podman --runtime runc run --rm',
  () => (installed('podman') && installed('runc') ? undefined : 'podman or runc not installed'),
  () => ['podman', '--runtime', 'runc', 'run', '--rm', '--network=none', PEER_IMAGE, 'true'],
);
const dockerReady = (): string | undefined =>
  dockerRunning() && importInto('docker') ? undefined : 'no dockerd running (bash bench/start-dockerd.sh)';
peer('docker run --rm', dockerReady, () => ['docker', 'run', '--rm', PEER_IMAGE, 'true'], berth);
peer('docker run --rm --network none', dockerReady, () => ['docker', 'run', '--rm', '--network=none', PEER_IMAGE, 'true']);
for (const p of peers) await p();

printTable(`run --rm busybox true: start, exit, remove (${RUNS} runs each, ms)`, single);
printTable(`${PARALLEL} containers started at once, until all exited and were removed (5 rounds, ms)`, parallel);
for (const tool of ['podman', 'docker']) if (installed(tool)) spawnSync(tool, ['rmi', '-f', PEER_IMAGE], { stdio: 'ignore' });
fs.rmSync(work, { recursive: true, force: true });

function all(fn: () => Promise<void>): Promise<void> {
  return Promise.all(Array.from({ length: PARALLEL }, fn)).then(() => undefined);
}

/** Runs a command to completion; rejects with its stderr on failure. */
function run(argv: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0] ?? '', argv.slice(1), { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${argv[0]} exited ${code}: ${stderr.trim()}`))));
  });
}

function importInto(tool: string): boolean {
  return spawnSync(tool, ['import', '--change', 'CMD ["sh"]', rootfsTar, PEER_IMAGE], { stdio: 'ignore' }).status === 0;
}

function dockerRunning(): boolean {
  return installed('docker') && spawnSync('docker', ['info'], { stdio: 'ignore' }).status === 0;
}
