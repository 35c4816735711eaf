/**
 * What a user feels, through real clients (node-redis, pg, undici, curl),
 * three ways side by side: through Berth's published port (127.0.0.1, the
 * addon's splice relay), through docker-proxy (testcontainers-node on
 * dockerd, same fixture image pulled from a local registry), and straight to
 * the Berth container's own address (no proxy: the floor). Per server: start()
 * until the first reply, and 1,000 sequential requests over one connection;
 * for nginx also a 1 GiB download by curl. Needs the fixture layouts
 * (test/fixtures/build-images.sh) and, for the peer, a dockerd
 * (bash bench/start-dockerd.sh).
 */
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Engine } from '../src/engine/api/index.js';
import { pushOciLayout } from '../src/engine/image/push.js';
import { LocalEngine } from '../src/index.js';
import { startRegistry } from '../test/support/registry.js';
import { dockerPull, dockerRemoveImage } from './dockerd.js';
import { BIG_BYTES, BIG_PATH, nginx, postgres, redis, type Service, type Testcontainers } from './e2e-services.js';
import { printTable, type Summary, summarise } from './stats.js';

const execFileAsync = promisify(execFile);
const FIXTURES = process.env.BERTH_FIXTURE_CACHE ?? '/var/cache/berth-fixtures';
/** Timed starts per way and server (after one untimed per side); PostgreSQL's initdb makes each start seconds. */
const STARTS = Number(process.env.BENCH_E2E_STARTS ?? 3);
const REQUESTS = 1000;
/** The requests go in rounds, each way in turn, so drift in the machine's load hits all alike. */
const ROUNDS = 4;
const WARM_REQUESTS = 50;
const DOWNLOADS = 3;
// No Ryuk: its image would come from Docker Hub, and the bench removes what it starts.
process.env.TESTCONTAINERS_RYUK_DISABLED = 'true';

const PORT = 'berth 127.0.0.1:<port> (splice relay)';
const PROXY = 'testcontainers 127.0.0.1 (docker-proxy)';
const DIRECT = 'berth container IP (no proxy, floor)';

/** Where a client connects to reach a running server one way. */
interface Endpoint {
  way: string;
  host: string;
  port: number;
}

/** A running server and the ways to reach it. */
interface Running {
  endpoints: Endpoint[];
  exec(command: string[]): Promise<void>;
  stop(): Promise<void>;
}

/** Starts `service` on one side (Berth or testcontainers); resolves when start() does. */
type Side = (service: Service) => Promise<Running>;

/** Berth's side and, while it works, the peer's; `missing` says why a peer row is empty. */
interface Sides {
  berth: Side;
  peer?: Side;
  missing: string;
}

/** The peer failed (say, another job took dockerd's bridge away): its rows say so, the bench goes on. */
class PeerFailed extends Error {}

/** Pushes the fixture layout to the local registry and pulls it into Berth's store. */
async function pushFixture(registryHost: string, service: Service, engine: Engine): Promise<string> {
  const layout = join(FIXTURES, service.fixture);
  if (!fs.existsSync(join(layout, 'index.json')))
    throw new Error(`no ${service.fixture} fixture at ${layout}: run bash test/fixtures/build-images.sh`);
  const image = `${registryHost}/library/${service.fixture}:latest`;
  await pushOciLayout(layout, image);
  await engine.pullImage(image, { policy: 'missing' });
  return image;
}

function onBerth(engine: Engine, image: string): Side {
  return async (service) => {
    const c = await service.berth(image, engine);
    return {
      endpoints: [
        { way: PORT, host: '127.0.0.1', port: c.getMappedPort(service.port) },
        { way: DIRECT, host: c.getIpAddress('berth'), port: service.port },
      ],
      exec: (command) => execChecked(c, command),
      stop: async () => {
        await c.stop();
      },
    };
  };
}

function onPeer(tc: Testcontainers, image: string): Side {
  return async (service) => {
    const c = await service.peer(tc, image).catch((error: unknown) => {
      throw new PeerFailed(`testcontainers failed: ${String((error as Error).message ?? error).split('\n')[0]}`);
    });
    return {
      endpoints: [{ way: PROXY, host: '127.0.0.1', port: c.getMappedPort(service.port) }],
      exec: (command) => execChecked(c, command),
      stop: async () => {
        await c.stop();
      },
    };
  };
}

