/**
 * What the store keeps of the postgres fixture, and what that costs a push.
 *
 * Size: `du -sb` of a fresh state root after one pull, by default (layers
 * unpacked, each with its record and tar skeleton) and with `keepLayerBlobs`
 * (the compressed blobs as well, which every pull kept before), beside
 * Docker's share of /var/lib/docker for the same image (its overlay2 layer
 * dirs, layerdb entries with their tar-split, and config) when a dockerd runs
 * (`bash bench/start-dockerd.sh`).
 *
 * Time: a push of the pulled image to another repository of the same
 * registry (every blob is mounted), to a fresh registry (each layer is
 * rebuilt from its unpacked files, gzip-compressed and uploaded), and, from
 * the store that kept its blobs, to a fresh registry (the blobs are
 * uploaded), beside `docker push` of the same image to a fresh registry
 * (Docker keeps no blob either: it compresses each layer anew). Each run
 * gets a new target, made untimed.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pushOciLayout } from '../src/engine/image/push.js';
import { LocalEngine } from '../src/index.js';
import { type RegistryServer, startRegistry } from '../test/support/registry.js';
import { installed } from './oci-runtime.js';
import { printTable, type Summary, summarise } from './stats.js';

const RUNS = Math.max(1, Number(process.env.BENCH_RUNS ?? 3));
const FIXTURES = process.env.BERTH_FIXTURE_CACHE ?? '/var/cache/berth-fixtures';
const DOCKER_ROOT = '/var/lib/docker';
const MB = 1e6;

execFileSync('bash', ['test/fixtures/build-images.sh', 'postgres'], { stdio: ['ignore', 'ignore', 'inherit'] });
const registry = await startRegistry();
const image = `${registry.host}/library/postgres:latest`;
await pushOciLayout(join(FIXTURES, 'postgres'), image);
const work = fs.mkdtempSync(join(tmpdir(), 'berth-bench-disk-'));

/** Bytes below `paths` as `du -sb` counts them (each inode once). */
function du(...paths: string[]): number {
  const out = execFileSync('du', ['-sbc', ...paths], { encoding: 'utf8' });
  return Number(/(\d+)\s+total\s*$/.exec(out)?.[1] ?? Number.NaN);
}

/** A store with the image pulled into it. */
async function pulled(name: string, keepLayerBlobs: boolean): Promise<{ engine: LocalEngine; root: string }> {
  const root = join(work, name);
  const engine = new LocalEngine({ root, config: { insecureRegistries: [], registryMirrors: {}, keepLayerBlobs } });
  await engine.pullImage(image);
  return { engine, root };
}

/** Times a push of `engine`'s image to a target `makeTarget` gives (untimed) for each run; run 0 warms up. */
async function timePushes(engine: LocalEngine, makeTarget: (run: number) => Promise<string>): Promise<Summary> {
  const samples: number[] = [];
  for (let run = 0; run <= RUNS; run++) {
    const target = await makeTarget(run);
    spawnSync('sync');
    const start = process.hrtime.bigint();
    await engine.pushImage(image, { target });
    if (run > 0) samples.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  return summarise(samples);
}

/** Times `docker push` of the pulled image to a fresh registry per run; run 0 warms up. */
async function timeDockerPushes(): Promise<Summary> {
  const samples: number[] = [];
  try {
    for (let run = 0; run <= RUNS; run++) {
      const target = await freshRegistry();
      execFileSync('docker', ['tag', image, target]);
      spawnSync('sync');
      const start = process.hrtime.bigint();
      execFileSync('docker', ['push', '-q', target], { stdio: 'ignore' });
      if (run > 0) samples.push(Number(process.hrtime.bigint() - start) / 1e6);
      spawnSync('docker', ['rmi', target], { stdio: 'ignore' });
    }
  } finally {
    spawnSync('docker', ['rmi', '-f', image], { stdio: 'ignore' });
  }
  return summarise(samples);
}

/** Docker's bytes for `ref`: its layers' overlay2 dirs and layerdb entries, and its config. */
function dockerBytes(ref: string): number {
  const inspect = JSON.parse(execFileSync('docker', ['image', 'inspect', ref], { encoding: 'utf8' }))[0];
  const layerdb = join(DOCKER_ROOT, 'image/overlay2/layerdb/sha256');
  const paths = [join(DOCKER_ROOT, 'image/overlay2/imagedb/content/sha256', inspect.Id.slice(7))];
  let chain = '';
  for (const diffId of inspect.RootFS.Layers as string[]) {
    chain = chain ? `sha256:${createHash('sha256').update(`${chain} ${diffId}`).digest('hex')}` : diffId;
    const entry = join(layerdb, chain.slice(7));
    paths.push(entry, join(DOCKER_ROOT, 'overlay2', fs.readFileSync(join(entry, 'cache-id'), 'utf8').trim()));
  }
  return du(...paths);
}

let fresh: RegistryServer | undefined;
/** A new registry per run (the last one stopped), so that nothing is there to skip or mount. */
const freshRegistry = async (): Promise<string> => {
  await fresh?.stop();
  fresh = await startRegistry();
  return `${fresh.host}/bench/postgres:latest`;
};

const sizes: string[] = [];
const rows: { name: string; summary?: Summary; note?: string }[] = [];
try {
  const lean = await pulled('default', false);
  const kept = await pulled('keep-blobs', true);
  const blobs = (root: string): number => du(join(root, 'blobs'));
  sizes.push(`berth store, default: ${(du(lean.root) / MB).toFixed(1)} MB (blobs/: ${(blobs(lean.root) / MB).toFixed(2)} MB)`);
  sizes.push(`berth store, keepLayerBlobs: ${(du(kept.root) / MB).toFixed(1)} MB (blobs/: ${(blobs(kept.root) / MB).toFixed(2)} MB)`);
  const docker = installed('docker') && spawnSync('docker', ['info'], { stdio: 'ignore' }).status === 0;
  if (docker) {
    spawnSync('docker', ['rmi', '-f', image], { stdio: 'ignore' });
    execFileSync('docker', ['pull', '-q', image], { stdio: 'ignore' });
    sizes.push(`docker pull (overlay2 + layerdb + config): ${(dockerBytes(image) / MB).toFixed(1)} MB`);
  } else sizes.push('docker pull: no dockerd running (bash bench/start-dockerd.sh)');

  rows.push({
    name: 'push to another repo, same registry (mount)',
    summary: await timePushes(lean.engine, async (run) => `${registry.host}/bench/mounted-${run}:latest`),
  });
  rows.push({ name: 'push to a fresh registry (rebuild+gzip)', summary: await timePushes(lean.engine, freshRegistry) });
  rows.push({ name: 'push to a fresh registry (kept blobs)', summary: await timePushes(kept.engine, freshRegistry) });
  if (docker) rows.push({ name: 'docker push to a fresh registry', summary: await timeDockerPushes() });
  else rows.push({ name: 'docker push', note: 'no dockerd running (bash bench/start-dockerd.sh)' });
} finally {
  await fresh?.stop();
  await registry.stop();
  fs.rmSync(work, { recursive: true, force: true });
}

console.log('\nstore size after pulling the postgres fixture (2 layers, 146 MB compressed)');
for (const line of sizes) console.log(`  ${line}`);
printTable(`push of the pulled postgres fixture (${RUNS} runs, ms)`, rows);
