/**
 * A token server for the registry's `auth: token` mode (the Docker registry
 * token protocol): checks Basic credentials, decides which of the requested
 * actions to grant, and answers RS256 JWTs signed by a throwaway key whose
 * self-signed certificate the registry trusts (`rootcertbundle`).
 */
import { execFile } from 'node:child_process';
import { createHash, createPrivateKey, createPublicKey, type KeyObject, randomBytes, sign } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

/** What the registry's config needs to trust a {@link TokenServer}. */
export interface TokenAuthConfig {
  realm: string;
  service: string;
  issuer: string;
  /** PEM file with the certificate of the signing key. */
  rootCertBundle: string;
}

/** Options of {@link startTokenServer}. */
export interface TokenServerOptions {
  /** Known users and their passwords. */
  users: Record<string, string>;
  /** The actions `user` (undefined: anonymous) gets on `repository`, out of those it asked for. */
  grant: (user: string | undefined, repository: string, wanted: string[]) => string[];
}

/** One token request the server answered. */
export interface TokenRequest {
  user: string | undefined;
  /** The scopes asked for, e.g. `repository:library/busybox:pull`. */
  scopes: string[];
  status: number;
}

/** A running token server. */
export interface TokenServer extends TokenAuthConfig {
  readonly requests: TokenRequest[];
  /** Lifetime of the tokens it issues from now on, in seconds (default 300). */
  expiresIn: number;
  stop(): Promise<void>;
}

/** Starts a token server on a free 127.0.0.1 port, with a new RSA key and certificate (made by `openssl`). */
export async function startTokenServer(options: TokenServerOptions): Promise<TokenServer> {
  const dir = await mkdtemp(join(tmpdir(), 'berth-token-'));
  const { key, certPath } = await makeSigningKey(dir);
  const kid = libtrustKeyId(createPublicKey(key));
  const requests: TokenRequest[] = [];
  const state = { expiresIn: 300 };
  const service = 'berth-test-registry';
  const issuer = 'berth-test-token-issuer';

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://token');
    const scopes = url.searchParams.getAll('scope').flatMap((s) => s.split(' ').filter(Boolean));
    const user = basicUser(req, options.users);
    if (user === null) {
      requests.push({ user: undefined, scopes, status: 401 });
      return answer(res, 401, { errors: [{ code: 'UNAUTHORIZED', message: 'wrong username or password' }] });
    }
    requests.push({ user, scopes, status: 200 });
    const access = scopes.flatMap((scope) => {
      const parsed = parseScope(scope);
      if (!parsed) return [];
      const actions = options.grant(user, parsed.name, parsed.actions);
      return actions.length > 0 ? [{ type: parsed.type, name: parsed.name, actions }] : [];
    });
    const now = Math.floor(Date.now() / 1000);
    const claims = {
      iss: issuer,
      sub: user ?? '',
      aud: url.searchParams.get('service') ?? service,
      exp: now + state.expiresIn,
      nbf: now - 1,
      iat: now,
      jti: randomBytes(8).toString('hex'),
      access,
    };
    const token = jwt({ typ: 'JWT', alg: 'RS256', kid }, claims, key);
    answer(res, 200, { token, access_token: token, expires_in: state.expiresIn, issued_at: new Date(now * 1000).toISOString() });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    realm: `http://127.0.0.1:${port}/token`,
    service,
    issuer,
    rootCertBundle: certPath,
    requests,
    get expiresIn() {
      return state.expiresIn;
    },
    set expiresIn(seconds: number) {
      state.expiresIn = seconds;
    },
    stop: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** An RSA key and its self-signed certificate. Node cannot write X.509, so `openssl` does. */
async function makeSigningKey(dir: string): Promise<{ key: KeyObject; certPath: string }> {
  const keyPath = join(dir, 'key.pem');
  const certPath = join(dir, 'cert.pem');
  const args = ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=berth-test-token-issuer'];
  try {
    await execFileAsync('openssl', [...args, '-keyout', keyPath, '-out', certPath]);
  } catch (error) {
    throw new Error(`openssl could not make the token signing certificate (apt-get install openssl): ${(error as Error).message}`);
  }
  return { key: createPrivateKey(await readFile(keyPath)), certPath };
}

/**
 * The key id the registry looks trusted keys up by (libtrust's fingerprint):
 * base32 of the first 240 bits of sha256 over the DER public key, in
 * colon-separated groups of four.
 */
function libtrustKeyId(publicKey: KeyObject): string {
  const digest = createHash('sha256')
    .update(publicKey.export({ type: 'spki', format: 'der' }))
    .digest()
    .subarray(0, 30);
  return (base32(digest).match(/.{1,4}/g) ?? []).join(':');
}

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** RFC 4648 base32 without padding. */
function base32(bytes: Buffer): string {
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += BASE32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += BASE32[(value << (5 - bits)) & 31];
  return out;
}

function jwt(header: object, claims: object, key: KeyObject): string {
  const part = (o: object): string => Buffer.from(JSON.stringify(o)).toString('base64url');
  const signed = `${part(header)}.${part(claims)}`;
  return `${signed}.${sign('sha256', Buffer.from(signed), key).toString('base64url')}`;
}

/** The Basic-authenticated user; undefined when anonymous, null when the credentials are wrong. */
function basicUser(req: IncomingMessage, users: Record<string, string>): string | undefined | null {
  const header = req.headers.authorization;
  if (!header) return undefined;
  if (!header.startsWith('Basic ')) return null;
  const decoded = Buffer.from(header.slice(6), 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  const [user, password] = [decoded.slice(0, colon), decoded.slice(colon + 1)];
  return colon > 0 && users[user] === password ? user : null;
}

/** `type:name:actions`; the name may hold colons (a port), the actions never do. */
function parseScope(scope: string): { type: string; name: string; actions: string[] } | undefined {
  const first = scope.indexOf(':');
  const last = scope.lastIndexOf(':');
  if (first < 0 || last <= first) return undefined;
  return { type: scope.slice(0, first), name: scope.slice(first + 1, last), actions: scope.slice(last + 1).split(',') };
}

function answer(res: ServerResponse, status: number, body: object): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}
