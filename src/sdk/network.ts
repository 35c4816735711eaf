import { randomBytes } from 'node:crypto';
import type { Engine, NetworkCreateOptions } from '../engine/api/index.js';
import { getEngine } from './engine-provider.js';

/**
 * A user network to start containers on; containers on it reach each other
 * by name and alias:
 *
 * ```ts
 * await using network = await new Network().start();
 * const db = await new GenericContainer(image).withNetwork(network).withNetworkAliases('db').start();
 * ```
 */
export class Network {
  readonly #options: NetworkCreateOptions & { name?: string };

  /** `name` defaults to a random `berth-net-…`; `icc: false` keeps its containers apart. */
  constructor(options: NetworkCreateOptions & { name?: string } = {}) {
    this.#options = options;
  }

  /** Creates the network (bridge, subnet, firewall rules). */
  async start(engine: Engine = getEngine()): Promise<StartedNetwork> {
    const name = this.#options.name ?? `berth-net-${randomBytes(4).toString('hex')}`;
    const { name: _name, ...options } = this.#options;
    const info = await engine.createNetwork(name, options);
    return new StartedNetwork(engine, info.Id, name);
  }
}

/** A network {@link Network.start} created. */
export class StartedNetwork implements AsyncDisposable {
  #stopped = false;

  constructor(
    private readonly engine: Engine,
    private readonly id: string,
    private readonly name: string,
  ) {}

  getId(): string {
    return this.id;
  }

  getName(): string {
    return this.name;
  }

  /** Removes the network (its containers must be stopped first); resolves to the stopped network, as in testcontainers. */
  async stop(): Promise<StoppedNetwork> {
    if (!this.#stopped) {
      await this.engine.removeNetwork(this.name);
      this.#stopped = true;
    }
    return new StoppedNetwork(this.id, this.name);
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.stop();
  }
}

/** What {@link StartedNetwork.stop} resolves to: the removed network's id and name. */
export class StoppedNetwork {
  /** @internal made by `stop()`. */
  constructor(
    private readonly id: string,
    private readonly name: string,
  ) {}

  getId(): string {
    return this.id;
  }

  getName(): string {
    return this.name;
  }
}
