import type { ContainerSpec, Engine, PortBinding } from '../engine/engine.js';
import { getEngine } from './engine-provider.js';
import type { StartedNetwork } from './network.js';
import { type ExposedPort, toPortBinding } from './ports.js';
import { PullPolicy } from './pull-policy.js';
import { StartedGenericContainer } from './started-container.js';
import { waitForReady } from './wait/wait-for-ready.js';
import type { WaitStrategy } from './wait/wait-strategy.js';

const DEFAULT_STARTUP_TIMEOUT_MS = 60_000;

/**
 * A container to start, configured fluently as in testcontainers:
 *
 * ```ts
 * const c = await new GenericContainer('127.0.0.1:5000/library/busybox:latest')
 *   .withCommand(['sh', '-c', 'echo hello'])
 *   .start();
 * ```
 */
export class GenericContainer {
  protected readonly spec: ContainerSpec;
  protected pullPolicy = PullPolicy.defaultPolicy();
  protected waitStrategy: WaitStrategy | undefined;
  protected startupTimeoutMs = DEFAULT_STARTUP_TIMEOUT_MS;
  protected platform: string | undefined;

  /** @param image an image reference, e.g. `busybox`, `127.0.0.1:5000/library/busybox:1.36`. */
  constructor(image: string) {
    this.spec = { image };
  }

  /** Replaces the image's command (Docker's Cmd). */
  withCommand(command: string[]): this {
    this.spec.command = [...command];
    return this;
  }

  /** Replaces the image's entrypoint; the image's command is dropped, as Docker does. */
  withEntrypoint(entrypoint: string[]): this {
    this.spec.entrypoint = [...entrypoint];
    return this;
  }

  /** Adds environment variables (overriding the image's). */
  withEnvironment(env: Record<string, string>): this {
    this.spec.env = { ...this.spec.env, ...env };
    return this;
  }

  /** Names the container; names are unique on the machine. */
  withName(name: string): this {
    this.spec.name = name;
    return this;
  }

  /** Sets the container's hostname (default: the first 12 characters of its id). */
  withHostname(hostname: string): this {
    this.spec.hostname = hostname;
    return this;
  }

  /** Sets the working directory of the command; created if missing. */
  withWorkingDir(dir: string): this {
    this.spec.workingDir = dir;
    return this;
  }

  /** Adds labels to the container. */
  withLabels(labels: Record<string, string>): this {
    this.spec.labels = { ...this.spec.labels, ...labels };
    return this;
  }

  /**
   * Limits memory (in GiB, as testcontainers takes it) and CPUs (a fraction
   * or number of CPUs) through the container's cgroup.
   */
  withResourcesQuota(quota: { memory?: number; cpu?: number }): this {
    this.spec.resources = {
      ...this.spec.resources,
      ...(quota.memory ? { memory: Math.round(quota.memory * 1024 ** 3) } : {}),
      ...(quota.cpu ? { nanoCpus: Math.round(quota.cpu * 1e9) } : {}),
    };
    return this;
  }

  /**
   * Publishes container ports on the host: `8080`, `"53/udp"`, or
   * `{ container: 8080, host: 18080 }` for a fixed host port. Without a host
   * port Berth picks a free one; read it with `getMappedPort`.
   */
  withExposedPorts(...ports: ExposedPort[]): this {
    const bindings: PortBinding[] = ports.map(toPortBinding);
    this.spec.ports = [...(this.spec.ports ?? []), ...bindings];
    return this;
  }

  /** Starts the container on a user network (its primary network). */
  withNetwork(network: StartedNetwork): this {
    return this.withNetworkMode(network.getName());
  }

  /** `bridge` (default), `host`, `none`, or a network's name. */
  withNetworkMode(mode: string): this {
    const aliases = this.#aliases();
    this.spec.networkMode = mode;
    if (aliases.length > 0) this.spec.networks = { [mode]: { aliases } };
    return this;
  }

  /** More names peers on the container's user network resolve to it. */
  withNetworkAliases(...aliases: string[]): this {
    const mode = this.spec.networkMode ?? 'bridge';
    this.spec.networks = { ...this.spec.networks, [mode]: { aliases: [...this.#aliases(), ...aliases] } };
    return this;
  }

  /** Extra /etc/hosts lines, like `docker run --add-host`. */
  withExtraHosts(hosts: { host: string; ipAddress: string }[]): this {
    this.spec.extraHosts = [...(this.spec.extraHosts ?? []), ...hosts];
    return this;
  }

  #aliases(): string[] {
    return this.spec.networks?.[this.spec.networkMode ?? 'bridge']?.aliases ?? [];
  }

  /** How to tell the container is ready; `start()` resolves only then. */
  withWaitStrategy(strategy: WaitStrategy): this {
    this.waitStrategy = strategy;
    return this;
  }

  /** How long `start()` waits for readiness (default 60 s) before it fails and removes the container. */
  withStartupTimeout(ms: number): this {
    this.startupTimeoutMs = ms;
    return this;
  }

  /** Chooses when the image is pulled (default: when missing). */
  withPullPolicy(policy: PullPolicy): this {
    this.pullPolicy = policy;
    return this;
  }

  /** Picks the image variant for `os/arch[/variant]` from a multi-platform image. */
  withPlatform(platform: string): this {
    this.platform = platform;
    return this;
  }

  /**
   * Pulls the image if needed, creates and starts the container. If anything
   * fails, what was made is removed before the error is thrown.
   */
  async start(engine: Engine = getEngine()): Promise<StartedGenericContainer> {
    const image = await engine.pullImage(this.spec.image, {
      policy: this.pullPolicy.name,
      ...(this.platform ? { platform: this.platform } : {}),
    });
    const id = await engine.createContainer({ ...this.spec, image: image.id });
    try {
      await engine.startContainer(id);
      if (this.waitStrategy) await waitForReady(engine, id, this.waitStrategy, this.startupTimeoutMs);
      const info = await engine.inspectContainer(id);
      return new StartedGenericContainer(engine, id, info.Name.replace(/^\//, ''), this.spec, info.NetworkSettings);
    } catch (error) {
      await engine.removeContainer(id, { force: true }).catch(() => undefined);
      throw error;
    }
  }
}
