import * as net from 'node:net';
import { Readable } from 'node:stream';
import * as tls from 'node:tls';
import type { Pool } from 'undici';
import { type ApiSubject, apiError, DockerUnavailableError, daemonMessage } from './api-errors.js';
import { type DockerHost, describeHost } from './docker-host.js';

/** The oldest API version Berth's requests fit (Docker 20.10). */
export const MIN_API_VERSION = '1.41';
/** The newest API version Berth knows; a newer daemon is spoken to in this one. */
export const MAX_API_VERSION = '1.47';

/** Query parameters; arrays repeat the key, undefined values are left out. */
export type Query = Record<string, string | number | boolean | string[] | undefined>;

/** One request to the daemon. */
export interface ApiRequest {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE' | 'HEAD';
  path: string;
  query?: Query;
  /** JSON-encoded unless it is a stream or a Buffer. */
  body?: unknown;
  headers?: Record<string, string>;
  /** What the request is about, for the typed error of a failure. */
  subject?: ApiSubject;
  /** Statuses besides 2xx that are not errors (e.g. 304 of a stop of a stopped container). */
  accept?: number[];
}

/** A successful answer with its body still unread. */
export interface ApiResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Readable;
}

/** A hijacked connection (attach, exec start): raw bytes both ways. */
export interface Hijacked {
  socket: net.Socket;
  /** Bytes of the stream that arrived with the response head. */
  head: Buffer;
}

/**
 * HTTP to one Docker daemon over undici: the API version comes from
 * `/_ping` (the daemon's, capped at {@link MAX_API_VERSION}), every path is
 * prefixed with it, and failures become Berth's typed errors.
 */
export class DockerTransport {
  #pool: Promise<Pool> | undefined;
  #version: Promise<string> | undefined;

  constructor(readonly host: DockerHost) {}

  /**
   * The connection pool, made on first use: undici is loaded only then,
   * so importing Berth costs nothing for it when the local engine runs.
   */
  #connections(): Promise<Pool> {
    this.#pool ??= import('undici').then(({ Pool }) => {
      const { host } = this;
      const origin = host.kind === 'unix' ? 'http://docker' : `${host.tls ? 'https' : 'http'}://${formatHost(host.host)}:${host.port}`;
      return new Pool(origin, {
        ...(host.kind === 'unix' ? { socketPath: host.socketPath } : {}),
        ...(host.kind === 'tcp' && host.tls ? { connect: { ...host.tls, servername: tlsServername(host.host) } } : {}),
        // Waits, followed logs and pulls answer late and stream long.
        headersTimeout: 0,
        bodyTimeout: 0,
      });
    });
    return this.#pool;
  }

  /** The API version in use, negotiated once. */
  version(): Promise<string> {
    this.#version ??= this.#negotiate();
    this.#version.catch(() => {
      this.#version = undefined; // Try again next time: the daemon may come up.
    });
    return this.#version;
  }

  async #negotiate(): Promise<string> {
    const where = describeHost(this.host);
    let offered: string | undefined;
    let answer: { status: number; text: string };
    try {
      const res = await (await this.#connections()).request({ method: 'GET', path: '/_ping' });
      answer = { status: res.statusCode, text: await res.body.text() };
      const header = res.headers['api-version'];
      offered = Array.isArray(header) ? header[0] : header;
    } catch (error) {
      throw new DockerUnavailableError(`cannot reach the Docker daemon at ${where}: ${(error as Error).message}`, { cause: error });
    }
    if (answer.status !== 200) {
      // E.g. plain HTTP to a TLS port: Go answers 400 "Client sent an HTTP request to an HTTPS server".
      throw new DockerUnavailableError(`${where} answered /_ping with HTTP ${answer.status}: ${answer.text.trim().slice(0, 200)}`, {
        hint: 'check DOCKER_HOST, and set DOCKER_TLS_VERIFY and DOCKER_CERT_PATH if the daemon wants TLS',
      });
    }
    if (!offered) return MIN_API_VERSION; // Daemons older than 1.25 send none; the requests below then fail clearly.
    if (compareVersions(offered, MIN_API_VERSION) < 0) {
      throw new DockerUnavailableError(
        `the Docker daemon at ${describeHost(this.host)} speaks API ${offered}; Berth needs ${MIN_API_VERSION} or later`,
        {
          hint: 'upgrade Docker to 20.10 or later',
        },
      );
    }
    return compareVersions(offered, MAX_API_VERSION) > 0 ? MAX_API_VERSION : offered;
  }

  /** Sends a request; a non-2xx answer is thrown as a typed error carrying the daemon's message. */
  async request(req: ApiRequest): Promise<ApiResponse> {
    const path = `/v${await this.version()}${req.path}${queryString(req.query)}`;
    const { body, headers } = encodeBody(req.body);
    const pool = await this.#connections();
    const res = await pool.request({ method: req.method, path, body, headers: { ...headers, ...req.headers } }).catch((error: unknown) => {
      throw this.lost(error);
    });
    if (res.statusCode >= 300 && !req.accept?.includes(res.statusCode)) {
      throw apiError(res.statusCode, daemonMessage(await res.body.text()), req.subject ?? { kind: 'daemon' });
    }
    return { status: res.statusCode, headers: res.headers, body: res.body };
  }

  /** Sends a request and parses its JSON answer. */
  async json<T>(req: ApiRequest): Promise<T> {
    const res = await this.request(req);
    const text = await readText(res.body);
    return (text ? JSON.parse(text) : undefined) as T;
  }

  /** Sends a request and drops its answer. */
  async send(req: ApiRequest): Promise<void> {
    const res = await this.request(req);
    res.body.resume();
    await new Promise((resolve) => res.body.once('close', resolve).once('end', resolve));
  }

  /**
   * Sends a request that upgrades the connection (`Upgrade: tcp`), as the
   * daemon wants for attach and exec start, and hands over the raw socket.
   */
  async hijack(req: ApiRequest): Promise<Hijacked> {
    const path = `/v${await this.version()}${req.path}${queryString(req.query)}`;
    const body = req.body === undefined ? '' : JSON.stringify(req.body);
    const socket = await this.#connect().catch((error: unknown) => {
      throw this.lost(error);
    });
    const head = [
      `${req.method} ${path} HTTP/1.1`,
      'Host: docker',
      'Content-Type: application/json',
      `Content-Length: ${Buffer.byteLength(body)}`,
      'Connection: Upgrade',
      'Upgrade: tcp',
      '',
      '',
    ].join('\r\n');
    socket.write(head + body);
    const { status, rest } = await readResponseHead(socket);
    if (status !== 101 && status !== 200) {
      socket.destroy();
      const message = daemonMessage(rest.toString());
      throw apiError(status, message, req.subject ?? { kind: 'daemon' });
    }
    return { socket, head: rest };
  }

  #connect(): Promise<net.Socket> {
    const host = this.host;
    return new Promise((resolve, reject) => {
      const socket =
        host.kind === 'unix'
          ? net.connect(host.socketPath)
          : host.tls
            ? tls.connect({ host: host.host, port: host.port, ...host.tls, servername: tlsServername(host.host) })
            : net.connect(host.port, host.host);
      const ready = host.kind === 'tcp' && host.tls ? 'secureConnect' : 'connect';
      socket.once(ready, () => {
        socket.off('error', reject);
        resolve(socket);
      });
      socket.once('error', reject);
    });
  }

  /** The daemon went away (or never answered) in the middle of the conversation: the typed error saying so. */
  lost(error: unknown): DockerUnavailableError {
    if (error instanceof DockerUnavailableError) return error;
    return new DockerUnavailableError(`lost the Docker daemon at ${describeHost(this.host)}: ${(error as Error).message}`, {
      cause: error,
    });
  }

  /** Closes idle connections. */
  async close(): Promise<void> {
    await (await this.#pool)?.close();
  }
}

