import type { Engine } from '../../engine/api/index.js';
import { BerthError } from '../../errors.js';
import { AbstractStartedContainer } from '../abstract-started-container.js';
import { GenericContainer } from '../generic-container.js';
import type { StartedTestContainer } from '../test-container.js';
import { LogWaitStrategy } from '../wait/log-wait-strategy.js';

const REDIS_PORT = 6379;

/**
 * A Redis server, as testcontainers' `RedisContainer`: publishes 6379 and is
 * ready once the server logs "Ready to accept connections".
 *
 * ```ts
 * await using redis = await new RedisContainer('redis:7').withPassword('s3cret').start();
 * const client = createClient({ url: redis.getConnectionUrl() });
 * ```
 */
export class RedisContainer extends GenericContainer {
  #password: string | undefined;

  /** @param image an image whose command is `redis-server` (or that has it in PATH). */
  constructor(image = 'redis:7') {
    super(image);
    this.withExposedPorts(REDIS_PORT).withWaitStrategy(new LogWaitStrategy('Ready to accept connections'));
  }

  /**
   * Requires this password of clients. The server then runs as
   * `redis-server --requirepass <password>`, replacing the image's command.
   */
  withPassword(password: string): this {
    this.#password = password;
    return this.withCommand(['redis-server', '--requirepass', password]);
  }

  /** Starts the server; resolves once it accepts connections. */
  override async start(engine?: Engine): Promise<StartedRedisContainer> {
    return new StartedRedisContainer(await super.start(engine), this.#password);
  }
}

/** A running {@link RedisContainer}. */
export class StartedRedisContainer extends AbstractStartedContainer {
  /** @internal made by {@link RedisContainer.start}. */
  constructor(
    started: StartedTestContainer,
    private readonly password: string | undefined,
  ) {
    super(started);
  }

  /** The host port the server listens on. */
  getPort(): number {
    return this.getMappedPort(REDIS_PORT);
  }

  /** The password set with `withPassword`, if any. */
  getPassword(): string | undefined {
    return this.password;
  }

  /** `redis://host:port`, or `redis://:password@host:port` with a password. */
  getConnectionUrl(): string {
    const auth = this.password === undefined ? '' : `:${encodeURIComponent(this.password)}@`;
    return `redis://${auth}${this.getHost()}:${this.getPort()}`;
  }

  /**
   * Runs `redis-cli <command> <args…>` in the container (authenticated when
   * there is a password) and returns its output, e.g.
   * `executeCliCmd('get', ['key'])`. Throws when redis-cli fails.
   */
  async executeCliCmd(command: string, args: string[] = []): Promise<string> {
    const auth = this.password === undefined ? [] : ['-a', this.password, '--no-auth-warning'];
    const result = await this.exec(['redis-cli', ...auth, command, ...args]);
    if (result.exitCode !== 0) {
      throw new BerthError('REDIS_CLI_FAILED', `redis-cli ${command} exited with code ${result.exitCode}: ${result.output.trim()}`, {
        hint: 'check the command and its arguments against the Redis command reference',
      });
    }
    return result.stdout;
  }
}
