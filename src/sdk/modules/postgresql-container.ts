import type { Engine } from '../../engine/api/index.js';
import { AbstractStartedContainer } from '../abstract-started-container.js';
import type { ContainerSnapshot, SnapshotOptions } from '../container-snapshot.js';
import { GenericContainer } from '../generic-container.js';
import type { StartedTestContainer } from '../test-container.js';
import { LogWaitStrategy } from '../wait/log-wait-strategy.js';
import { PostgreSqlReadyWaitStrategy, READY_LINE } from './postgresql-ready.js';

const POSTGRES_PORT = 5432;

/** Who and what a started PostgreSQL server was initialised with. */
export interface PostgreSqlCredentials {
  database: string;
  username: string;
  password: string;
}

/**
 * A PostgreSQL server, as testcontainers' `PostgreSqlContainer`: the image
 * initialises a database and user from `POSTGRES_DB`, `POSTGRES_USER` and
 * `POSTGRES_PASSWORD` (each `test` unless set) and publishes 5432.
 *
 * ```ts
 * await using pg = await new PostgreSqlContainer('postgres:15').withDatabase('app').start();
 * const client = new pg.Client({ connectionString: pg.getConnectionUri() });
 * ```
 */
export class PostgreSqlContainer extends GenericContainer {
  readonly #credentials: PostgreSqlCredentials = { database: 'test', username: 'test', password: 'test' };

  /** @param image an image that handles `POSTGRES_*` as the official one does. */
  constructor(image = 'postgres:15') {
    super(image);
    this.withExposedPorts(POSTGRES_PORT).withWaitStrategy(new PostgreSqlReadyWaitStrategy(this.#credentials));
  }

  /** The database created at start (default `test`). */
  withDatabase(database: string): this {
    this.#credentials.database = database;
    return this;
  }

  /** The user created at start, owner of the database (default `test`). */
  withUsername(username: string): this {
    this.#credentials.username = username;
    return this;
  }

  /** The user's password (default `test`). */
  withPassword(password: string): this {
    this.#credentials.password = password;
    return this;
  }

  /** Starts the server; resolves once it accepts TCP connections. */
  override async start(engine?: Engine): Promise<StartedPostgreSqlContainer> {
    return new StartedPostgreSqlContainer(await super.start(engine), { ...this.#credentials });
  }

  /** Hands the credentials to the image's initialisation, as `POSTGRES_*` variables. */
  protected override async beforeContainerCreated(): Promise<void> {
    const { database, username, password } = this.#credentials;
    this.withEnvironment({ POSTGRES_DB: database, POSTGRES_USER: username, POSTGRES_PASSWORD: password });
  }

  /**
   * A snapshot's server starts on a data directory that is set up already:
   * no init scripts run and no temporary server prints the ready line first,
   * so the line alone says it accepts connections (no pg_isready round).
   */
  protected override snapshotBuilder(image: string): PostgreSqlContainer {
    const { database, username, password } = this.#credentials;
    const builder = this.copySettingsTo(
      new PostgreSqlContainer(image).withDatabase(database).withUsername(username).withPassword(password),
    );
    return builder.withWaitStrategy(new LogWaitStrategy(READY_LINE));
  }
}

/** A running {@link PostgreSqlContainer}. */
export class StartedPostgreSqlContainer extends AbstractStartedContainer {
  readonly #credentials: PostgreSqlCredentials;

  /** @internal made by {@link PostgreSqlContainer.start}. */
  constructor(started: StartedTestContainer, credentials: PostgreSqlCredentials) {
    super(started);
    this.#credentials = credentials;
  }

  /** The host port the server listens on. */
  getPort(): number {
    return this.getMappedPort(POSTGRES_PORT);
  }

  /** The database created at start. */
  getDatabase(): string {
    return this.#credentials.database;
  }

  /** The user created at start. */
  getUsername(): string {
    return this.#credentials.username;
  }

  /** The user's password. */
  getPassword(): string {
    return this.#credentials.password;
  }

  /**
   * Snapshots the server's files for fresh copies of the database as it is
   * now (tables, rows, roles): the server is shut down cleanly first (its
   * stop signal, SIGINT: a fast shutdown), so a copy starts without crash
   * recovery, then started again (its port may change). Each
   * `start()` of the snapshot gives a {@link StartedPostgreSqlContainer}
   * with the same database, user and password.
   */
  override async snapshot(options: SnapshotOptions = {}): Promise<ContainerSnapshot<StartedPostgreSqlContainer>> {
    return (await super.snapshot({ quiesce: 'stop', ...options })) as ContainerSnapshot<StartedPostgreSqlContainer>;
  }

  /** `postgres://user:password@host:port/database`, user and password URL-encoded. */
  getConnectionUri(): string {
    const { database, username, password } = this.#credentials;
    const auth = `${encodeURIComponent(username)}:${encodeURIComponent(password)}`;
    return `postgres://${auth}@${this.getHost()}:${this.getPort()}/${encodeURIComponent(database)}`;
  }
}
