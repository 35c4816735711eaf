import * as fs from 'node:fs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { pushOciLayout } from '../src/engine/image/push.js';
import { GenericContainer, ImagePullError, LocalEngine, RegistryError } from '../src/index.js';
import { type FaultProxy, startFaultProxy } from './support/fault-proxy.js';
import { FIXTURE_CACHE, fixtureManifest } from './support/fixture-layout.js';
import { type RegistryServer, startRegistry } from './support/registry.js';
import { startTokenServer, type TokenServer } from './support/token-server.js';

const BUSYBOX = join(FIXTURE_CACHE, 'busybox');
const scratch = mkdtempSync(join(tmpdir(), 'berth-auth-'));
let dirs = 0;
function scratchDir(): string {
  const dir = join(scratch, String(++dirs));
  fs.mkdirSync(dir);
  return dir;
}
function freshEngine(): LocalEngine {
  return new LocalEngine({ root: scratchDir(), config: { insecureRegistries: [], registryMirrors: {} } });
}

// Each test picks its Docker config; none may read the machine's ~/.docker.
const saved = { DOCKER_CONFIG: process.env.DOCKER_CONFIG, PATH: process.env.PATH };
function useDockerConfig(config: object): string {
  const dir = scratchDir();
  fs.writeFileSync(join(dir, 'config.json'), JSON.stringify(config));
  process.env.DOCKER_CONFIG = dir;
  return dir;
}
afterEach(() => {
  process.env.DOCKER_CONFIG = saved.DOCKER_CONFIG;
  process.env.PATH = saved.PATH;
  if (saved.DOCKER_CONFIG === undefined) delete process.env.DOCKER_CONFIG;
});
afterAll(() => {
  fs.rmSync(scratch, { recursive: true, force: true });
});

async function pullError(pull: Promise<unknown>): Promise<ImagePullError> {
  const error = await pull.catch((e: unknown) => e);
  expect(error).toBeInstanceOf(ImagePullError);
  return error as ImagePullError;
}