async function execChecked(
  c: { exec(command: string[]): Promise<{ exitCode: number; output: string }> },
  command: string[],
): Promise<void> {
  const { exitCode, output } = await c.exec(command);
  if (exitCode !== 0) throw new Error(`${command.join(' ')} exited with ${exitCode}: ${output}`);
}

/** The ways in table order, each with the side that serves it. */
function ways(sides: Sides): { way: string; side?: Side }[] {
  return [
    { way: PORT, side: sides.berth },
    { way: PROXY, side: sides.peer },
    { way: DIRECT, side: sides.berth },
  ];
}

function endpoint(running: Running, way: string): Endpoint {
  const found = running.endpoints.find((e) => e.way === way);
  if (!found) throw new Error(`no endpoint ${way}`);
  return found;
}

const ms = (since: bigint): number => Number(process.hrtime.bigint() - since) / 1e6;

/** start() until it resolves ("ready"), then connect and the first request ("first reply"). */
async function firstReply(service: Service, side: Side, way: string): Promise<{ ready: number; first: number }> {
  const begin = process.hrtime.bigint();
  const running = await side(service);
  const ready = ms(begin);
  try {
    const { host, port } = endpoint(running, way);
    const session = await service.open(host, port).catch((error: unknown) => {
      throw new Error(`${service.fixture}: connecting to ${host}:${port} (${way}) right after start() failed`, { cause: error });
    });
    await session.request();
    const first = ms(begin);
    await session.close();
    return { ready, first };
  } finally {
    await running.stop();
  }
}

async function benchFirstReply(service: Service, sides: Sides): Promise<void> {
  // Untimed, once per side: the first start of an image unpacks or caches things.
  await firstReply(service, sides.berth, PORT);
  if (sides.peer) await peerGoesOn(sides, () => firstReply(service, sides.peer as Side, PROXY));
  const samples = new Map<string, { ready: number[]; rest: number[]; first: number[] }>();
  for (let run = 0; run < STARTS; run++) {
    for (const { way, side } of ways(sides)) {
      if (!side) continue;
      const timed = way === PROXY ? await peerGoesOn(sides, () => firstReply(service, side, way)) : await firstReply(service, side, way);
      if (!timed) continue;
      const { ready, first } = timed;
      const s = samples.get(way) ?? { ready: [], rest: [], first: [] };
      s.ready.push(ready);
      s.rest.push(first - ready);
      s.first.push(first);
      samples.set(way, s);
    }
  }
  if (!sides.peer) samples.delete(PROXY);
  const peer = samples.get(PROXY);
  const rows = ways(sides).map(({ way }) => {
    const s = samples.get(way);
    if (!s) return { name: way, note: sides.missing };
    const first = summarise(s.first);
    const split = `ready ${summarise(s.ready).median.toFixed(0)} + first reply ${summarise(s.rest).median.toFixed(1)}`;
    return { name: way, summary: first, note: peer && way !== PROXY ? `${split}; ${ratio(first, summarise(peer.first))}` : split };
  });
  printTable(
    `${service.fixture}: start() until the first ${service.request} answers (${STARTS} runs each, ms; ready + the rest, medians)`,
    rows,
  );
}

/** How a row compares with docker-proxy's, in medians. */
function ratio(row: Summary, peer: Summary): string {
  return `${(row.median / peer.median).toFixed(2)}x docker-proxy`;
}

/** One server per side, then REQUESTS sequential requests over one connection per way, timed one by one. */
/** Runs a step of the peer's; on PeerFailed drops the peer (its rows say why) and resolves undefined. */
async function peerGoesOn<T>(sides: Sides, step: () => Promise<T>): Promise<T | undefined> {
  try {
    return await step();
  } catch (error) {
    if (!(error instanceof PeerFailed)) throw error;
    sides.peer = undefined;
    sides.missing = error.message;
    return undefined;
  }
}

async function benchRequests(service: Service, sides: Sides): Promise<void> {
  const servers: Running[] = [];
  try {
    const berth = await sides.berth(service);
    servers.push(berth);
    const peerSide = sides.peer;
    const peer = peerSide ? await peerGoesOn(sides, () => peerSide(service)) : undefined;
    if (peer) servers.push(peer);
    if (service.setup) for (const s of servers) await s.exec(service.setup);
    const endpoints = [endpoint(berth, PORT), ...(peer ? [endpoint(peer, PROXY)] : []), endpoint(berth, DIRECT)];
    const samples = await sequential(service, endpoints);
    printRequests(service, samples, sides.missing);
    if (service === nginx) await benchDownload(endpoints, sides.missing);
  } finally {
    for (const s of servers) await s.stop();
  }
}

