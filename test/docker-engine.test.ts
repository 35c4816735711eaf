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
  ContainerNotFoundError,
  ContainerStateError,
  DockerEngine,
  DockerUnavailableError,
  GenericContainer,
  ImageNotPresentError,
  type LogFrame,
  type LogSelection,
  LogWaitStrategy,
  type PullProgress,
  RedisContainer,
  VolumeNotFoundError,
} from '../src/index.js';
import { eventually } from './support/leaks.js';
import { buildTar } from './support/tar-builder.js';

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

  /** A busybox container running `command`, started. */
  async function run(command: string[], extra: Partial<Parameters<DockerEngine['createContainer']>[0]> = {}): Promise<string> {
    const image = await engine.pullImage(fixtures().busybox);
    const id = track(await engine.createContainer({ image: image.Id, command, ...extra }));
    await engine.startContainer(id);
    return id;
  }

  /** The text of each line of a container's logs. */
  async function logLines(id: string, selection: LogSelection = {}): Promise<string[]> {
    const lines: string[] = [];
    for await (const frame of await engine.containerLogs(id, selection)) lines.push(frame.data.toString());
    return lines;
  }

  it('negotiates the API version from /_ping', async () => {
    const ping = new Pool('http://docker', { socketPath: SOCKET });
    const res = await ping.request({ method: 'GET', path: '/_ping' });
    await res.body.text();
    await ping.close();
    const offered = String(res.headers['api-version']);
    const expected = Number(offered) > Number(MAX_API_VERSION) ? MAX_API_VERSION : offered;
    expect(await engine.apiVersion()).toBe(expected);
  });

  it('commits and pushes an image, then pulls it with progress events, one finished event per layer', async () => {
    // A layer of its own, so the pull really downloads something whatever the daemon has cached.
    const unique = randomBytes(8).toString('hex');
    const writer = await run(['sh', '-c', `echo ${unique} > /unique`]);
    await engine.waitContainer(writer);
    const reference = `${inject('registry')}/berth/docker-pull-${unique}:1`;
    const committed = await engine.commitContainer(writer, { reference, changes: ['ENV BERTH=docker', 'WORKDIR /srv'] });
    expect(committed.Config.config).toMatchObject({ WorkingDir: '/srv', Env: expect.arrayContaining(['BERTH=docker']) });
    onTestFinished(() =>
      engine.removeImage(reference, { force: true }).then(
        () => undefined,
        () => undefined,
      ),
    );
    expect(committed.RepoTags).toEqual([reference]);
    const pushed = await engine.pushImage(reference);
    expect(pushed).toMatchObject({ target: reference, digest: expect.stringMatching(/^sha256:[0-9a-f]{64}$/) });
    expect(await engine.removeImage(reference)).toEqual({ deleted: true });
    expect(await engine.inspectImage(reference)).toBeUndefined();

    const events: PullProgress[] = [];
    const image = await engine.pullImage(reference, { policy: 'always', onProgress: (p) => events.push(p) });
    expect(image.Id).toBe(committed.Id);
    expect(image.ManifestDigest).toBe(pushed.digest);
    const finished = new Set(events.filter((e) => e.done).map((e) => e.layer));
    expect(finished.size).toBe(image.Config.rootfs.diff_ids.length);
    expect(events.some((e) => !e.done && e.downloaded > 0 && e.downloaded <= e.total)).toBe(true);
    const reader = await run(['cat', '/unique'], { image: image.Id });
    await engine.waitContainer(reader);
    expect(await logLines(reader)).toEqual([`${unique}\n`]);
    await engine.removeContainer(reader);
    await engine.removeContainer(writer);
  });

  it('creates, starts, waits for, logs, inspects and removes a busybox container', async () => {
    const image = await engine.pullImage(fixtures().busybox);
    const name = `berth-docker-${randomBytes(4).toString('hex')}`;
    const id = track(
      await engine.createContainer({
        image: image.Id,
        name,
        command: ['sh', '-c', 'echo one; echo two >&2; echo three; exit 7'],
        env: { A: 'b' },
        labels: { team: 'berth' },
      }),
    );
    const created = await engine.inspectContainer(name);
    expect(created.State.Status).toBe('created');
    expect(created.Config.Env).toContain('A=b');
    expect(created.Config.Labels.team).toBe('berth');
    await engine.startContainer(id);
    expect(await engine.waitContainer(id)).toEqual({ exitCode: 7 });
    const frames: LogFrame[] = [];
    for await (const frame of await engine.containerLogs(id)) frames.push(frame);
    expect(frames.map((f) => `${f.stream} ${f.data}`).sort()).toEqual(['stderr two\n', 'stdout one\n', 'stdout three\n']);
    // The daemon's time of each line, as RFC 3339 with nanoseconds, for the SDK to print.
    for (const f of frames) expect(f.time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z$/);
    expect(await logLines(id, { stderr: false, tail: 1 })).toEqual(['three\n']);
    const exited = await engine.inspectContainer(id);
    expect(exited.Name).toBe(`/${name}`);
    expect(exited.State).toMatchObject({ Status: 'exited', Running: false, ExitCode: 7 });
    await engine.removeContainer(id);
    await expect(engine.inspectContainer(id)).rejects.toBeInstanceOf(ContainerNotFoundError);
  });

  it('execs with stdout and stderr apart, stdin, and the exit code', async () => {
    const id = await run(['sleep', '60']);
    const chunks: string[] = [];
    const result = await engine.execContainer(id, {
      cmd: ['sh', '-c', 'read line; echo "got $line"; echo oops >&2; exit 42'],
      stdin: 'berth\n',
      onOutput: (stream, chunk) => chunks.push(`${stream}:${chunk}`),
    });
    expect(result).toEqual({ exitCode: 42, stdout: 'got berth\n', stderr: 'oops\n' });
    expect(chunks.sort()).toEqual(['stderr:oops\n', 'stdout:got berth\n']);
    const tty = await engine.execContainer(id, { cmd: ['sh', '-c', 'echo out; echo err >&2'], tty: true });
    expect(tty.stdout.replace(/\r/g, '')).toBe('out\nerr\n');
    expect(tty.stderr).toBe('');
  });

  it('publishes a port the host reaches through 127.0.0.1', async () => {
    const id = await run(HTTPD, { ports: [{ containerPort: 8080, hostIp: '127.0.0.1' }] });
    const info = await engine.inspectContainer(id);
    const port = Number(info.NetworkSettings.Ports['8080/tcp']?.[0]?.HostPort);
    expect(port).toBeGreaterThan(0);
    let body = '';
    await eventually(async () => {
      body = await request(`http://127.0.0.1:${port}/`)
        .then((r) => r.body.text())
        .catch(() => '');
      return body !== '';
    }, 10_000);
    expect(body).toBe('hello from docker\n');
  });

  it('pauses, unpauses, restarts and stops', async () => {
    const id = await run(['sleep', '60'], { stopSignal: 'SIGKILL' });
    await engine.pauseContainer(id);
    expect((await engine.inspectContainer(id)).State).toMatchObject({ Status: 'paused', Paused: true });
    await engine.unpauseContainer(id);
    const before = await engine.inspectContainer(id);
    expect(before.State.Status).toBe('running');
    await engine.restartContainer(id, { timeoutMs: 1000 });
    const after = await engine.inspectContainer(id);
    expect(after.State.Running).toBe(true);
    expect(after.State.StartedAt).not.toBe(before.State.StartedAt);
    expect((await engine.topContainer(id)).Processes.some((p) => p.join(' ').includes('sleep 60'))).toBe(true);
    expect((await engine.containerStats(id)).Pids).toBeGreaterThan(0);
    await engine.stopContainer(id, { timeoutMs: 1000 });
    expect((await engine.inspectContainer(id)).State.Running).toBe(false);
    await engine.stopContainer(id); // Stopped already: nothing to do, no error.
    await expect(engine.killContainer(id)).rejects.toBeInstanceOf(ContainerStateError);
  });

  it('puts an archive into a container and gets it back with its stat', async () => {
    const id = await run(['sleep', '60']);
    const tar = buildTar([
      { path: 'drop/', type: '5', mode: 0o755 },
      { path: 'drop/note.txt', mode: 0o640, data: 'carried in\n' },
    ]);
    await engine.putArchive(
      id,
      '/tmp',
      (async function* () {
        yield tar;
      })(),
    );
    expect((await engine.execContainer(id, { cmd: ['cat', '/tmp/drop/note.txt'] })).stdout).toBe('carried in\n');
    const archive = await engine.getArchive(id, '/tmp/drop/note.txt');
    expect(archive.stat).toMatchObject({ name: 'note.txt', size: 11, mode: 0o100640 });
    const chunks: Buffer[] = [];
    for await (const chunk of archive.stream) chunks.push(chunk);
    const bytes = Buffer.concat(chunks);
    expect(bytes.toString('latin1')).toContain('carried in\n');
    const dir = await engine.getArchive(id, '/tmp/drop');
    dir.stream.destroy(); // let go unread: the connection goes with it
    expect(dir.stat.mode & 0o170000).toBe(0o040000);
    await expect(engine.getArchive(id, '/no/such/path')).rejects.toMatchObject({ code: 'CONTAINER_PATH' });
  });

  it('joins two containers on a network where they reach each other by alias', async () => {
    const name = `berth-docker-net-${randomBytes(4).toString('hex')}`;
    const network = await engine.createNetwork(name);
    onTestFinished(() => engine.removeNetwork(name).catch(() => undefined));
    expect(network.Labels['berth.owner']).toBeDefined();
    const image = await engine.pullImage(fixtures().busybox);
    const server = track(
      await engine.createContainer({ image: image.Id, command: HTTPD, networkMode: name, networks: { [name]: { aliases: ['web'] } } }),
    );
    await engine.startContainer(server);
    const client = await run(['sleep', '60'], { networkMode: name });
    let fetched = '';
    await eventually(async () => {
      fetched = (await engine.execContainer(client, { cmd: ['wget', '-q', '-O', '-', 'http://web:8080/'] })).stdout;
      return fetched !== '';
    }, 10_000);
    expect(fetched).toBe('hello from docker\n');
    expect(Object.keys((await engine.inspectNetwork(name)).Containers)).toHaveLength(2);
  });

  it('keeps data in a named volume from one container to the next', async () => {
    const volume = await engine.createVolume({ name: `berth-docker-vol-${randomBytes(4).toString('hex')}`, labels: { purpose: 'test' } });
    onTestFinished(() => engine.removeVolume(volume.Name).catch(() => undefined));
    expect(volume.Labels).toMatchObject({ purpose: 'test' });
    const writer = await run(['sh', '-c', 'echo kept > /data/file'], {
      mounts: [{ type: 'volume', source: volume.Name, target: '/data' }],
    });
    expect((await engine.waitContainer(writer)).exitCode).toBe(0);
    const reader = await run(['cat', '/data/file'], { mounts: [{ type: 'volume', source: volume.Name, target: '/data', readOnly: true }] });
    await engine.waitContainer(reader);
    expect(await logLines(reader)).toEqual(['kept\n']);
    await expect(engine.removeVolume(volume.Name)).rejects.toMatchObject({ code: 'VOLUME_IN_USE' });
    await engine.removeContainer(writer);
    await engine.removeContainer(reader);
    await engine.removeVolume(volume.Name);
    await expect(engine.inspectVolume(volume.Name)).rejects.toBeInstanceOf(VolumeNotFoundError);
  });

  it('turns 404 and 409 into typed errors carrying the daemon message', async () => {
    await expect(engine.pullImage(`${inject('registry')}/library/absent:latest`, { policy: 'never' })).rejects.toBeInstanceOf(
      ImageNotPresentError,
    );
    await expect(engine.pullImage(`${inject('registry')}/library/absent:latest`)).rejects.toMatchObject({ code: 'IMAGE_PULL_FAILED' });
    await expect(engine.createContainer({ image: `${inject('registry')}/library/absent:latest` })).rejects.toBeInstanceOf(
      ImageNotPresentError,
    );
    await expect(engine.inspectContainer('berth-no-such-container')).rejects.toBeInstanceOf(ContainerNotFoundError);
    const image = await engine.pullImage(fixtures().busybox);
    const name = `berth-docker-${randomBytes(4).toString('hex')}`;
    track(await engine.createContainer({ image: image.Id, name }));
    const conflict = engine.createContainer({ image: image.Id, name });
    await expect(conflict).rejects.toBeInstanceOf(ContainerStateError);
    await expect(conflict).rejects.toThrow(/Conflict.*already in use/);
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
      // The anonymous volume went with its container.
      await expect(engine.inspectVolume(owned.volumes[1] as string)).rejects.toBeInstanceOf(VolumeNotFoundError);
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
      } finally {
        await next.close();
      }
      expect(await ownedBy(owned.owner)).toEqual({ containers: 0, networks: 0, volumes: 0 });
    });
  });
});