describe('a registry with htpasswd (Basic) auth', () => {
  const login = { username: 'berth', password: 'open sesame' };
  let registry: RegistryServer;
  // In front of the registry, only to count the requests.
  let proxy: FaultProxy;
  const image = (): string => `${proxy.host}/private/busybox:latest`;
  const manifestGets = (): number => proxy.requests.filter((r) => r.path.includes('/manifests/')).length;

  beforeAll(async () => {
    registry = await startRegistry({ htpasswd: { user: login.username, password: login.password } });
    await pushOciLayout(BUSYBOX, `${registry.host}/private/busybox:latest`, { credentials: login });
    proxy = await startFaultProxy(registry.host);
  });
  afterEach(() => proxy.reset());
  afterAll(async () => {
    await proxy?.stop();
    await registry?.stop();
  });

  it('refuses a pull without credentials with a typed error that says how to log in, asking once', async () => {
    useDockerConfig({});
    const error = await pullError(freshEngine().pullImage(image()));
    expect(error.cause).toBeInstanceOf(RegistryError);
    expect((error.cause as RegistryError).status).toBe(401);
    expect(error.hint).toMatch(/docker login/);
    expect(manifestGets()).toBe(1);
  });

  it('refuses wrong credentials without retrying them', async () => {
    useDockerConfig({});
    const wrong = { username: login.username, password: 'guess' };
    const error = await pullError(freshEngine().pullImage(image(), { credentials: wrong }));
    expect((error.cause as RegistryError).status).toBe(401);
    expect(error.hint).toMatch(/credentials/);
    expect(manifestGets()).toBe(2); // The anonymous try, then one with the credentials.
  });

  it('pulls with credentials given to the SDK', async () => {
    useDockerConfig({});
    await using c = await new GenericContainer(image())
      .withRegistryCredentials(login)
      .withCommand(['echo', 'logged in'])
      .start(freshEngine());
    await c.wait();
    expect(await c.output()).toBe('logged in\n');
    expect(proxy.requests.filter((r) => r.auth === 'Basic').length).toBeGreaterThan(0);
  });

  it("pulls with credentials from the Docker config's auths", async () => {
    const auth = Buffer.from(`${login.username}:${login.password}`).toString('base64');
    useDockerConfig({ auths: { [proxy.host]: { auth } } });
    const pulled = await freshEngine().pullImage(image());
    expect(pulled.RepoTags).toEqual([image()]);
  });

  it('follows a blob redirect to another server without sending it the credentials', async () => {
    useDockerConfig({});
    // The other server: the open test registry, which has the same busybox blob.
    const elsewhere = await startFaultProxy(inject('registry'));
    try {
      const { digest } = fixtureManifest('busybox').layers[0] ?? { digest: '' };
      proxy.add({
        path: `/blobs/${digest}`,
        times: 1,
        fault: { kind: 'redirect', to: `http://${elsewhere.host}/v2/library/busybox/blobs/${digest}` },
      });
      await freshEngine().pullImage(image(), { credentials: login });
      expect(proxy.requests.filter((r) => r.path.includes('/manifests/')).map((r) => r.auth)).toEqual([undefined, 'Basic']);
      expect(elsewhere.requests.map((r) => [r.path.endsWith(digest), r.auth])).toEqual([[true, undefined]]);
    } finally {
      await elsewhere.stop();
    }
  });

  /**
   * Puts a `docker-credential-<name>` on PATH that knows `login` for `server`
   * only (others get "credentials not found", as real helpers say); returns
   * the file where it logs the servers it is asked about.
   */
  function credentialHelper(name: string, server: string): string {
    const bin = scratchDir();
    const asked = join(bin, 'asked');
    fs.writeFileSync(
      join(bin, `docker-credential-${name}`),
      `#!/bin/sh
[ "$1" = get ] || exit 2
read -r server
echo "$server" >>${JSON.stringify(asked)}
if [ "$server" != ${JSON.stringify(server)} ]; then echo "credentials not found in native keychain"; exit 1; fi
printf '{"ServerURL":"%s","Username":"%s","Secret":"%s"}\\n' "$server" ${JSON.stringify(login.username)} ${JSON.stringify(login.password)}
`,
      { mode: 0o755 },
    );
    process.env.PATH = `${bin}:${saved.PATH}`;
    return asked;
  }

  it('pulls with credentials from a credential helper named in credHelpers, before auths', async () => {
    const asked = credentialHelper('berthtest', proxy.host);
    useDockerConfig({ credHelpers: { [proxy.host]: 'berthtest' }, auths: { [proxy.host]: { auth: 'bm90OnRoaXM=' } } });
    await freshEngine().pullImage(image());
    expect(fs.readFileSync(asked, 'utf8')).toBe(`${proxy.host}\n`);
  });

  it('falls back to auths when the credsStore helper has nothing for the registry', async () => {
    const asked = credentialHelper('berthstore', 'elsewhere.test');
    const auth = Buffer.from(`${login.username}:${login.password}`).toString('base64');
    useDockerConfig({ credsStore: 'berthstore', auths: { [`http://${proxy.host}`]: { auth } } });
    await freshEngine().pullImage(image());
    expect(fs.readFileSync(asked, 'utf8')).toBe(`${proxy.host}\n`);
  });
});

