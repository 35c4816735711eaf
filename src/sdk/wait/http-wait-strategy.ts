import type { Readable } from 'node:stream';
import type { Agent } from 'undici';
import { BerthError, InvalidSpecError } from '../../errors.js';
import { sdkHost, urlHost } from '../host.js';
import { parsePort } from '../ports.js';
import { AbstractWaitStrategy } from './abstract-wait-strategy.js';
import { mappedPort, pollUntil, runningInfo } from './poll.js';
import type { WaitContext } from './wait-strategy.js';

/** Options of {@link Wait.forHttp}. */
export interface HttpWaitOptions {
  /** Fail at once when the container stops (default true; false keeps polling until the timeout). */
  abortOnContainerExit?: boolean;
}

const DEFAULT_READ_TIMEOUT_MS = 1000;
/** The most of a body {@link HttpWaitStrategy.forResponsePredicate} predicates see, unless `withMaxBodyBytes` says otherwise. */
export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;

/**
 * Ready when an HTTP(S) request to the published port answers as expected:
 * status 200 unless status or response predicates are given (all must hold).
 * Each poll reads only what its checks need: without a response predicate
 * the body is not read at all (the connection is closed after the headers),
 * with one at most `withMaxBodyBytes` of it, so a large endpoint is not
 * downloaded on every poll. A poll gets `withReadTimeout` for everything:
 * connecting, the headers and the body it reads.
 */
export class HttpWaitStrategy extends AbstractWaitStrategy {
  readonly #port: string;
  #method = 'GET';
  #headers: Record<string, string> = {};
  #tls = false;
  #insecure = false;
  #readTimeoutMs = DEFAULT_READ_TIMEOUT_MS;
  #maxBodyBytes = DEFAULT_MAX_BODY_BYTES;
  readonly #statusChecks: ((status: number) => boolean)[] = [];
  readonly #bodyChecks: ((body: string) => boolean | Promise<boolean>)[] = [];
  #last = '';

  constructor(
    private readonly path: string,
    port: number | string,
    private readonly options: HttpWaitOptions = {},
  ) {
    super();
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

  /**
   * Ready when `predicate(body)` holds. The body is the first
   * `withMaxBodyBytes` bytes (1 MiB by default) as UTF-8: a longer one is cut
   * there, and the strategy's description (in a timeout's error) says so.
   */
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

  /**
   * How long one request may take (default 1 s): connecting, the response
   * headers and the part of the body it reads. A slower answer counts as not
   * ready, and the next poll asks again.
   */
  withReadTimeout(ms: number): this {
    this.#readTimeoutMs = ms;
    return this;
  }

  /** testcontainers' wording. */
  override timeoutMessage(timeoutMs: number): string {
    return `URL ${this.path} not accessible after ${timeoutMs}ms`;
  }

  /** The most of a body the response predicates get (default 1 MiB, {@link DEFAULT_MAX_BODY_BYTES}); the rest is not read. */
  withMaxBodyBytes(bytes: number): this {
    if (!Number.isSafeInteger(bytes) || bytes < 1) {
      throw new InvalidSpecError(
        `withMaxBodyBytes(${bytes}): not a whole number of bytes >= 1`,
        'pass how many bytes of the body the predicates need, e.g. 65536',
      );
    }
    this.#maxBodyBytes = bytes;
    return this;
  }

  async waitUntilReady(context: WaitContext): Promise<void> {
    const info = await runningInfo(context);
    if (!info) throw new BerthError('WAIT_FAILED', 'the container is not running');
    const url = `${this.#tls ? 'https' : 'http'}://${urlHost(sdkHost(context.engine))}:${mappedPort(info, this.#port)}${this.path}`;
    const undici = await import('undici'); // At first use: most runs never wait on HTTP.
    const dispatcher = new undici.Agent({ connect: { rejectUnauthorized: !this.#insecure, timeout: this.#readTimeoutMs } });
    this.#last = '';
    const attempt = (): Promise<boolean> => this.#attempt(undici.request, url, dispatcher, context.signal);
    try {
      await pollUntil(context, attempt, this.options.abortOnContainerExit ?? true);
    } finally {
      // destroy, not close: a poll given up on may still be connecting.
      await dispatcher.destroy();
    }
  }

  async #attempt(request: typeof import('undici').request, url: string, dispatcher: Agent, signal: AbortSignal): Promise<boolean> {
    const deadline = AbortSignal.timeout(this.#readTimeoutMs);
    let status: number | undefined;
    try {
      const response = await request(url, {
        method: this.#method as 'GET',
        headers: this.#headers,
        dispatcher,
        signal: AbortSignal.any([signal, deadline]),
      });
      status = response.statusCode;
      if (!this.#statusAccepted(status) || this.#bodyChecks.length === 0) {
        // Nothing needs the body: close the connection instead of downloading it.
        response.body.destroy();
        this.#last = `status ${status}`;
        return this.#statusAccepted(status);
      }
      const body = await readAtMost(response.body, this.#maxBodyBytes);
      // Only a finished poll says what it saw: one the startup deadline cut leaves the last one's.
      this.#last = `status ${status}${body.truncated ? `, body cut at ${this.#maxBodyBytes} bytes` : ''}`;
      for (const check of this.#bodyChecks) if (!(await check(body.text))) return false;
      return true;
    } catch (error) {
      // The startup deadline's own abort says nothing about the service.
      if (signal.aborted) return false;
      if (!deadline.aborted) this.#last = (error as Error).message;
      else if (status === undefined) this.#last = `no answer within ${this.#readTimeoutMs} ms`;
      else this.#last = `status ${status}, body not read within ${this.#readTimeoutMs} ms`;
      return false;
    }
  }

  #statusAccepted(status: number): boolean {
    if (this.#statusChecks.length === 0 && this.#bodyChecks.length === 0) return status === 200;
    return this.#statusChecks.every((c) => c(status));
  }
}

/**
 * The first `max` bytes of `body` as UTF-8, and whether there was more; the
 * rest is not read (the stream is destroyed, which closes the connection).
 */
async function readAtMost(body: Readable, max: number): Promise<{ text: string; truncated: boolean }> {
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of body) {
      chunks.push(chunk as Buffer);
      size += (chunk as Buffer).length;
      // One byte past the bound tells a cut body from one exactly `max` long.
      if (size > max) break;
    }
  } finally {
    body.destroy();
  }
  return { text: Buffer.concat(chunks).subarray(0, max).toString('utf8'), truncated: size > max };
}
