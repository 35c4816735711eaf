/**
 * A fresh PostgreSQL per test: from a snapshot of an initialised server
 * (`snapshot.start()`), beside a fresh PostgreSqlContainer on Berth and
 * testcontainers-node's fresh container on dockerd (same image: the postgres
 * fixture, pushed to a local registry and pulled by both). Each run is the
 * start until `SELECT 1` answers through the published port, over a new `pg`
 * client (connecting again while that fails); closing the client and removing the container are not timed. The
 * snapshot's making (a clean shutdown, the commit, the restart) is timed
 * once. With `spares: 1` a container started ahead is handed over; its row
 * models tests that each run BENCH_TEST_BODY_MS (default 500 ms, not timed)
 * while the replacement starts. Needs the fixture layouts (test/fixtures/build-images.sh) and, for
 * the peer, a dockerd (bash bench/start-dockerd.sh).
 */
import pg from 'pg';
import { type ContainerSnapshot, PostgreSqlContainer, type StartedPostgreSqlContainer } from '../src/index.js';
import { dockerPull, dockerRemoveImage } from './dockerd.js';
import { fixtureBench, startToReady } from './peer.js';
import { printTable, type Summary, summarise } from './stats.js';

const RUNS = Math.max(10, Number(process.env.BENCH_RUNS ?? 15));
const WARMUP = 2;
const READY_LINE = 'database system is ready to accept connections';
const CREDENTIALS = { user: 'test', password: 'test', database: 'test' };
const RETRY_MS = 10;
const RETRY_FOR_MS = 10_000;
const SPARES = 1;
/** How long each test runs with its database in the spares row: time for the replacement to start meanwhile. */
const TEST_BODY_MS = Number(process.env.BENCH_TEST_BODY_MS ?? 500);

interface Answered<T> {
  container: T;
  client: pg.Client;
}

/**
 * Starts a container, then connects to `port(container)` and runs SELECT 1,
 * trying again every 10 ms for up to 10 s while the connection fails: a
 * port proxy may accept before the server behind it does, and every row
 * is timed until the same answer.
 */
async function answering<T>(start: () => Promise<T>, port: (container: T) => number): Promise<Answered<T>> {
  const container = await start();
  const deadline = Date.now() + RETRY_FOR_MS;
  for (;;) {
    const client = new pg.Client({ host: '127.0.0.1', port: port(container), ...CREDENTIALS });
    client.on('error', () => undefined); // A dropped idle connection must not end the bench.
    try {
      await client.connect();
      await client.query('SELECT 1');
      return { container, client };
    } catch (error) {
      await client.end().catch(() => undefined);
      if (Date.now() > deadline) throw error;
      await new Promise((r) => setTimeout(r, RETRY_MS));
    }
  }
}

/** A copy started from `snapshot`, answering SELECT 1. */
function copyAnswering(snapshot: ContainerSnapshot<StartedPostgreSqlContainer>): Promise<Answered<StartedPostgreSqlContainer>> {
  return answering(
    () => snapshot.start(),
    (c) => c.getPort(),
  );
}

async function done<T extends { stop(): Promise<unknown> }>({ container, client }: Answered<T>): Promise<void> {
  await client.end();
  await container.stop();
}

const { image, engine, close } = await fixtureBench('postgres');
const rows: { name: string; summary?: Summary; note?: string }[] = [];
try {
  await using original = await new PostgreSqlContainer(image).start(engine);
  const seed = new pg.Client({ connectionString: original.getConnectionUri() });
  await seed.connect();
  await seed.query("CREATE TABLE items (name text); INSERT INTO items VALUES ('anchor')");
  await seed.end();
  const begin = process.hrtime.bigint();
  await using snapshot = await original.snapshot();
  rows.push({ name: 'berth: making the snapshot (once)', summary: summarise([Number(process.hrtime.bigint() - begin) / 1e6]) });

  const fromSnapshot = await startToReady(RUNS, WARMUP, () => copyAnswering(snapshot), done);
  rows.push({ name: 'berth snapshot.start() + SELECT 1', summary: fromSnapshot });
  // With a spare: each test takes a container started ahead while the one before it ran (a test body of
  // TEST_BODY_MS, not timed), and the replacement starts in the background.
  await using spared = await original.snapshot({ spares: SPARES });
  await original.stop();
  const withSpare = await startToReady(
    RUNS,
    WARMUP,
    () => copyAnswering(spared),
    async (answered) => {
      await new Promise((r) => setTimeout(r, TEST_BODY_MS));
      await done(answered);
    },
  );
  rows.push({
    name: `berth snapshot({ spares: ${SPARES} }).start() + SELECT 1`,
    summary: withSpare,
    note: `tests ${TEST_BODY_MS} ms long`,
  });
  const fresh = await startToReady(
    RUNS,
    WARMUP,
    () =>
      answering(
        () => new PostgreSqlContainer(image).start(engine),
        (c) => c.getPort(),
      ),
    done,
  );
  rows.push({ name: 'berth PostgreSqlContainer.start() + SELECT 1', summary: fresh });

  const unavailable = dockerPull(image);
  if (unavailable) rows.push({ name: 'testcontainers-node on dockerd', note: unavailable });
  else {
    const tc = await import('testcontainers');
    const env = { POSTGRES_USER: CREDENTIALS.user, POSTGRES_PASSWORD: CREDENTIALS.password, POSTGRES_DB: CREDENTIALS.database };
    // dockerd's own failures (a network it lost) are the peer's row, not the end of the bench.
    try {
      const peer = await startToReady(
        RUNS,
        WARMUP,
        () =>
          answering(
            () =>
              new tc.GenericContainer(image)
                .withEnvironment(env)
                .withExposedPorts(5432)
                .withWaitStrategy(tc.Wait.forLogMessage(READY_LINE))
                .start(),
            (c) => c.getMappedPort(5432),
          ),
        done,
      );
      rows.push({
        name: 'testcontainers fresh container + SELECT 1',
        summary: peer,
        note: `the snapshot takes ${(fromSnapshot.median / peer.median).toFixed(2)}x this`,
      });
    } catch (error) {
      rows.push({ name: 'testcontainers fresh container + SELECT 1', note: `failed: ${(error as Error).message.split('\n')[0]}` });
    }
    dockerRemoveImage(image);
  }
} finally {
  await close();
}
printTable(`Fresh PostgreSQL until SELECT 1 answers on the published port (${RUNS} runs each, ${WARMUP} warm-up, ms)`, rows);
