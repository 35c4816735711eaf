import type { Agent } from 'undici';
import { BerthError } from '../../errors.js';
import { parsePort } from '../ports.js';
import { mappedPort, pollUntil, runningInfo } from './poll.js';
import type { WaitContext, WaitStrategy } from './wait-strategy.js';

/** Options of {@link Wait.forHttp}. */
export interface HttpWaitOptions {
  /** Fail at once when the container stops (default true; false keeps polling until the timeout). */
  abortOnContainerExit?: boolean;
}

const DEFAULT_READ_TIMEOUT_MS = 1000;

/**
 * Ready when an HTTP(S) request to the published port answers as expected:
 * status 200 unless status or response predicates are given (all must hold).
 */
export class HttpWaitStrategy implements WaitStrategy {
  readonly #port: string;
  #method = 'GET';
  #headers: Record<string, string> = {};
  #tls = false;
  #insecure = false;
  #readTimeoutMs = DEFAULT_READ_TIMEOUT_MS;
  readonly #statusChecks: ((status: number) => boolean)[] = [];
  readonly #bodyChecks: ((body: string) => boolean | Promise<boolean>)[] = [];
  #last = '';

  constructor(
    private readonly path: string,
    port: number | string,
    private readonly options: HttpWaitOptions = {},
  ) {
    const { port: number, protocol } = parsePort(port);
    this.#port = `${number}/${protocol}`;
  }

  get description(): string {
    const url = `${this.#tls ? 'https' : 'http'} ${this.#method} ${this.path} on ${this.#port}`;
    return `${url}${this.#last ? ` (last: ${this.#last})` : ''}`;
  }

  /** Ready when the status is `code`. */
  forStatusCode(code: number): this {
    this.#statusChecks.push((status) => status === code);
    return this;
  }

  /** Ready when `predicate(status)` holds. */
  forStatusCodeMatching(predicate: (status: number) => boolean): this {
    this.#statusChecks.push(predicate);
    return this;
  }

  /** Ready when `predicate(body)` holds. */
  forResponsePredicate(predicate: (body: string) => boolean | Promise<boolean>): this {
    this.#bodyChecks.push(predicate);
    return this;
  }

  /** Request method (default GET). */
  withMethod(method: string): this {
    this.#method = method;
    return this;
  }

  /** Extra request headers. */
  withHeaders(headers: Record<string, string>): this {
    this.#headers = { ...this.#headers, ...headers };
    return this;
  }

  /** Sends `Authorization: Basic` with these credentials. */
  withBasicCredentials(username: string, password: string): this {
    return this.withHeaders({ Authorization: `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}` });
  }

  /** Speaks HTTPS. */
  usingTls(): this {
    this.#tls = true;
    return this;
  }

  /** Accepts any server certificate (self-signed ones in tests). */
  allowInsecure(): this {
    this.#insecure = true;
    return this;
  }

  /** How long one request may wait for the response (default 1 s); a slower answer counts as not ready. */
  withReadTimeout(ms: number): this {
    this.#readTimeoutMs = ms;
    return this;
  }

  async waitUntilReady(context: WaitContext): Promise<void> {
    const info = await runningInfo(context);
    if (!info) throw new BerthError('WAIT_FAILED', 'the container is not running');
    const url = `${this.#tls ? 'https' : 'http'}://127.0.0.1:${mappedPort(info, this.#port)}${this.path}`;
    const undici = await import('undici'); // At first use: most runs never wait on HTTP.
    const dispatcher = new undici.Agent({ connect: { rejectUnauthorized: !this.#insecure, timeout: this.#readTimeoutMs } });
    this.#last = '';
    const attempt = (): Promise<boolean> => this.#attempt(undici.request, url, dispatcher, context.signal);
    try {
      await pollUntil(context, attempt, this.options.abortOnContainerExit ?? true);
    } finally {
      await dispatcher.close();
    }
  }

  async #attempt(request: typeof import('undici').request, url: string, dispatcher: Agent, signal: AbortSignal): Promise<boolean> {
    try {
      const response = await request(url, {
        method: this.#method as 'GET',
        headers: this.#headers,
        dispatcher,
        signal,
        headersTimeout: this.#readTimeoutMs,
        bodyTimeout: this.#readTimeoutMs,
      });
      const body = await response.body.text();
      this.#last = `status ${response.statusCode}`;
      return this.#accepts(response.statusCode, body);
    } catch (error) {
      // The deadline's own abort says nothing about the service.
      if (!signal.aborted) this.#last = (error as Error).message;
      return false;
    }
  }

  async #accepts(status: number, body: string): Promise<boolean> {
    const statusOk =
      this.#statusChecks.length > 0 || this.#bodyChecks.length > 0 ? this.#statusChecks.every((c) => c(status)) : status === 200;
    if (!statusOk) return false;
    for (const check of this.#bodyChecks) if (!(await check(body))) return false;
    return true;
  }
}