async function sequential(service: Service, endpoints: Endpoint[]): Promise<Map<string, number[]>> {
  const sessions = await Promise.all(endpoints.map((e) => service.open(e.host, e.port)));
  const samples = new Map<string, number[]>(endpoints.map((e) => [e.way, []]));
  try {
    for (const s of sessions) for (let i = 0; i < WARM_REQUESTS; i++) await s.request();
    for (let round = 0; round < ROUNDS; round++) {
      for (const [i, s] of sessions.entries()) {
        const out = samples.get(endpoints[i]?.way ?? '') ?? [];
        for (let n = 0; n < REQUESTS / ROUNDS; n++) {
          const begin = process.hrtime.bigint();
          await s.request();
          out.push(ms(begin));
        }
      }
    }
  } finally {
    for (const s of sessions) await s.close();
  }
  return samples;
}

function printRequests(service: Service, samples: Map<string, number[]>, missing: string): void {
  const peer = samples.get(PROXY);
  const rows = [PORT, PROXY, DIRECT].map((way) => {
    const s = samples.get(way);
    if (!s) return { name: way, note: missing };
    const total = s.reduce((a, b) => a + b, 0);
    const vs = peer && way !== PROXY ? `; ${ratio(summarise(s), summarise(peer))}` : '';
    return { name: way, summary: summarise(s), note: `total ${total.toFixed(0)} ms${vs}` };
  });
  printTable(`${service.fixture}: ${REQUESTS} sequential ${service.request} over one connection (per request, µs)`, rows, 'µs');
}

/** MiB/s of one download of the big file by curl (its own process, like a user's client). */
async function download(e: Endpoint): Promise<number> {
  const args = ['-s', '-o', '/dev/null', '-w', '%{http_code} %{size_download} %{speed_download}', `http://${e.host}:${e.port}${BIG_PATH}`];
  const { stdout } = await execFileAsync('curl', args);
  const [code, size, speed] = stdout.split(' ').map(Number);
  if (code !== 200 || size !== BIG_BYTES) throw new Error(`download from ${e.way}: HTTP ${code}, ${size} bytes`);
  return (speed ?? 0) / 2 ** 20;
}

async function benchDownload(endpoints: Endpoint[], missing: string): Promise<void> {
  const rates = new Map<string, number[]>(endpoints.map((e) => [e.way, []]));
  for (let i = 0; i < DOWNLOADS; i++) for (const e of endpoints) rates.get(e.way)?.push(await download(e));
  const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
  const peer = rates.get(PROXY);
  console.log(`\nnginx: 1 GiB download by curl, one connection (MiB/s, median of ${DOWNLOADS})`);
  for (const way of [PORT, PROXY, DIRECT]) {
    const r = rates.get(way);
    const vs = r && peer && way !== PROXY ? `  ${(median(r) / median(peer)).toFixed(2)}x docker-proxy's rate` : '';
    console.log(`${way.padEnd(44)} ${r ? `${median(r).toFixed(0)} MiB/s`.padStart(12) : missing}${vs}`);
  }
}

const began = process.hrtime.bigint();
const work = fs.mkdtempSync(join(tmpdir(), 'berth-bench-e2e-'));
const registry = await startRegistry();
const pulled: string[] = [];
try {
  const engine = new LocalEngine({ root: join(work, 'state') });
  const images = new Map<Service, string>();
  const peerMissing = new Map<Service, string>();
  for (const service of [redis, postgres, nginx]) {
    const image = await pushFixture(registry.host, service, engine);
    images.set(service, image);
    const missing = dockerPull(image);
    if (missing) peerMissing.set(service, missing);
    else pulled.push(image);
  }
  const tc = peerMissing.size < images.size ? await import('testcontainers') : undefined;
  for (const [service, image] of images) {
    const sides: Sides = {
      berth: onBerth(engine, image),
      peer: tc && !peerMissing.has(service) ? onPeer(tc, image) : undefined,
      missing: peerMissing.get(service) ?? '',
    };
    await benchFirstReply(service, sides);
    await benchRequests(service, sides);
  }
} finally {
  for (const image of pulled) dockerRemoveImage(image);
  await registry.stop();
  fs.rmSync(work, { recursive: true, force: true });
}
console.log(`\ne2e: ${(ms(began) / 1000).toFixed(0)} s in all (load average ${loadavg()[0]?.toFixed(1)} at the end)`);
