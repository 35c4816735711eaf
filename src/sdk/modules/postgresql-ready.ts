import { LogWaitStrategy } from '../wait/log-wait-strategy.js';
import type { WaitContext, WaitStrategy } from '../wait/wait-strategy.js';
import { pollUntil } from './poll.js';
import type { PostgreSqlCredentials } from './postgresql-container.js';

/** What the server logs once it accepts connections. */
export const READY_LINE = 'database system is ready to accept connections';
const POLL_MS = 50;

/**
 * Ready when the server has logged its ready line and then answers on TCP.
 * The log line alone is not enough: the official image first runs a
 * temporary server for its init scripts that prints the same line but
 * listens only on a unix socket. `pg_isready -h 127.0.0.1` reaches only the
 * real server.
 */
export class PostgreSqlReadyWaitStrategy implements WaitStrategy {
  readonly description: string;

  /** @param credentials read when the wait begins, so later `withUsername`/`withDatabase` calls count. */
  constructor(private readonly credentials: Pick<PostgreSqlCredentials, 'username' | 'database'>) {
    this.description = `log message "${READY_LINE}", then pg_isready over TCP`;
  }

  async waitUntilReady(context: WaitContext): Promise<void> {
    await new LogWaitStrategy(READY_LINE).waitUntilReady(context);
    const { engine, containerId, signal } = context;
    const cmd = ['pg_isready', '-q', '-h', '127.0.0.1', '-p', '5432', '-U', this.credentials.username, '-d', this.credentials.database];
    await pollUntil(async () => (await engine.execContainer(containerId, { cmd })).exitCode === 0, signal, POLL_MS);
  }
}
