/**
 * SDK start-to-ready, three ways in one run, same image (the redis fixture,
 * pushed to a local registry and pulled by each), same readiness (the
 * server's "Ready to accept connections" line), port 6379 published:
 * Berth's `RedisContainer` on the local engine, the same module on
 * `DockerEngine` over the system dockerd, and testcontainers-node
 * (npm `testcontainers`) on that dockerd. Each start is timed until it
 * resolves ("ready") and until a first PING through the published port
 * answers PONG (a raw RESP round trip on a fresh connection: no client
 * library's own start-up in the figure). The three go in turn each round, in
 * every order by turns, so drift in the machine's load hits all alike; images are warm before timing
 * and the removal after each start is not timed. Needs the fixture layouts
 * (test/fixtures/build-images.sh) and, for the dockerd rows, a dockerd
 * (bash bench/start-dockerd.sh).
 */
import * as net from 'node:net';
import { setTimeout } from 'node:timers/promises';
import { DockerEngine, type Engine, RedisContainer } from '../src/index.js';
import { dockerPull, dockerRemoveImage } from './dockerd.js';
import { fixtureBench } from './peer.js';
import { printTable, type Summary, summarise } from './stats.js';

const RUNS = Math.max(10, Number(process.env.BENCH_RUNS ?? 18));
const WARMUP = 2;
const READY_LINE = 'Ready to accept connections';
const SETTLE_MS = 300;

/** A started server: where its published port is, and how to remove it. */
interface Running {
  host: string;
  port: number;
  stop(): Promise<void>;
}

/** One way of starting Redis, and its samples. */
interface Way {
  name: string;
  start(): Promise<Running>;
  ready: number[];
  ping: number[];
}

/** One PING on a new connection to `host:port`; resolves on `+PONG`. */
function ping(host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, host);
    let reply = '';
    socket.setEncoding('latin1');
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.on('data', (chunk: string) => {
      reply += chunk;
      if (!reply.includes('\r\n')) return;
      socket.destroy();
      if (reply.startsWith('+PONG')) resolve();
      else reject(new Error(`redis answered PING with ${JSON.stringify(reply)}`));
    });
    socket.once('error', reject);
    socket.once('close', () => reject(new Error(`redis at ${host}:${port} closed before answering PING`)));
  });
}

/** Every order of `items`. */
function permutations<T>(items: T[]): T[][] {
  if (items.length <= 1) return [items];
  return items.flatMap((first, i) => permutations([...items.slice(0, i), ...items.slice(i + 1)]).map((rest) => [first, ...rest]));
}

const ms = (since: bigint): number => Number(process.hrtime.bigint() - since) / 1e6;

/** One timed start of `way`: until start() resolves, then until the first PING answers; removal untimed. */
async function once(way: Way, record: boolean): Promise<void> {
  const begin = process.hrtime.bigint();
  const running = await way.start();
  const ready = ms(begin);
  try {
    await ping(running.host, running.port);
    const first = ms(begin);
    if (record) {
      way.ready.push(ready);
      way.ping.push(first);
    }
  } finally {
    await running.stop();
    // Untimed: what a removal leaves running in the background (the local engine's trash, dockerd's
    // endpoint and proxy teardown) ends before the next start, whichever way that is.
    await setTimeout(SETTLE_MS);
  }
}

function berthWay(name: string, image: string, engine: Engine): Way {
  return {
    name,
    ready: [],
    ping: [],
    async start() {
      const c = await new RedisContainer(image).start(engine);
      return { host: c.getHost(), port: c.getPort(), stop: async () => void (await c.stop()) };
    },
  };
}

const { image, engine, close } = await fixtureBench('redis');
const ways: Way[] = [berthWay('berth, local engine', image, engine)];
const missing: { name: string; note: string }[] = [];
let docker: DockerEngine | undefined;
try {
  const unavailable = dockerPull(image);
  if (unavailable) {
    missing.push(
      { name: 'berth, DockerEngine on dockerd', note: unavailable },
      { name: 'testcontainers-node on dockerd', note: unavailable },
    );
  } else {
    docker = new DockerEngine();
    ways.push(berthWay('berth, DockerEngine on dockerd', image, docker));
    const tc = await import('testcontainers');
    ways.push({
      name: 'testcontainers-node on dockerd',
      ready: [],
      ping: [],
      async start() {
        const c = await new tc.GenericContainer(image).withExposedPorts(6379).withWaitStrategy(tc.Wait.forLogMessage(READY_LINE)).start();
        return { host: c.getHost(), port: c.getMappedPort(6379), stop: async () => void (await c.stop()) };
      },
    });
  }
  // Each round takes the next order of all the ways' orders, so each way follows each other alike
  // often (a rotation would put one after the local engine's background cleanup two rounds in three).
  const orders = permutations(ways);
  for (let round = 0; round < WARMUP + RUNS; round++) {
    for (const way of orders[round % orders.length] as Way[]) await once(way, round >= WARMUP);
  }
} finally {
  await docker?.close();
  if (docker) dockerRemoveImage(image);
  await close();
}

const peer = ways.find((w) => w.name.startsWith('testcontainers'));
const versus = (samples: number[], of: (w: Way) => number[]): string | undefined =>
  peer && !ways.every((w) => w === peer)
    ? `${(summarise(samples).median / summarise(of(peer)).median).toFixed(2)}x testcontainers`
    : undefined;
const rows = (of: (w: Way) => number[]): { name: string; summary?: Summary; note?: string }[] => [
  ...ways.map((w) => ({
    name: w.name,
    summary: summarise(of(w)),
    ...(w !== peer && peer ? { note: versus(of(w), of) } : {}),
  })),
  ...missing,
];
printTable(
  `Redis start() until ready, port 6379 published (${RUNS} runs each, ${WARMUP} warm-up, ms)`,
  rows((w) => w.ready),
);
printTable(
  `Redis start() until the first PING answers through the published port (${RUNS} runs each, ms)`,
  rows((w) => w.ping),
);
