/**
 * DockerEngine against a real dockerd (Debian's docker.io): the contract
 * over the Docker Engine API, the SDK on it, and the cleanup bound to the
 * owner's life. Images come from the suite's registry on 127.0.0.1, which
 * dockerd treats as insecure (plain HTTP) by default.
 */
import { type ChildProcess, type ChildProcessByStdio, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import * as fs from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import getPort from 'get-port';
import { createClient } from 'redis';
import { Pool, request } from 'undici';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it, onTestFinished } from 'vitest';
import { MAX_API_VERSION } from '../src/engine/docker/transport.js';
import {
  ConflictError,
  DockerEngine,
  DockerUnavailableError,
  GenericContainer,
  LogWaitStrategy,
  RedisContainer,
  VolumeNotFoundError,
} from '../src/index.js';
import { eventually } from './support/leaks.js';

const dockerdInstalled = fs.existsSync('/usr/sbin/dockerd') || fs.existsSync('/usr/bin/dockerd');
const title = dockerdInstalled ? 'DockerEngine' : 'DockerEngine — skipped: dockerd is not installed (bash scripts/setup.sh --bench)';
const fixtures = () => inject('fixtures');
const SOCKET = '/var/run/docker.sock';
const HTTPD = ['sh', '-c', 'mkdir -p /www && echo hello from docker > /www/index.html && echo listening && exec httpd -f -p 8080 -h /www'];