describe('a registry with token auth', () => {
  const alice = { username: 'alice', password: 'wonderland' };
  const bob = { username: 'bob', password: 'builder' };
  let tokens: TokenServer;
  let registry: RegistryServer;

  beforeAll(async () => {
    tokens = await startTokenServer({
      users: { [alice.username]: alice.password, [bob.username]: bob.password, admin: 'admin' },
      // Anyone may pull public/*; alice may pull and push private/*; admin may do anything.
      grant: (user, repository, wanted) => {
        if (user === 'admin') return wanted;
        if (repository.startsWith('public/')) return wanted.filter((a) => a === 'pull');
        if (user === alice.username && repository.startsWith('private/')) return wanted.filter((a) => a === 'pull' || a === 'push');
        return [];
      },
    });
    registry = await startRegistry({ token: tokens });
    for (const repository of ['public/busybox', 'public/other', 'public/third', 'private/busybox']) {
      await pushOciLayout(BUSYBOX, `${registry.host}/${repository}:latest`, { credentials: { username: 'admin', password: 'admin' } });
    }
    tokens.requests.length = 0;
  });
  afterEach(() => {
    tokens.requests.length = 0;
    tokens.expiresIn = 300;
  });
  afterAll(async () => {
    await registry?.stop();
    await tokens?.stop();
  });

  const tokenRequests = (scope: string): number => tokens.requests.filter((r) => r.scopes.includes(scope)).length;

  it('pulls a public repository anonymously', async () => {
    useDockerConfig({});
    await using c = await new GenericContainer(`${registry.host}/public/busybox:latest`)
      .withCommand(['echo', 'anonymous'])
      .start(freshEngine());
    await c.wait();
    expect(await c.output()).toBe('anonymous\n');
    expect(tokens.requests.map((r) => r.user)).toEqual([undefined]);
  });

  it('pulls a private repository with credentials', async () => {
    useDockerConfig({});
    const pulled = await freshEngine().pullImage(`${registry.host}/private/busybox:latest`, { credentials: alice });
    expect(pulled.RepoTags).toEqual([`${registry.host}/private/busybox:latest`]);
    expect(tokens.requests.map((r) => [r.user, r.scopes])).toEqual([['alice', ['repository:private/busybox:pull']]]);
  });

  it('refuses a scope the token server does not grant, and wrong credentials, with typed errors', async () => {
    useDockerConfig({});
    const anonymous = await pullError(freshEngine().pullImage(`${registry.host}/private/busybox:latest`));
    expect((anonymous.cause as RegistryError).status).toBe(401);
    expect(anonymous.hint).toMatch(/docker login/);
    // bob has a login, but no grant on private/*: the token comes without that access.
    const denied = await pullError(freshEngine().pullImage(`${registry.host}/private/busybox:latest`, { credentials: bob }));
    expect((denied.cause as RegistryError).status).toBe(401);
    expect(denied.hint).toMatch(/credentials and repository permissions/);
    expect(tokens.requests.filter((r) => r.user === 'bob')).toHaveLength(1);
    const wrong = await pullError(
      freshEngine().pullImage(`${registry.host}/private/busybox:latest`, { credentials: { username: 'alice', password: 'x' } }),
    );
    expect(wrong.cause).toBeInstanceOf(RegistryError);
    expect(wrong.message).toMatch(/token server .* answered 401/);
    expect(wrong.hint).toMatch(/credentials/);
  });

  it('reuses a token per scope until it expires', async () => {
    useDockerConfig({});
    tokens.expiresIn = 2; // Renewed after 1 s (half the life of a short-lived token).
    const scope = 'repository:public/other:pull';
    await freshEngine().pullImage(`${registry.host}/public/other:latest`);
    await freshEngine().pullImage(`${registry.host}/public/other:latest`);
    expect(tokenRequests(scope)).toBe(1);
    await freshEngine().pullImage(`${registry.host}/public/third:latest`);
    expect(tokenRequests('repository:public/third:pull')).toBe(1); // Another scope, another token.
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    await freshEngine().pullImage(`${registry.host}/public/other:latest`);
    expect(tokenRequests(scope)).toBe(2);
  });

  it('pushes with a token for pull and push', async () => {
    useDockerConfig({});
    const engine = freshEngine();
    const source = await engine.pullImage(`${registry.host}/public/busybox:latest`);
    const target = `${registry.host}/private/pushed:1`;
    const { digest } = await engine.pushImage(source.Id, { target, credentials: alice });
    expect(digest).toBe(source.ManifestDigest);
    expect(tokenRequests('repository:private/pushed:pull,push')).toBeGreaterThanOrEqual(1);
    const back = await freshEngine().pullImage(target, { credentials: alice });
    expect(back.Id).toBe(source.Id);
  });

  it('asks a token server that failed for a moment again', async () => {
    useDockerConfig({});
    // A second registry trusting the same token server, reached through a fault proxy.
    const realmProxy = await startFaultProxy(new URL(tokens.realm).host);
    const other = await startRegistry({ token: { ...tokens, realm: `http://${realmProxy.host}/token` } });
    try {
      await pushOciLayout(BUSYBOX, `${other.host}/public/busybox:latest`, { credentials: { username: 'admin', password: 'admin' } });
      realmProxy.reset();
      realmProxy.add({ path: '/token', times: 1, fault: { kind: 'status', status: 503 } });
      await freshEngine().pullImage(`${other.host}/public/busybox:latest`);
      expect(realmProxy.requests.map((r) => r.fault)).toEqual(['status', undefined]);
    } finally {
      await other.stop();
      await realmProxy.stop();
    }
  });
});