/** Compares dotted versions numerically: -1, 0 or 1. */
export function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return Math.sign(d);
  }
  return 0;
}

function formatHost(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

/** SNI takes names only; for an IP address the certificate's IP SAN is checked anyway. */
function tlsServername(host: string): string | undefined {
  return net.isIP(host) ? undefined : host;
}

function queryString(query: Query | undefined): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query ?? {})) {
    if (value === undefined) continue;
    for (const v of Array.isArray(value) ? value : [value]) params.append(key, typeof v === 'boolean' ? (v ? '1' : '0') : String(v));
  }
  const text = params.toString();
  return text ? `?${text}` : '';
}

type Body = string | Buffer | Readable | undefined;

function encodeBody(body: unknown): { body: Body; headers: Record<string, string> } {
  if (body === undefined) return { body: undefined, headers: {} };
  const tar = { 'content-type': 'application/x-tar' };
  if (Buffer.isBuffer(body) || body instanceof Readable) return { body, headers: tar };
  if (isAsyncIterable(body)) return { body: Readable.from(body), headers: tar };
  return { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } };
}

function isAsyncIterable(value: unknown): value is AsyncIterable<Buffer> {
  return typeof value === 'object' && value !== null && Symbol.asyncIterator in value;
}

async function readText(stream: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk as Buffer));
  return Buffer.concat(chunks).toString('utf8');
}

/** Reads up to the end of the response head; what follows it is the stream. */
function readResponseHead(socket: net.Socket): Promise<{ status: number; text: string; rest: Buffer }> {
  return new Promise((resolve, reject) => {
    let buffered = Buffer.alloc(0);
    const onData = (chunk: Buffer): void => {
      buffered = Buffer.concat([buffered, chunk]);
      const end = buffered.indexOf('\r\n\r\n');
      if (end < 0) return;
      socket.off('data', onData).off('error', reject);
      socket.pause();
      const text = buffered.subarray(0, end + 4).toString('latin1');
      const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(text)?.[1] ?? 0);
      resolve({ status, text, rest: buffered.subarray(end + 4) });
    };
    socket.on('data', onData).once('error', reject);
    socket.once('end', () => reject(new DockerUnavailableError('the Docker daemon closed the connection before answering')));
  });
}
