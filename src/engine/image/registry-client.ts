import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import pRetry, { AbortError } from 'p-retry';
import { type Dispatcher, request } from 'undici';
import { DigestMismatchError, ImageNotFoundError, RegistryError, RegistryTimeoutError } from '../../errors.js';
import type { RegistryCredentials } from '../api/index.js';
import type { RegistryTimeouts } from '../config.js';
import { sha256Digest } from './blob-store.js';
import { MANIFEST_ACCEPT } from './manifest.js';
import { isInsecureByDefault, registryApiHost } from './reference.js';
import { LOGIN_HINT, parseChallenge, RegistryAuth } from './registry-auth.js';
import { timedDispatcher } from './registry-timeouts.js';

/** How to reach one registry. */
export interface RegistryClientOptions {
  /** Speak plain HTTP. Default: only for localhost and loopback addresses. */
  insecure?: boolean;
  /** Base URL to use instead of the registry's own (a mirror); its scheme wins over `insecure`. */
  endpoint?: string;
  credentials?: RegistryCredentials;
  /** Attempts after the first on network errors, 5xx and 429. Default 4. */
  retries?: number;
  /** Wait before the first retry, tripled for each next one (at most 5 s). Default 100 ms. */
  retryDelayMs?: number;
  /** How long a request may stall at each step (defaults: README "Configuration"). */
  timeouts?: RegistryTimeouts;
}

/** A manifest as fetched: raw bytes (digests are over these), type and digest. */
export interface FetchedManifest {
  bytes: Buffer;
  mediaType: string;
  digest: string;
}

type Method = 'GET' | 'HEAD' | 'PUT' | 'POST' | 'PATCH';

interface SendOptions {
  method: Method;
  scope: string;
  headers?: Record<string, string>;
  body?: Buffer | Readable;
  /** Whether the body can be sent again (streams cannot). */
  replayable?: boolean;
}

const MAX_REDIRECTS = 5;
/** Longest `Retry-After` honoured; a registry asking for more gets this. */
const MAX_RETRY_AFTER_MS = 30_000;
const USER_AGENT = 'berth/0.1';

/**
 * A client for the OCI distribution API of one registry: pings, manifests and
 * blobs, with Bearer/Basic auth, redirects and retries on transient failures.
 */
export class RegistryClient {
  readonly #base: string;
  readonly #auth: RegistryAuth;
  readonly #retries: number;
  readonly #retryDelayMs: number;
  readonly #dispatcher: Dispatcher;

  /** Base URL requests go to. */
  get endpoint(): string {
    return this.#base;
  }

  constructor(
    readonly registry: string,
    options: RegistryClientOptions = {},
  ) {
    const scheme = (options.insecure ?? isInsecureByDefault(registry)) ? 'http' : 'https';
    this.#base = options.endpoint ?? `${scheme}://${registryApiHost(registry)}`;
    const apiHost = registryApiHost(registry);
    const forRegistry = (host: string): string => (host === apiHost ? `registry ${registry}` : `${host} (for registry ${registry})`);
    this.#dispatcher = timedDispatcher(options.timeouts, forRegistry);
    const tokenDispatcher = timedDispatcher(options.timeouts, (host) => `token server ${host} for registry ${registry}`);
    this.#auth = new RegistryAuth(this.#base, options.credentials, tokenDispatcher);
    this.#retries = options.retries ?? 4;
    this.#retryDelayMs = options.retryDelayMs ?? 100;
  }