/** A CA, a server certificate for 127.0.0.1 and a client certificate, in the file names dockerd and DOCKER_CERT_PATH use. */
function makeCertificates(dir: string): void {
  const ssl = (...args: string[]): void => {
    execFileSync('openssl', args, { cwd: dir, stdio: 'ignore' });
  };
  ssl(
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    'ca-key.pem',
    '-out',
    'ca.pem',
    '-days',
    '1',
    '-subj',
    '/CN=berth-test-ca',
  );
  const sign = (name: string, key: string, cert: string, ext: string): void => {
    fs.writeFileSync(join(dir, `${name}.ext`), ext);
    ssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', `${name}.csr`, '-subj', `/CN=${name}`);
    ssl(
      'x509',
      '-req',
      '-in',
      `${name}.csr`,
      '-CA',
      'ca.pem',
      '-CAkey',
      'ca-key.pem',
      '-CAcreateserial',
      '-out',
      cert,
      '-days',
      '1',
      '-extfile',
      `${name}.ext`,
    );
  };
  sign('server', 'server-key.pem', 'server-cert.pem', 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n');
  sign('client', 'key.pem', 'cert.pem', 'extendedKeyUsage=clientAuth\n');
}

describe.skipIf(!dockerdInstalled)(title, () => {
  let engine: DockerEngine;
  const made: string[] = [];
  const track = (id: string): string => {
    made.push(id);
    return id;
  };

  beforeAll(() => {
    execFileSync('bash', ['bench/start-dockerd.sh'], { stdio: 'inherit' }); // Starts the system dockerd unless one answers.
    engine = new DockerEngine();
  });
  afterEach(async () => {
    await Promise.all(made.splice(0).map((id) => engine.removeContainer(id, { force: true }).catch(() => undefined)));
  });
  afterAll(async () => {
    await engine?.close();
  });

  it('negotiates the API version from /_ping', async () => {
    const ping = new Pool('http://docker', { socketPath: SOCKET });
    const res = await ping.request({ method: 'GET', path: '/_ping' });
    await res.body.text();
    await ping.close();
    const offered = String(res.headers['api-version']);
    const expected = Number(offered) > Number(MAX_API_VERSION) ? MAX_API_VERSION : offered;
    expect(await engine.apiVersion()).toBe(expected);
  });

  it('gives typed errors that carry the daemon message', async () => {
    const image = await engine.pullImage(fixtures().busybox);
    const name = `berth-docker-${randomBytes(4).toString('hex')}`;
    track(await engine.createContainer({ image: image.Id, name }));
    const conflict = engine.createContainer({ image: image.Id, name });
    await expect(conflict).rejects.toBeInstanceOf(ConflictError);
    await expect(conflict).rejects.toThrow(/^Docker daemon: Conflict\. The container name "\/berth-docker-[0-9a-f]+" is already in use/);
    const pull = engine.pullImage(`${inject('registry')}/library/absent:latest`);
    await expect(pull).rejects.toMatchObject({
      code: 'IMAGE_PULL_FAILED',
      cause: { message: expect.stringMatching(/manifest unknown|not found/) },
    });
  });

  it('runs the SDK: GenericContainer with a log wait strategy and a published port', async () => {
    await using container = await new GenericContainer(fixtures().busybox)
      .withCommand(HTTPD)
      .withExposedPorts(8080)
      .withWaitStrategy(new LogWaitStrategy('listening'))
      .start(engine);
    const res = await request(`http://${container.getHost()}:${container.getMappedPort(8080)}/`);
    expect(await res.body.text()).toBe('hello from docker\n');
    expect((await container.exec(['cat', '/www/index.html'])).output).toBe('hello from docker\n');
  });

  it('runs the Redis module, which a redis client uses', async () => {
    await using redis = await new RedisContainer(fixtures().redis).start(engine);
    const client = createClient({ url: redis.getConnectionUrl() });
    await client.connect();
    try {
      await client.set('berth', 'docker');
      expect(await client.get('berth')).toBe('docker');
    } finally {
      await client.quit();
    }
  });

  describe('over tcp:// with TLS (a second dockerd with --tlsverify)', () => {
    let dir = '';
    let port = 0;
    let daemon: ChildProcess | undefined;
    const bridge = `berthdtls${randomBytes(2).toString('hex')}`;

    beforeAll(async () => {
      dir = fs.mkdtempSync(join(tmpdir(), 'berth-dtls-'));
      makeCertificates(dir);
      port = await getPort({ host: '127.0.0.1' });
      // TEST-NET-1 (RFC 5737): an address range no network uses.
      execFileSync('ip', ['link', 'add', bridge, 'type', 'bridge']);
      execFileSync('ip', ['addr', 'add', '192.0.2.1/24', 'dev', bridge]);
      daemon = spawn(
        'dockerd',
        [
          ...['--data-root', join(dir, 'data'), '--exec-root', join(dir, 'exec'), '--pidfile', join(dir, 'dockerd.pid')],
          ...['-H', `tcp://127.0.0.1:${port}`, '--tlsverify', '--tlscacert', join(dir, 'ca.pem')],
          ...['--tlscert', join(dir, 'server-cert.pem'), '--tlskey', join(dir, 'server-key.pem')],
          // A bridge of its own and no firewall rules: this daemon must not disturb the system one
          // (--bridge=none would make it delete the system daemon's docker0).
          ...['--bridge', bridge, '--iptables=false', '--ip6tables=false'],
        ],
        { stdio: ['ignore', 'ignore', fs.openSync(join(dir, 'dockerd.log'), 'w')] },
      );
    });
    afterAll(async () => {
      if (daemon?.exitCode === null) {
        daemon.kill('SIGTERM');
        await once(daemon, 'exit');
      }
      if (dir) fs.rmSync(dir, { recursive: true, force: true });
      // The daemon may have taken its bridge down with it.
      if (fs.existsSync(`/sys/class/net/${bridge}`)) execFileSync('ip', ['link', 'del', bridge]);
    });

    /** A DockerEngine configured the docker CLI's way, from the environment. */
    function fromEnvironment(env: Record<string, string>): DockerEngine {
      const saved = { ...process.env };
      Object.assign(process.env, env);
      try {
        return new DockerEngine();
      } finally {
        for (const key of Object.keys(env)) {
          if (saved[key] === undefined) delete process.env[key];
          else process.env[key] = saved[key];
        }
      }
    }

    it('takes DOCKER_HOST, DOCKER_TLS_VERIFY and DOCKER_CERT_PATH, and runs and execs over TLS', async () => {
      const tlsEngine = fromEnvironment({ DOCKER_HOST: `tcp://127.0.0.1:${port}`, DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: dir });
      try {
        expect(
          await eventually(
            () =>
              tlsEngine.apiVersion().then(
                () => true,
                () => false,
              ),
            30_000,
            200,
          ),
        ).toBe(true);
        const volume = await tlsEngine.createVolume({ name: 'berth-tls-volume' });
        expect((await tlsEngine.listVolumes()).map((v) => v.Name)).toContain(volume.Name);
        await tlsEngine.removeVolume(volume.Name);
        const image = await tlsEngine.pullImage(fixtures().busybox);
        const id = await tlsEngine.createContainer({ image: image.Id, command: ['sleep', '60'], networkMode: 'none' });
        try {
          await tlsEngine.startContainer(id);
          const result = await tlsEngine.execContainer(id, { cmd: ['sh', '-c', 'cat; echo err >&2'], stdin: 'over tls' });
          expect(result).toEqual({ exitCode: 0, stdout: 'over tls', stderr: 'err\n' });
        } finally {
          await tlsEngine.removeContainer(id, { force: true });
          await tlsEngine.removeImage(image.Id, { force: true });
        }
      } finally {
        await tlsEngine.close();
      }
    });

    it('fails with DockerUnavailableError without TLS, or with a CA that did not sign the daemon', async () => {
      expect(await eventually(() => fs.existsSync(join(dir, 'dockerd.pid')), 30_000, 200)).toBe(true);
      const plain = new DockerEngine({ host: `tcp://127.0.0.1:${port}`, tlsVerify: false });
      await expect(plain.apiVersion()).rejects.toBeInstanceOf(DockerUnavailableError);
      await plain.close();
      const other = join(dir, 'other');
      fs.mkdirSync(other);
      makeCertificates(other);
      const stranger = new DockerEngine({ host: `tcp://127.0.0.1:${port}`, tlsVerify: true, certPath: other });
      await expect(stranger.apiVersion()).rejects.toBeInstanceOf(DockerUnavailableError);
      await stranger.close();
    });
  });

  describe('cleanup bound to the owner', () => {
    function startOwner(): ChildProcessByStdio<null, Readable, null> {
      const owner = spawn(process.execPath, ['--import', 'tsx', 'test/support/docker-owner.ts', fixtures().busybox], {
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      onTestFinished(() => {
        owner.kill('SIGKILL');
      });
      return owner;
    }

    interface Owned {
      owner: string;
      container: string;
      network: string;
      volumes: string[];
      /** A temporary image the owner committed. */
      image: string;
    }

    async function ownedBy(owner: string): Promise<{ containers: number; networks: number; volumes: number }> {
      const label = `berth.owner=${owner}`;
      const query = `filters=${encodeURIComponent(JSON.stringify({ label: [label] }))}`;
      const api = new Pool('http://docker', { socketPath: SOCKET });
      const get = async (path: string): Promise<unknown> => (await api.request({ method: 'GET', path })).body.json();
      const containers = (await get(`/containers/json?all=1&${query}`)) as unknown[];
      const networks = (await get(`/networks?${query}`)) as unknown[];
      const volumes = ((await get(`/volumes?${query}`)) as { Volumes: unknown[] | null }).Volumes ?? [];
      await api.close();
      return { containers: containers.length, networks: networks.length, volumes: volumes.length };
    }

    function watcherPids(owner: string): number[] {
      return fs
        .readdirSync('/proc')
        .filter((p) => /^\d+$/.test(p))
        .filter((p) => {
          try {
            return fs.readFileSync(`/proc/${p}/cmdline`, 'utf8').split('\0').includes(owner);
          } catch {
            return false;
          }
        })
        .map(Number);
    }

    async function ownerStarted(owner: ChildProcessByStdio<null, Readable, null>): Promise<Owned> {
      const [line] = (await once(owner.stdout, 'data')) as [Buffer];
      const owned = JSON.parse(line.toString()) as Owned;
      expect(await ownedBy(owned.owner)).toEqual({ containers: 1, networks: 1, volumes: 1 });
      return owned;
    }

    it('SIGKILL of the owner leaves, within seconds, no labelled container, network or volume (the watcher)', async () => {
      const owner = startOwner();
      const owned = await ownerStarted(owner);
      expect(watcherPids(owned.owner)).toHaveLength(1);
      owner.kill('SIGKILL');
      await once(owner, 'exit');
      const clean = await eventually(
        async () => JSON.stringify(await ownedBy(owned.owner)) === JSON.stringify({ containers: 0, networks: 0, volumes: 0 }),
        10_000,
        100,
      );
      expect(clean).toBe(true);
      // The anonymous volume went with its container, the temporary image with its owner.
      await expect(engine.inspectVolume(owned.volumes[1] as string)).rejects.toBeInstanceOf(VolumeNotFoundError);
      expect(await eventually(async () => (await engine.inspectImage(owned.image)) === undefined, 10_000, 100)).toBe(true);
      expect(await eventually(() => watcherPids(owned.owner).length === 0)).toBe(true);
    });

    it("a new engine's start sweeps what a dead owner left when its watcher died too", async () => {
      const owner = startOwner();
      const owned = await ownerStarted(owner);
      for (const pid of watcherPids(owned.owner)) process.kill(pid, 'SIGKILL');
      expect(await eventually(() => watcherPids(owned.owner).length === 0)).toBe(true);
      owner.kill('SIGKILL');
      await once(owner, 'exit');
      expect(await ownedBy(owned.owner)).toEqual({ containers: 1, networks: 1, volumes: 1 }); // Nobody cleaned up yet.
      const next = new DockerEngine();
      try {
        const swept = await next.ready();
        expect(swept.containers).toContain(owned.container);
        expect(swept.networks).toContain(owned.network);
        expect(swept.volumes).toContain(owned.volumes[0]);
        expect(swept.images).toContain(owned.image);
      } finally {
        await next.close();
      }
      expect(await ownedBy(owned.owner)).toEqual({ containers: 0, networks: 0, volumes: 0 });
      expect(await engine.inspectImage(owned.image)).toBeUndefined();
    });
  });
});
