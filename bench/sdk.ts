/**
 * SDK start-to-ready: the Redis module on Berth beside testcontainers-node
 * (npm `testcontainers`) on dockerd, same image (the redis fixture, pushed to
 * a local registry and pulled by both), same readiness (the server's
 * "Ready to accept connections" line), port 6379 published. Both images are
 * warm before timing; each run is `start()` until it resolves, the removal
 * after it is not timed. Needs the fixture layouts (test/fixtures/build-images.sh)
 * and, for the peer, a dockerd (bash bench/start-dockerd.sh).
 */
import { RedisContainer } from '../src/index.js';
import { dockerPull, dockerRemoveImage } from './dockerd.js';
import { fixtureBench, startToReady } from './peer.js';
import { printTable, type Summary } from './stats.js';

const RUNS = Math.max(10, Number(process.env.BENCH_RUNS ?? 15));
const WARMUP = 2;
const READY_LINE = 'Ready to accept connections';

const { image, engine, close } = await fixtureBench('redis');
const rows: { name: string; summary?: Summary; note?: string }[] = [];
try {
  const berth = await startToReady(
    RUNS,
    WARMUP,
    () => new RedisContainer(image).start(engine),
    async (c) => {
      await c.stop();
    },
  );
  rows.push({ name: 'berth RedisContainer.start()', summary: berth });

  const unavailable = dockerPull(image);
  if (unavailable) rows.push({ name: 'testcontainers-node on dockerd', note: unavailable });
  else {
    const tc = await import('testcontainers');
    const peer = await startToReady(
      RUNS,
      WARMUP,
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
    dockerRemoveImage(image);
  }
} finally {
  await close();
}
printTable(`Redis start to ready, port 6379 published (${RUNS} runs each, ${WARMUP} warm-up, ms)`, rows);