  /**
   * Fetches a manifest or index by tag or digest, verifying it against the
   * digest asked for, and against the `Docker-Content-Digest` the registry
   * sent (all a pull by tag has to check it by).
   */
  async getManifest(repository: string, reference: string): Promise<FetchedManifest> {
    return this.#retry(async () => {
      const res = await this.#send(`/v2/${repository}/manifests/${reference}`, {
        method: 'GET',
        scope: pullScope(repository),
        headers: { accept: MANIFEST_ACCEPT },
      });
      if (res.statusCode === 404) {
        await res.body.dump();
        throw new AbortError(new ImageNotFoundError(`${this.registry}/${repository}:${reference}`, 'manifest unknown'));
      }
      await expectOk(res, `manifest ${repository}:${reference}`);
      const bytes = Buffer.from(await res.body.arrayBuffer());
      const digest = sha256Digest(bytes);
      if (reference.startsWith('sha256:') && digest !== reference) {
        throw new DigestMismatchError(reference, digest, `manifest ${repository}`);
      }
      checkSentDigest(headerValue(res.headers['docker-content-digest']), bytes, `manifest ${repository}:${reference}`);
      const mediaType =
        headerValue(res.headers['content-type']) ?? (JSON.parse(bytes.toString()) as { mediaType?: string }).mediaType ?? '';
      return { bytes, mediaType: mediaType.split(';')[0]?.trim() ?? '', digest };
    });
  }

  /**
   * Opens a blob for reading, asking for the bytes from `offset` on (to
   * resume). `start` is where the body really starts: 0 when the registry (or
   * a proxy) ignored the range and sends the whole blob. The caller consumes
   * the stream; `size` is the body's length when known.
   */
  async openBlob(repository: string, digest: string, offset = 0): Promise<{ body: Readable; start: number; size: number | undefined }> {
    return this.#retry(async () => {
      const headers: Record<string, string> = offset > 0 ? { range: `bytes=${offset}-` } : {};
      const res = await this.#send(`/v2/${repository}/blobs/${digest}`, { method: 'GET', scope: pullScope(repository), headers });
      if (res.statusCode === 404) {
        await res.body.dump();
        throw new AbortError(new ImageNotFoundError(`${this.registry}/${repository}@${digest}`, 'blob unknown'));
      }
      await expectOk(res, `blob ${digest}`);
      const length = headerValue(res.headers['content-length']);
      return { body: res.body, start: res.statusCode === 206 ? offset : 0, size: length === undefined ? undefined : Number(length) };
    });
  }

  /** Whether the registry already has a blob (so a push can skip it). */
  async hasBlob(repository: string, digest: string): Promise<boolean> {
    return this.#retry(async () => {
      const res = await this.#send(`/v2/${repository}/blobs/${digest}`, { method: 'HEAD', scope: pushScope(repository) });
      await res.body.dump();
      if (res.statusCode === 404) return false;
      await expectOk(res, `blob ${digest}`);
      return true;
    });
  }

  /** Uploads a blob monolithically (POST then PUT with the digest). */
  async uploadBlob(repository: string, digest: string, open: () => Readable | Buffer, size: number): Promise<void> {
    await this.#retry(async () => {
      const start = await this.#send(`/v2/${repository}/blobs/uploads/`, { method: 'POST', scope: pushScope(repository) });
      await expectStatus(start, 202, `starting upload of ${digest}`);
      await start.body.dump();
      const location = new URL(headerValue(start.headers.location) ?? '', this.#base);
      location.searchParams.set('digest', digest);
      const body = open();
      const put = await this.#send(location.toString(), {
        method: 'PUT',
        scope: pushScope(repository),
        headers: { 'content-type': 'application/octet-stream', 'content-length': String(size) },
        body,
        replayable: Buffer.isBuffer(body),
      });
      await expectStatus(put, 201, `uploading ${digest}`);
      await put.body.dump();
    });
  }

  /**
   * Asks the registry to link a blob it already holds in repository `from`
   * into `repository` without uploading (cross-repository mount). False
   * when it will not (it then opened an ordinary upload, which is abandoned).
   */
  async mountBlob(repository: string, digest: string, from: string): Promise<boolean> {
    return this.#retry(async () => {
      const query = `mount=${encodeURIComponent(digest)}&from=${encodeURIComponent(from)}`;
      const res = await this.#send(`/v2/${repository}/blobs/uploads/?${query}`, { method: 'POST', scope: pushScope(repository) });
      await res.body.dump();
      if (res.statusCode === 201) return true;
      if (res.statusCode === 202) return false;
      return failure(res, `mounting ${digest} from ${from}`);
    });
  }

  /** Stores a manifest under a tag or digest; returns its digest. */
  async putManifest(repository: string, reference: string, bytes: Buffer, mediaType: string): Promise<string> {
    return this.#retry(async () => {
      const res = await this.#send(`/v2/${repository}/manifests/${reference}`, {
        method: 'PUT',
        scope: pushScope(repository),
        headers: { 'content-type': mediaType },
        body: bytes,
        replayable: true,
      });
      await expectStatus(res, 201, `manifest ${repository}:${reference}`);
      await res.body.dump();
      return headerValue(res.headers['docker-content-digest']) ?? sha256Digest(bytes);
    });
  }

  async #send(pathOrUrl: string, options: SendOptions): Promise<Dispatcher.ResponseData> {
    let url = new URL(pathOrUrl, this.#base);
    let auth = this.#auth.headerFor(options.scope);
    let answeredChallenge = false;
    for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
      const sameHost = url.host === new URL(this.#base).host;
      const headers: Record<string, string> = { 'user-agent': USER_AGENT, ...options.headers };
      // Credentials go only to the registry itself, never to a redirect target (e.g. object storage).
      if (auth && sameHost) headers.authorization = auth;
      const res = await request(url, {
        method: options.method,
        headers,
        body: options.body ?? null,
        dispatcher: this.#dispatcher,
      }).catch((cause: unknown) => {
        throw cause instanceof RegistryTimeoutError ? cause : unreachable(this.registry, url, cause);
      });
      if (res.statusCode === 401 && sameHost && !answeredChallenge) {
        const challenge = parseChallenge(headerValue(res.headers['www-authenticate']));
        await res.body.dump();
        if (!challenge) throw new AbortError(new RegistryError(`registry ${this.registry} refused access (401)`, 401));
        if (options.body && !options.replayable) throw new RegistryError('authentication needed mid-upload', 401);
        // A token server that is down for a moment is retried like the registry; a refusal is final.
        auth = await this.#auth.answer(challenge, options.scope).catch((e: unknown) => {
          throw isTransient(e) ? e : new AbortError(e as Error);
        });
        answeredChallenge = true;
        hop--;
        continue;
      }
      if ([301, 302, 303, 307, 308].includes(res.statusCode) && options.method !== 'PUT') {
        await res.body.dump();
        url = new URL(headerValue(res.headers.location) ?? '', url);
        continue;
      }
      if ((res.statusCode === 401 || res.statusCode === 403) && sameHost && !this.#auth.hasCredentials) {
        await res.body.dump();
        const what = `${options.method} ${url.pathname}`;
        throw new AbortError(
          new RegistryError(`registry ${this.registry} refused anonymous access (${res.statusCode} to ${what})`, res.statusCode, {
            hint: LOGIN_HINT,
          }),
        );
      }
      return res;
    }
    throw new RegistryError(`too many redirects fetching ${pathOrUrl}`, undefined);
  }

  #retry<T>(operation: () => Promise<T>): Promise<T> {
    return pRetry(operation, {
      retries: this.#retries,
      minTimeout: this.#retryDelayMs,
      maxTimeout: Math.max(this.#retryDelayMs, 5000),
      factor: 3,
      randomize: true,
      shouldRetry: ({ error }) => isTransient(error),
      onFailedAttempt: async ({ error, retriesLeft }) => {
        // The registry said how long to back off; the last failure is not waited for.
        const wait = (error as RetryAfter).retryAfterMs;
        if (wait && retriesLeft > 0 && isTransient(error)) await new Promise((r) => setTimeout(r, Math.min(wait, MAX_RETRY_AFTER_MS)));
      },
    });
  }
}

