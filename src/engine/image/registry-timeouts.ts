import { Agent, type Dispatcher } from 'undici';
import { RegistryTimeoutError } from '../../errors.js';
import type { RegistryTimeouts } from '../config.js';

/** What `registryTimeouts` is when the config leaves a field out. */
export const DEFAULT_REGISTRY_TIMEOUTS: Readonly<Required<RegistryTimeouts>> = {
  connectMs: 10_000,
  headersMs: 30_000,
  bodyIdleMs: 30_000,
  bodyMinBytesPerSec: 1024,
};

/** Names the server a request went to (its `host:port`) for error messages, e.g. `registry 127.0.0.1:5000`. */
export type ServerLabel = (host: string) => string;

// One connection pool per set of limits, shared by every client of this process.
const agents = new Map<string, Agent>();

/**
 * A dispatcher for registry requests that bounds every step (connect,
 * response headers, body) and fails a stalled request with a
 * {@link RegistryTimeoutError} naming `label(host)` and the step.
 */
export function timedDispatcher(timeouts: RegistryTimeouts | undefined, label: ServerLabel): Dispatcher {
  const limits = { ...DEFAULT_REGISTRY_TIMEOUTS, ...timeouts };
  const key = `${limits.connectMs}/${limits.headersMs}/${limits.bodyIdleMs}`;
  let agent = agents.get(key);
  if (!agent) {
    agent = new Agent({ connect: { timeout: limits.connectMs }, headersTimeout: limits.headersMs, bodyTimeout: limits.bodyIdleMs });
    agents.set(key, agent);
  }
  return agent.compose(
    (dispatch) => (opts, handler) =>
      dispatch(opts, new StallGuard(handler, limits, label(new URL(String(opts.origin)).host), requestLine(opts))),
  );
}

/**
 * Passes a request's events through, turning undici's timeouts into a
 * {@link RegistryTimeoutError}, and catches what undici's idle timer cannot:
 * a body that trickles (a byte a second keeps an idle timer happy forever).
 * Every `bodyIdleMs` it looks at what came in that window; a window in which
 * the reader held the body back (backpressure: unpacking, disk) is not judged,
 * since the server was not the slow one.
 */
class StallGuard implements Dispatcher.DispatchHandler {
  #window: NodeJS.Timeout | undefined;
  #bytes = 0;
  #heldBack = false;

  constructor(
    private readonly inner: Dispatcher.DispatchHandler,
    private readonly limits: Required<RegistryTimeouts>,
    private readonly server: string,
    private readonly request: { line: string; upload: boolean },
  ) {}

  onRequestStart(controller: Dispatcher.DispatchController, context: unknown): void {
    this.inner.onRequestStart?.(controller, context);
  }

  onRequestUpgrade(...args: Parameters<NonNullable<Dispatcher.DispatchHandler['onRequestUpgrade']>>): void {
    this.inner.onRequestUpgrade?.(...args);
  }

  onResponseStart(
    controller: Dispatcher.DispatchController,
    status: number,
    headers: Parameters<NonNullable<Dispatcher.DispatchHandler['onResponseStart']>>[2],
    message?: string,
  ): void {
    this.inner.onResponseStart?.(controller, status, headers, message);
    if (this.limits.bodyMinBytesPerSec > 0) {
      this.#window = setInterval(() => this.#judgeWindow(controller), this.limits.bodyIdleMs).unref();
    }
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    this.#bytes += chunk.length;
    this.inner.onResponseData?.(controller, chunk);
    if (controller.paused) this.#heldBack = true;
  }

  onResponseEnd(
    controller: Dispatcher.DispatchController,
    trailers: Parameters<NonNullable<Dispatcher.DispatchHandler['onResponseEnd']>>[1],
  ): void {
    clearInterval(this.#window);
    this.inner.onResponseEnd?.(controller, trailers);
  }

  onResponseError(controller: Dispatcher.DispatchController, error: Error): void {
    clearInterval(this.#window);
    this.inner.onResponseError?.(controller, this.#translate(error));
  }

  #judgeWindow(controller: Dispatcher.DispatchController): void {
    const judged = !this.#heldBack && !controller.paused;
    const bytes = this.#bytes;
    this.#bytes = 0;
    this.#heldBack = false;
    const { bodyIdleMs, bodyMinBytesPerSec } = this.limits;
    if (!judged || bytes >= (bodyMinBytesPerSec * bodyIdleMs) / 1000) return;
    const detail =
      bytes === 0
        ? `reading the body: nothing came for ${bodyIdleMs} ms`
        : `reading the body: ${bytes} bytes in ${bodyIdleMs} ms, slower than ${bodyMinBytesPerSec} bytes/s`;
    controller.abort(new RegistryTimeoutError(this.server, 'body', this.request.line, detail));
  }

  #translate(error: Error): Error {
    const { connectMs, headersMs, bodyIdleMs } = this.limits;
    const stall = (step: 'connect' | 'upload' | 'headers' | 'body', detail: string): Error =>
      new RegistryTimeoutError(this.server, step, this.request.line, detail);
    switch ((error as { code?: string }).code) {
      case 'UND_ERR_CONNECT_TIMEOUT':
        return stall('connect', `connecting: no connection within ${connectMs} ms`);
      case 'UND_ERR_HEADERS_TIMEOUT':
        // undici's headers timer also runs while the body is sent, and restarts with each chunk written.
        return this.request.upload
          ? stall('upload', `sending the body or waiting for the answer: nothing within ${headersMs} ms`)
          : stall('headers', `waiting for the answer: no response headers within ${headersMs} ms`);
      case 'UND_ERR_BODY_TIMEOUT':
        return stall('body', `reading the body: nothing came for ${bodyIdleMs} ms`);
      default:
        return error;
    }
  }
}

/** `GET /v2/…/blobs/sha256:…` (no query: upload URLs carry long state tokens), and whether it sends a body. */
function requestLine(opts: Dispatcher.DispatchOptions): { line: string; upload: boolean } {
  const body = opts.body;
  const upload = body != null && !((typeof body === 'string' || Buffer.isBuffer(body)) && body.length === 0);
  return { line: `${opts.method} ${opts.path.split('?')[0]}`, upload };
}
