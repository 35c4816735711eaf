/**
 * A fresh process's first container, what a test runner that starts a
 * process per test file pays each time: `node` running a script that imports
 * Berth (from dist/, what users run; built if missing) and runs
 * `busybox echo hi` on the default network, until the output is printed and
 * until the process has exited; beside `docker run --rm` and a fresh node
 * process using testcontainers-node (Ryuk off), same image (the busybox
 * fixture, pushed to a local registry and pulled by each), same command.
 * Also the time the script spends importing Berth (or testcontainers).
 *
 * Berth runs twice: as a test file after another within the grace period,
 * taking over the default network's bridge the last one handed to the
 * reaper, and with `BERTH_NETWORK_GRACE_MS=0` and no bridge, making it and
 * removing it at exit (as every process did before the reaper). The host's
 * berth0 is shared: another process's containers on it make both rows the
 * first. Runs go round by round, each contender once a round.
 * Needs the fixture layouts (test/fixtures/build-images.sh) and, for the
 * peers, a dockerd (bash bench/start-dockerd.sh). BENCH_DIST=<index.js of
 * another build> times that build instead (e.g. an older commit's).
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { pushOciLayout } from '../src/engine/image/push.js';
import { LocalEngine } from '../src/index.js';
import { startRegistry } from '../test/support/registry.js';
import { installed } from './oci-runtime.js';
import { printTable, type Summary, summarise } from './stats.js';

const RUNS = Math.max(5, Number(process.env.BENCH_RUNS ?? 10));
const FIXTURES = process.env.BERTH_FIXTURE_CACHE ?? '/var/cache/berth-fixtures';
const REPO = fileURLToPath(new URL('..', import.meta.url));
/** Longer than a round: the kept runs always find the bridge the last one left. */
const LONG_GRACE_MS = 120_000;
const DIST = process.env.BENCH_DIST ?? join(REPO, 'dist', 'index.js');

/** One fresh process: ms from spawn to the first "hi" on stdout, to its exit, and the import time it reported. */
interface ColdRun {
  output: number;
  exit: number;
  importMs?: number;
}

