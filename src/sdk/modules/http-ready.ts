import { BerthError } from '../../errors.js';
import { sdkHost, urlHost } from '../host.js';
import type { WaitContext, WaitStrategy } from '../wait/wait-strategy.js';
import { pollUntil } from './poll.js';

const POLL_MS = 50;

/**
 * Ready when an HTTP GET of `path` on the host port that publishes
 * `containerPort` answers 200. Until the server listens, the port's proxy
 * accepts and drops the connection, which counts as not ready.
 */
export class HttpOkWaitStrategy implements WaitStrategy {
  readonly description: string;

  constructor(
    private readonly containerPort: number,
    private readonly path = '/',
  ) {
    this.description = `HTTP 200 from GET ${path} on port ${containerPort}`;
  }

  async waitUntilReady({ engine, containerId, signal }: WaitContext): Promise<void> {
    const info = await engine.inspectContainer(containerId);
    const hostPort = info.NetworkSettings.Ports[`${this.containerPort}/tcp`]?.[0]?.HostPort;
    if (!hostPort) throw new BerthError('WAIT_FAILED', `container port ${this.containerPort}/tcp is not published`);
    const url = `http://${urlHost(sdkHost(engine))}:${hostPort}${this.path}`;
    await pollUntil(() => this.#isOk(url, signal), signal, POLL_MS);
  }

  async #isOk(url: string, signal: AbortSignal): Promise<boolean> {
    const { request } = await import('undici'); // At first use: most runs never wait on HTTP.
    // reset: no kept-alive socket to the container outlives the wait.
    const { statusCode, body } = await request(url, { signal, reset: true });
    await body.dump();
    return statusCode === 200;
  }
}
