/**
 * SDK start-to-ready: the Redis module on Berth beside testcontainers-node
 * (npm `testcontainers`) on dockerd, same image (the redis fixture, pushed to
 * a local registry and pulled by both), same readiness (the server's
 * "Ready to accept connections" line), port 6379 published. Both images are
 * warm before timing; each run is `start()` until it resolves, the removal
 * after it is not timed. Needs the fixture layouts (test/fixtures/build-images.sh)
 * and, for the peer, a dockerd (bash bench/start-dockerd.sh).
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pushOciLayout } from '../src/engine/image/push.js';
import { LocalEngine, RedisContainer } from '../src/index.js';
import { startRegistry } from '../test/support/registry.js';
import { installed } from './oci-runtime.js';
import { printTable, type Summary, summarise } from './stats.js';

const RUNS = Math.max(10, Number(process.env.BENCH_RUNS ?? 15));
const WARMUP = 2;
const FIXTURES = process.env.BERTH_FIXTURE_CACHE ?? '/var/cache/berth-fixtures';
const READY_LINE = 'Ready to accept connections';
// No Ryuk: its image would come from Docker Hub, and the bench removes what it starts.
process.env.TESTCONTAINERS_RYUK_DISABLED = 'true';

/** Times `start` RUNS times (after WARMUP untimed runs); `stop` runs untimed after each. */
async function startToReady<T>(start: () => Promise<T>, stop: (started: T) => Promise<void>): Promise<Summary> {
  const samples: number[] = [];
  for (let i = 0; i < WARMUP + RUNS; i++) {
    const begin = process.hrtime.bigint();
    const started = await start();
    const ms = Number(process.hrtime.bigint() - begin) / 1e6;
    await stop(started);
    if (i >= WARMUP) samples.push(ms);
  }
  return summarise(samples);
}

function dockerRunning(): boolean {
  return installed('docker') && spawnSync('docker', ['info'], { stdio: 'ignore' }).status === 0;
}

const layout = join(FIXTURES, 'redis');
if (!fs.existsSync(join(layout, 'index.json'))) throw new Error(`no redis fixture at ${layout}: run bash test/fixtures/build-images.sh`);
const work = fs.mkdtempSync(join(tmpdir(), 'berth-bench-sdk-'));
const registry = await startRegistry();
const rows: { name: string; summary?: Summary; note?: string }[] = [];
try {
  const image = `${registry.host}/library/redis:latest`;
  await pushOciLayout(layout, image);

  const engine = new LocalEngine({ root: join(work, 'state') });
  await engine.pullImage(image, { policy: 'missing' });
  const berth = await startToReady(
    () => new RedisContainer(image).start(engine),
    async (c) => {
      await c.stop();
    },
  );
  rows.push({ name: 'berth RedisContainer.start()', summary: berth });

  if (!dockerRunning()) rows.push({ name: 'testcontainers-node on dockerd', note: 'no dockerd running (bash bench/start-dockerd.sh)' });
  else if (spawnSync('docker', ['pull', '-q', image], { stdio: 'ignore' }).status !== 0) {
    rows.push({ name: 'testcontainers-node on dockerd', note: `docker pull ${image} failed` });
  } else {
    const tc = await import('testcontainers');
    const peer = await startToReady(
      () => new tc.GenericContainer(image).withExposedPorts(6379).withWaitStrategy(tc.Wait.forLogMessage(READY_LINE)).start(),
      async (c) => {
        await c.stop();
      },
    );
    rows.push({
      name: 'testcontainers GenericContainer.start()',
      summary: peer,
      note: `berth takes ${(berth.median / peer.median).toFixed(2)}x this`,
    });
    spawnSync('docker', ['rmi', '-f', image], { stdio: 'ignore' });
  }
} finally {
  await registry.stop();
  fs.rmSync(work, { recursive: true, force: true });
}
printTable(`Redis start to ready, port 6379 published (${RUNS} runs each, ${WARMUP} warm-up, ms)`, rows);