/** Spawns `argv` and times it; the child may print `import <ms>` on stderr. */
async function coldRun(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<ColdRun> {
  const begin = process.hrtime.bigint();
  const since = (): number => Number(process.hrtime.bigint() - begin) / 1e6;
  const [command = 'node', ...args] = argv;
  const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  let output: number | undefined;
  child.stdout.on('data', (d: Buffer) => {
    out += d;
    if (output === undefined && out.includes('hi\n')) output = since();
  });
  child.stderr.on('data', (d: Buffer) => {
    err += d;
  });
  const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
  const exit = since();
  if (code !== 0 || output === undefined) throw new Error(`${argv.join(' ')} exited with ${code}, output ${JSON.stringify(out)}:\n${err}`);
  const importMs = /^import (\d+(?:\.\d+)?)$/m.exec(err)?.[1];
  return { output, exit, ...(importMs ? { importMs: Number(importMs) } : {}) };
}

type Row = { name: string; summary?: Summary; note?: string };

/** Rows for one contender: to output, to exit (each against `baseline`'s median if given), and import alone when reported. */
function rows(name: string, runs: ColdRun[], baseline?: ColdRun[]): Row[] {
  const row = (what: string, pick: (r: ColdRun) => number): Row => {
    const summary = summarise(runs.map(pick));
    if (!baseline) return { name: `${name}: ${what}`, summary };
    const ratio = summary.median / summarise(baseline.map(pick)).median;
    return { name: `${name}: ${what}`, summary, note: `${ratio.toFixed(2)}x docker run --rm` };
  };
  const imports = runs.flatMap((r) => (r.importMs === undefined ? [] : [r.importMs]));
  return [
    row('to output', (r) => r.output),
    row('to exit', (r) => r.exit),
    ...(imports.length > 0 ? [{ name: `${name}: import alone`, summary: summarise(imports) }] : []),
  ];
}

function dockerRunning(): boolean {
  return installed('docker') && spawnSync('docker', ['info'], { stdio: 'ignore' }).status === 0;
}

/** The Berth script: what a test file does, with its import timed. */
function berthScript(image: string): string {
  return `const begin = performance.now();
const { GenericContainer } = await import(${JSON.stringify(pathToFileURL(DIST).href)});
process.stderr.write(\`import \${(performance.now() - begin).toFixed(1)}\\n\`);
const container = await new GenericContainer(${JSON.stringify(image)}).withCommand(['echo', 'hi']).start();
await container.wait();
process.stdout.write(await container.output());
await container.stop();
`;
}

/** The same with testcontainers-node: started once its log shows the output (its logs() of an exited container may be empty). */
function testcontainersScript(image: string): string {
  const entry = pathToFileURL(createRequire(import.meta.url).resolve('testcontainers')).href;
  return `const begin = performance.now();
const { GenericContainer, Wait } = await import(${JSON.stringify(entry)});
process.stderr.write(\`import \${(performance.now() - begin).toFixed(1)}\\n\`);
const container = await new GenericContainer(${JSON.stringify(image)})
  .withCommand(['echo', 'hi'])
  .withWaitStrategy(Wait.forLogMessage('hi'))
  .start();
process.stdout.write('hi\\n');
await container.stop();
`;
}

const layout = join(FIXTURES, 'busybox');
if (!fs.existsSync(join(layout, 'index.json'))) throw new Error(`no busybox fixture at ${layout}: run bash test/fixtures/build-images.sh`);
if (!fs.existsSync(DIST)) execFileSync(process.execPath, ['scripts/build-dist.mjs'], { cwd: REPO, stdio: 'inherit' });
const work = fs.mkdtempSync(join(tmpdir(), 'berth-bench-cold-'));
const registry = await startRegistry();
const table: Row[] = [];
try {
  const image = `${registry.host}/library/busybox:latest`;
  await pushOciLayout(layout, image);
  const root = join(work, 'state');
  await new LocalEngine({ root }).pullImage(image);

  const berthFile = join(work, 'berth-echo.mjs');
  fs.writeFileSync(berthFile, berthScript(image));
  const berth = (grace: number) =>
    coldRun([process.execPath, berthFile], { ...process.env, BERTH_ROOT: root, BERTH_NETWORK_GRACE_MS: `${grace}` });
  const tcFile = join(work, 'testcontainers-echo.mjs');
  fs.writeFileSync(tcFile, testcontainersScript(image));
  const testcontainers = () => coldRun([process.execPath, tcFile], { ...process.env, TESTCONTAINERS_RYUK_DISABLED: 'true' });
  const docker = () => coldRun(['docker', 'run', '--rm', image, 'echo', 'hi']);
  let peersNote: string | undefined;
  if (!dockerRunning()) peersNote = 'no dockerd running (bash bench/start-dockerd.sh)';
  else if (spawnSync('docker', ['pull', '-q', image], { stdio: 'ignore' }).status !== 0) peersNote = `docker pull ${image} failed`;

  const runs = { made: [] as ColdRun[], kept: [] as ColdRun[], docker: [] as ColdRun[], testcontainers: [] as ColdRun[] };
  // Round by round, so that the machine's load weighs on every contender alike; round 0 is a warm-up.
  for (let round = 0; round <= RUNS; round++) {
    const keep = (into: ColdRun[], run: ColdRun): void => {
      if (round > 0) into.push(run);
    };
    if (!peersNote) keep(runs.docker, await docker());
    await berth(0); // Takes over the bridge the last round left lingering, and removes it.
    keep(runs.made, await berth(0)); // Makes the bridge, removes it at exit.
    await berth(LONG_GRACE_MS); // Makes it and leaves it to the reaper.
    keep(runs.kept, await berth(LONG_GRACE_MS)); // Takes it over, leaves it to the reaper again.
    if (!peersNote) keep(runs.testcontainers, await testcontainers());
  }
  await berth(0); // Nothing lingers after the bench.
  if (!peersNote) spawnSync('docker', ['rmi', '-f', image], { stdio: 'ignore' });

  const baseline = peersNote ? undefined : runs.docker;
  table.push(
    ...rows('berth, bridge kept', runs.kept, baseline),
    ...rows('berth, bridge made+removed', runs.made, baseline),
    ...(peersNote
      ? [{ name: 'docker run --rm, testcontainers-node', note: peersNote }]
      : [...rows('docker run --rm', runs.docker), ...rows('testcontainers-node', runs.testcontainers, baseline)]),
  );
} finally {
  await registry.stop();
  fs.rmSync(work, { recursive: true, force: true });
}
printTable(`Fresh node process (docker: the CLI) to a busybox container's "hi", default network (${RUNS} rounds, 1 warm-up, ms)`, table);
