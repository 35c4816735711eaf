import { createHash } from 'node:crypto';
import { type Dispatcher, request } from 'undici';
import { RegistryError } from '../../errors.js';
import type { RegistryCredentials } from '../api/index.js';

/** What to do when a registry wants credentials and has none. */
export const LOGIN_HINT =
  'log in: pass credentials (withRegistryCredentials() in the SDK, or the credentials option), or run `docker login <registry>` so the Docker config has them';

/** A parsed `WWW-Authenticate` challenge. */
export interface AuthChallenge {
  scheme: 'bearer' | 'basic';
  params: Record<string, string>;
}

interface CachedToken {
  header: string;
  expiresAt: number;
}

/** Parses `Bearer realm="…",service="…",scope="…"` (or `Basic realm="…"`). */
export function parseChallenge(header: string | undefined): AuthChallenge | undefined {
  if (!header) return undefined;
  const space = header.indexOf(' ');
  const scheme = header.slice(0, space === -1 ? undefined : space).toLowerCase();
  if (scheme !== 'bearer' && scheme !== 'basic') return undefined;
  const params: Record<string, string> = {};
  for (const m of header.slice(space + 1).matchAll(/([a-zA-Z_]+)="([^"]*)"/g)) {
    if (m[1] && m[2] !== undefined) params[m[1].toLowerCase()] = m[2];
  }
  return { scheme, params };
}

/**
 * Bearer tokens of this process by registry, identity and scope: every pull
 * and push (each has its own client) reuses a token until it expires, instead
 * of asking the token server again.
 */
const tokens = new Map<string, CachedToken>();

/**
 * Answers registry auth challenges: Basic with the given credentials, Bearer
 * by fetching a token from the realm (anonymously or with credentials) and
 * reusing it per scope until it expires.
 */
export class RegistryAuth {
  readonly #identity: string;
  #basic: string | undefined;

  /**
   * `endpoint`: the base URL requests go to (a mirror has tokens of its own);
   * `dispatcher`: what token requests go through (it bounds their stalls).
   */
  constructor(
    endpoint: string,
    private readonly credentials: RegistryCredentials | undefined,
    private readonly dispatcher?: Dispatcher,
  ) {
    // Keyed by a hash of the credentials: other credentials must not get this identity's tokens.
    const who = credentials ? createHash('sha256').update(`${credentials.username}\0${credentials.password}`).digest('hex') : '';
    this.#identity = `${endpoint}\0${who}`;
  }

  /** Whether there are credentials to log in with (else access is anonymous). */
  get hasCredentials(): boolean {
    return this.credentials !== undefined;
  }

  /** The Authorization header to send for `scope`, if one is known. */
  headerFor(scope: string): string | undefined {
    const key = `${this.#identity}\0${scope}`;
    const cached = tokens.get(key);
    if (cached && cached.expiresAt > Date.now()) return cached.header;
    if (cached) tokens.delete(key);
    return this.#basic;
  }

  /** Handles a 401 challenge for `scope`; returns the header to retry with. */
  async answer(challenge: AuthChallenge, scope: string): Promise<string> {
    if (challenge.scheme === 'basic') {
      if (!this.credentials) {
        throw new RegistryError('registry requires a username and password', 401, { hint: LOGIN_HINT });
      }
      this.#basic = basicHeader(this.credentials);
      return this.#basic;
    }
    const token = await this.#fetchToken(challenge.params, scope);
    tokens.set(`${this.#identity}\0${scope}`, token);
    return token.header;
  }

  async #fetchToken(params: Record<string, string>, scope: string): Promise<CachedToken> {
    const realm = params.realm;
    if (!realm) throw new RegistryError('registry sent a Bearer challenge without a realm', 401);
    const url = new URL(realm);
    if (params.service) url.searchParams.set('service', params.service);
    // What this request needs (a HEAD before a push is challenged for pull only) and
    // what the registry asked for (a mount adds pull on the source repository):
    // one token then serves every later request of the operation.
    for (const s of new Set([scope, ...(params.scope ?? '').split(' ').filter(Boolean)])) url.searchParams.append('scope', s);
    const headers: Record<string, string> = {};
    if (this.credentials) headers.authorization = basicHeader(this.credentials);
    const res = await request(url, { headers, ...(this.dispatcher ? { dispatcher: this.dispatcher } : {}) });
    const text = await res.body.text();
    if (res.statusCode !== 200) {
      throw new RegistryError(`token server ${url.origin} answered ${res.statusCode}: ${text.slice(0, 200)}`, res.statusCode, {
        hint: res.statusCode === 401 ? 'check the registry credentials' : undefined,
      });
    }
    const body = JSON.parse(text) as { token?: string; access_token?: string; expires_in?: number };
    const token = body.token ?? body.access_token;
    if (!token) throw new RegistryError(`token server ${url.origin} returned no token`, res.statusCode);
    // Renew early (10 s, or half the life of a short-lived token) so a token never expires mid-request.
    const seconds = body.expires_in ?? 60;
    const lifetime = (seconds - Math.min(10, seconds / 2)) * 1000;
    return { header: `Bearer ${token}`, expiresAt: Date.now() + lifetime };
  }
}

function basicHeader(c: RegistryCredentials): string {
  return `Basic ${Buffer.from(`${c.username}:${c.password}`).toString('base64')}`;
}
