/**
 * The servers BENCH=e2e measures through their real clients: how Berth's
 * module starts each, how testcontainers-node starts the same image on
 * dockerd with the same readiness, and the request a user would send.
 */
import pg from 'pg';
import { createClient } from 'redis';
import type { StartedTestContainer as PeerContainer } from 'testcontainers';
import { Client } from 'undici';
import type { Engine } from '../src/engine/api/index.js';
import { NginxContainer, PostgreSqlContainer, RedisContainer, type StartedTestContainer } from '../src/index.js';

/** testcontainers-node, imported only when a dockerd is there to drive. */
export type Testcontainers = typeof import('testcontainers');

/** One open client connection. */
export interface Session {
  /** One request and its reply, checked. */
  request(): Promise<void>;
  close(): Promise<void>;
}

/** A server image and the client that talks to it. */
export interface Service {
  /** The fixture image (test/fixtures/build-images.sh) it runs. */
  fixture: 'redis' | 'postgres' | 'nginx';
  /** What one request is, for table titles. */
  request: string;
  /** The container port clients connect to. */
  port: number;
  /** Run in the container before the steady-state requests (not timed). */
  setup?: string[];
  /** Starts it with Berth's module; resolves when the module says it is ready. */
  berth(image: string, engine: Engine): Promise<StartedTestContainer>;
  /** Starts it with testcontainers-node on dockerd, ready on the same signal. */
  peer(tc: Testcontainers, image: string): Promise<PeerContainer>;
  /** Connects a client (no request yet). */
  open(host: string, port: number): Promise<Session>;
}

function check(ok: boolean, what: string): void {
  if (!ok) throw new Error(`unexpected reply: ${what}`);
}

export const redis: Service = {
  fixture: 'redis',
  request: 'PING',
  port: 6379,
  berth: (image, engine) => new RedisContainer(image).start(engine),
  peer: (tc, image) =>
    new tc.GenericContainer(image).withExposedPorts(6379).withWaitStrategy(tc.Wait.forLogMessage('Ready to accept connections')).start(),
  async open(host, port) {
    const client = createClient({ socket: { host, port, reconnectStrategy: false } });
    client.on('error', () => undefined); // A failed request rejects; the bench reports that.
    await client.connect();
    return {
      request: async () => check((await client.ping()) === 'PONG', 'PING'),
      close: () => client.close(),
    };
  },
};

const PG_USER = { user: 'test', password: 'test', database: 'test' };

export const postgres: Service = {
  fixture: 'postgres',
  request: 'SELECT 1',
  port: 5432,
  berth: (image, engine) => new PostgreSqlContainer(image).start(engine),
  // The fixture's entrypoint prints this line once, when the server listens on TCP
  // (its init runs in single-user mode, silent): the earliest honest signal.
  peer: (tc, image) =>
    new tc.GenericContainer(image)
      .withEnvironment({ POSTGRES_USER: PG_USER.user, POSTGRES_PASSWORD: PG_USER.password, POSTGRES_DB: PG_USER.database })
      .withExposedPorts(5432)
      .withWaitStrategy(tc.Wait.forLogMessage('database system is ready to accept connections'))
      .start(),
  async open(host, port) {
    const client = new pg.Client({ host, port, ...PG_USER });
    await client.connect();
    return {
      request: async () => check((await client.query('SELECT 1 AS one')).rows[0]?.one === 1, 'SELECT 1'),
      close: () => client.end(),
    };
  },
};

/** The 1 GiB file: sparse, so it costs no disk and is read from zero pages. */
export const BIG_PATH = '/big';
export const BIG_BYTES = 2 ** 30;

export const nginx: Service = {
  fixture: 'nginx',
  request: 'GET /',
  port: 80,
  setup: ['truncate', '-s', String(BIG_BYTES), `/var/www/html${BIG_PATH}`],
  berth: (image, engine) => new NginxContainer(image).start(engine),
  peer: (tc, image) => new tc.GenericContainer(image).withExposedPorts(80).withWaitStrategy(tc.Wait.forHttp('/', 80)).start(),
  async open(host, port) {
    // One keep-alive connection, one request at a time.
    const client = new Client(`http://${host}:${port}`, { pipelining: 1 });
    return {
      async request() {
        // Debian's welcome page, 615 bytes.
        const { statusCode, body } = await client.request({ path: '/', method: 'GET' });
        check(statusCode === 200 && (await body.text()).includes('Welcome to nginx'), `GET / ${statusCode}`);
      },
      close: () => client.close(),
    };
  },
};