interface RetryAfter {
  retryAfterMs?: number;
}

/**
 * Dropped connections, stalls, 5xx, 429 and digest mismatches are worth
 * another try. A refused connection is not: nothing listens there, and
 * retrying would only delay the error (or the fallback to the next mirror).
 */
export function isTransient(error: unknown): boolean {
  if (error instanceof DigestMismatchError || error instanceof RegistryTimeoutError) return true;
  if (error instanceof RegistryError && error.status !== undefined) return error.status >= 500 || error.status === 429;
  const cause = error instanceof RegistryError ? error.cause : error;
  const code = (cause as { code?: string } | undefined)?.code ?? '';
  return code.startsWith('UND_ERR') || ['ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EAI_AGAIN'].includes(code);
}

function unreachable(registry: string, url: URL, cause: unknown): RegistryError {
  const code = (cause as { code?: string }).code ?? (cause as Error).message;
  return new RegistryError(`cannot reach registry ${registry} at ${url.origin}: ${code}`, undefined, {
    cause,
    hint:
      url.protocol === 'https:'
        ? 'check that the registry runs and is reachable; a plain-HTTP registry must be listed in insecureRegistries'
        : 'check that the registry runs and is reachable from this machine',
  });
}

/** Throws when the registry's `Docker-Content-Digest` (sha256 or sha512) is not the digest of `bytes`. */
function checkSentDigest(sent: string | undefined, bytes: Buffer, what: string): void {
  const algorithm = sent?.split(':')[0];
  if (!sent || (algorithm !== 'sha256' && algorithm !== 'sha512')) return; // None, or one no registry uses: nothing to check by.
  const actual = `${algorithm}:${createHash(algorithm).update(bytes).digest('hex')}`;
  if (actual !== sent) throw new DigestMismatchError(sent, actual, what);
}

function pullScope(repository: string): string {
  return `repository:${repository}:pull`;
}

function pushScope(repository: string): string {
  return `repository:${repository}:pull,push`;
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

async function expectOk(res: Dispatcher.ResponseData, what: string): Promise<void> {
  if (res.statusCode >= 200 && res.statusCode < 300) return;
  await failure(res, what);
}

async function expectStatus(res: Dispatcher.ResponseData, status: number, what: string): Promise<void> {
  if (res.statusCode === status) return;
  await failure(res, what);
}

async function failure(res: Dispatcher.ResponseData, what: string): Promise<never> {
  const text = (await res.body.text().catch(() => '')).slice(0, 300);
  const error = new RegistryError(`${what}: registry answered ${res.statusCode} ${text}`.trim(), res.statusCode, {
    hint: res.statusCode === 401 || res.statusCode === 403 ? 'check the registry credentials and repository permissions' : undefined,
  });
  const retryAfter = retryAfterMs(headerValue(res.headers['retry-after']));
  if ((res.statusCode === 429 || res.statusCode === 503) && retryAfter !== undefined) (error as RetryAfter).retryAfterMs = retryAfter;
  throw error;
}

/** `Retry-After` as milliseconds from now: delay-seconds or an HTTP date. */
function retryAfterMs(value: string | undefined): number | undefined {
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(seconds, 0) * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(date - Date.now(), 0);
}
