/**
 * What testcontainers-node documents, asserted on Berth: the module base
 * classes and lifecycle hooks, startup checks, per-strategy timeouts and
 * testcontainers' timeout texts, stop() and restart(), the getters, live
 * logs, reuse switches and the environment variables testcontainers users set.
 * Real registry, real containers (docs/testcontainers-compat.md lists the rows).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, inject, it } from 'vitest';
import {
  AbstractStartedContainer,
  type ContainerInfo,
  ContainerNotFoundError,
  type Engine,
  GenericContainer,
  getEngine,
  Network,
  type StartedTestContainer,
  StartupCheckStrategy,
  type StartupStatus,
  StartupTimeoutError,
  TestContainers,
  Wait,
  WaitStrategyError,
} from '../src/index.js';
import { onDocker } from './support/backend.js';

const busybox = (): string => inject('fixtures').busybox;
const sh = (script: string): GenericContainer => new GenericContainer(busybox()).withCommand(['sh', '-c', script]);

/** Runs `fn` with environment variables set, restoring them afterwards. */
async function withEnv<T>(vars: Record<string, string>, fn: () => Promise<T>): Promise<T> {
  const saved = Object.fromEntries(Object.keys(vars).map((k) => [k, process.env[k]]));
  Object.assign(process.env, vars);
  try {
    return await fn();
  } finally {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}

/** The error `promise` rejects with (fails the test if it resolves). */
async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a rejection');
}

describe('modules: AbstractStartedContainer and the lifecycle hooks', () => {
  /** A module written as testcontainers' docs show, recording the hooks it sees. */
  class EchoContainer extends GenericContainer {
    readonly calls: string[] = [];
    constructor(image: string) {
      super(image);
      this.withCommand(['sh', '-c', 'echo $GREETING; exec sleep 1000']).withWaitStrategy(Wait.forLogMessage('hello'));
    }
    protected override async beforeContainerCreated(): Promise<void> {
      this.calls.push('beforeContainerCreated');
      this.withEnvironment({ GREETING: 'hello' });
    }
    protected override async containerCreated(id: string): Promise<void> {
      this.calls.push(`containerCreated ${id.length}`);
    }
    protected override async containerStarting(info: ContainerInfo, reused: boolean): Promise<void> {
      this.calls.push(`containerStarting ${info.State.Running} ${reused}`);
    }
    protected override async containerStarted(c: StartedTestContainer, _info: ContainerInfo, reused: boolean): Promise<void> {
      this.calls.push(`containerStarted ${c.getId().length} ${reused}`);
    }
    override async start(engine?: Engine): Promise<StartedEchoContainer> {
      return new StartedEchoContainer(await super.start(engine), this.calls);
    }
  }
  class StartedEchoContainer extends AbstractStartedContainer {
    constructor(
      started: StartedTestContainer,
      readonly calls: string[],
    ) {
      super(started);
    }
    async greeting(): Promise<string> {
      return (await this.output()).trim();
    }
    protected override async containerStopping(): Promise<void> {
      this.calls.push('containerStopping');
    }
    protected override async containerStopped(): Promise<void> {
      this.calls.push('containerStopped');
    }
  }

  it('runs the hooks in testcontainers order, and the module wraps the started container', async () => {
    const module = new EchoContainer(busybox());
    const started = await module.start();
    expect(await started.greeting()).toBe('hello');
    expect(started.getName()).toMatch(/^\//);
    const stopped = await started.stop();
    expect(stopped.getId()).toBe(started.getId());
    expect(module.calls).toEqual([
      'beforeContainerCreated',
      'containerCreated 64',
      'containerStarting true false',
      'containerStarted 64 false',
      'containerStopping',
      'containerStopped',
    ]);
    await expect(getEngine().inspectContainer(started.getId())).rejects.toBeInstanceOf(ContainerNotFoundError);
  });

  it('await using a module container stops it through its hooks', async () => {
    const module = new EchoContainer(busybox());
    let id = '';
    {
      await using started = await module.start();
      id = started.getId();
    }
    expect(module.calls.slice(-2)).toEqual(['containerStopping', 'containerStopped']);
    await expect(getEngine().inspectContainer(id)).rejects.toBeInstanceOf(ContainerNotFoundError);
  });
});

describe('StartupCheckStrategy', () => {
  /** Ready once /tmp/ready exists, as a user's own check would be written. */
  class FileCheck extends StartupCheckStrategy {
    async checkStartupState(engine: Engine, id: string): Promise<StartupStatus> {
      const { State } = await engine.inspectContainer(id);
      if (!State.Running) return 'FAIL';
      const probe = await engine.execContainer(id, { cmd: ['test', '-e', '/tmp/ready'] }).catch(() => undefined);
      if (!probe) return 'PENDING'; // It may have exited meanwhile: the next look says so.
      return probe.exitCode === 0 ? 'SUCCESS' : 'PENDING';
    }
  }

  it('a custom check is polled until SUCCESS', async () => {
    await using c = await sh('sleep 0.3; touch /tmp/ready; exec sleep 1000').withWaitStrategy(new FileCheck()).start();
    expect((await c.exec(['test', '-e', '/tmp/ready'])).exitCode).toBe(0);
  });

  it('FAIL says "Container failed to start for <id>"', async () => {
    const error = await rejection(sh('exit 3').withWaitStrategy(new FileCheck()).start());
    expect(error).toBeInstanceOf(WaitStrategyError);
    expect(error.message).toMatch(/Container failed to start for [0-9a-f]{64}/);
  });

  it('forOneShotStartup is one: exit 0 is ready, another code fails with it', async () => {
    await using ok = await sh('echo done').withWaitStrategy(Wait.forOneShotStartup()).start();
    expect((await ok.inspect()).State.ExitCode).toBe(0);
    const error = await rejection(sh('exit 5').withWaitStrategy(Wait.forOneShotStartup()).start());
    expect(error.message).toContain('exited with code 5');
  });
});

describe("timeouts: per strategy, testcontainers' words, typed", () => {
  const timedOut = async (builder: GenericContainer): Promise<StartupTimeoutError> => {
    const error = await rejection(builder.start());
    expect(error).toBeInstanceOf(StartupTimeoutError);
    const typed = error as StartupTimeoutError;
    expect(typed.code).toBe('STARTUP_TIMEOUT');
    expect(typed.hint).toBeTruthy();
    return typed;
  };

  it('a log message', async () => {
    const error = await timedOut(
      sh('echo starting; exec sleep 1000').withWaitStrategy(Wait.forLogMessage('never').withStartupTimeout(400)),
    );
    expect(error.message).toContain('Log message "never" not received after 400ms');
    expect(error.lastLogLines).toEqual(['starting\n']);
  });

  it("the container's startup timeout wins over the strategy's", async () => {
    const strategy = Wait.forLogMessage('never').withStartupTimeout(60_000);
    const error = await timedOut(sh('exec sleep 1000').withWaitStrategy(strategy).withStartupTimeout(300));
    expect(error.message).toContain('Log message "never" not received after 300ms');
  });

  it('a port, a URL and a shell command', async () => {
    const silent = () => sh('exec sleep 1000').withExposedPorts(80);
    expect((await timedOut(silent().withWaitStrategy(Wait.forListeningPorts().withStartupTimeout(300)))).message).toContain(
      'Port 80 not bound after 300ms',
    );
    expect((await timedOut(silent().withWaitStrategy(Wait.forHttp('/health', 80).withStartupTimeout(300)))).message).toContain(
      'URL /health not accessible after 300ms',
    );
    expect((await timedOut(silent().withWaitStrategy(Wait.forSuccessfulCommand('false').withStartupTimeout(300)))).message).toContain(
      'Shell command "false" not successful after 300ms',
    );
  });

  it('forAll: withDeadline bounds the whole; a part keeps its own shorter timeout', async () => {
    const deadline = Wait.forAll([Wait.forLogMessage('a'), Wait.forLogMessage('never')]).withDeadline(400);
    const whole = await timedOut(sh('echo a; exec sleep 1000').withWaitStrategy(deadline));
    expect(whole.message).toContain('Composite wait strategy not successful after 400ms');

    const part = Wait.forAll([Wait.forLogMessage('never').withStartupTimeout(300), Wait.forLogMessage('a')]).withDeadline(10_000);
    const own = await timedOut(sh('echo a; exec sleep 1000').withWaitStrategy(part));
    expect(own.message).toContain('Log message "never" not received after 300ms');
  });

  it('forAll.withStartupTimeout gives the parts without a timeout that one', async () => {
    const composite = Wait.forAll([Wait.forLogMessage('never')]).withStartupTimeout(350);
    const error = await timedOut(sh('exec sleep 1000').withWaitStrategy(composite));
    expect(error.message).toContain('not received after 350ms');
  });

  it('a container that exits while waited on reports its last 50 log lines', async () => {
    const error = await rejection(
      sh('for i in $(seq 1 80); do echo line$i; done; exit 1').withWaitStrategy(Wait.forLogMessage('never')).start(),
    );
    expect(error).toBeInstanceOf(WaitStrategyError);
    const lines = (error as WaitStrategyError).lastLogLines;
    expect(lines).toHaveLength(50);
    expect(lines.at(-1)).toBe('line80\n');
  });
});

describe('started and stopped containers', () => {
  it('getName has the leading "/", a given name stays as given; getHostname, getLabels, getNetworkId', async () => {
    await using network = await new Network().start();
    const name = `compat-${process.pid}-${Date.now()}`;
    await using c = await sh('exec sleep 1000')
      .withName(name)
      .withHostname('tc-host')
      .withLabels({ team: 'qa' })
      .withNetwork(network)
      .start();
    expect(c.getName()).toBe(`/${name}`);
    expect(c.getHostname()).toBe('tc-host');
    expect(c.getLabels()).toMatchObject({ team: 'qa' });
    expect(c.getNetworkNames()).toEqual([network.getName()]);
    expect(c.getNetworkId(network.getName())).toBe(network.getId());
    expect(c.getIpAddress(network.getName())).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
  });

  it('stop() resolves to the stopped container; with remove: false its files can still be copied out', async () => {
    const c = await sh('echo kept > /tmp/file; exec sleep 1000').withWaitStrategy(Wait.forSuccessfulCommand('test -e /tmp/file')).start();
    const stopped = await c.stop({ remove: false });
    expect(stopped.getId()).toBe(c.getId());
    expect(await c.stop()).toBe(stopped); // Idempotent: the same result.
    const chunks: Buffer[] = [];
    for await (const chunk of await stopped.copyArchiveFromContainer('/tmp/file')) chunks.push(Buffer.from(chunk as Buffer));
    expect(Buffer.concat(chunks).toString('latin1')).toContain('kept\n');
    await getEngine().removeContainer(c.getId(), { force: true });
    await expect(stopped.copyArchiveFromContainer('/tmp/file')).rejects.toBeInstanceOf(ContainerNotFoundError);
  });

  it('restart() resolves only once the wait strategy holds again', async () => {
    await using c = await sh('sleep 0.4; echo ready; exec sleep 1000').withWaitStrategy(Wait.forLogMessage('ready')).start();
    expect((await c.output()).match(/ready/g)).toHaveLength(1);
    await c.restart();
    // The log strategy counted only the new run's output: the second "ready" is there now.
    expect((await c.output()).match(/ready/g)).toHaveLength(2);
  });

  it('logs() is a live stream that follows until the container ends; since and tail select', async () => {
    const c = await sh('echo one; echo two; sleep 0.5; echo three').start();
    const seen: string[] = [];
    for await (const line of await c.logs()) seen.push(String(line));
    expect(seen).toEqual(['one\n', 'two\n', 'three\n']);
    const tail: string[] = [];
    for await (const line of await c.logs({ tail: 1 })) tail.push(String(line));
    expect(tail).toEqual(['three\n']);
    await c.stop();
  });

  it('ports given as { container, host, protocol } honour the protocol', async () => {
    const hostPort = 20_000 + (process.pid % 20_000);
    const bind = 'my $s = IO::Socket::INET->new(LocalPort => 53, Proto => "udp") or die; sleep 1000';
    await using c = await new GenericContainer(inject('fixtures').debian)
      .withCommand(['perl', '-MIO::Socket::INET', '-e', bind])
      .withExposedPorts({ container: 53, host: hostPort, protocol: 'udp' })
      .withWaitStrategy(Wait.forListeningPorts())
      .start();
    expect(c.getMappedPort(53, 'udp')).toBe(hostPort);
    expect(() => c.getMappedPort(53)).toThrow(/53\/tcp is not published/);
  });

  it('withIpcMode takes the default modes and refuses others with a hint', () => {
    expect(() => sh('true').withIpcMode('private').withIpcMode('shareable')).not.toThrow();
    expect(() => sh('true').withIpcMode('host')).toThrow(/IPC mode "host" is not supported/);
  });
});

describe('reuse as testcontainers switches it', () => {
  const homes: string[] = [];
  afterEach(() => {
    for (const home of homes.splice(0)) rmSync(home, { recursive: true, force: true });
  });
  const reusable = (tag: string) => sh(`echo ${tag}; exec sleep 1000`).withReuse().withWaitStrategy(Wait.forLogMessage(tag));
  /** Two starts of one reusable configuration give two containers: reuse is off. */
  const expectTwoContainers = async (tag: string): Promise<void> => {
    const a = await reusable(tag).start();
    const b = await reusable(tag).start();
    expect(b.getId()).not.toBe(a.getId());
    await a.stop();
    await b.stop();
  };

  it('TESTCONTAINERS_REUSE_ENABLE=false turns it off', async () => {
    await withEnv({ TESTCONTAINERS_REUSE_ENABLE: 'false' }, () => expectTwoContainers(`off-${Date.now()}`));
  });

  it('testcontainers.reuse.enable=false in ~/.testcontainers.properties turns it off', async () => {
    const home = mkdtempSync(join(tmpdir(), 'berth-tchome-'));
    homes.push(home);
    writeFileSync(join(home, '.testcontainers.properties'), '# test\ntestcontainers.reuse.enable=false\n');
    await withEnv({ HOME: home }, () => expectTwoContainers(`prop-${Date.now()}`));
  });

  it('a stopped reusable container is started again, not replaced', async () => {
    const tag = `again-${Date.now()}`;
    const name = `reuse-${process.pid}-${Date.now()}`;
    const first = await reusable(tag).withName(name).start();
    await first.stop({ remove: false });
    const second = await reusable(tag).withName(name).start();
    expect(second.getId()).toBe(first.getId());
    expect((await second.inspect()).State.Running).toBe(true);
    await second.stop();
  });
});

describe('environment testcontainers users set', () => {
  it('TESTCONTAINERS_HOST_OVERRIDE is the host getHost() gives', async () => {
    await withEnv({ TESTCONTAINERS_HOST_OVERRIDE: 'docker.example.test' }, async () => {
      await using c = await sh('exec sleep 1000').start();
      expect(c.getHost()).toBe('docker.example.test');
    });
  });

  it('TESTCONTAINERS_HUB_IMAGE_NAME_PREFIX puts the registry before a Docker Hub name', async () => {
    const registry = inject('registry');
    await withEnv({ TESTCONTAINERS_HUB_IMAGE_NAME_PREFIX: registry }, async () => {
      await using c = await new GenericContainer('library/busybox:latest').withCommand(['echo', 'from the prefix']).start();
      await c.wait();
      // Without the prefix this names docker.io, which this machine cannot reach.
      expect(await c.output()).toBe('from the prefix\n');
    });
  });

  it('TESTCONTAINERS_RYUK_DISABLED is accepted, and DEBUG=testcontainers* turns on the log', () => {
    const script = "import { debug } from './src/debug.ts'; debug('probe %s', 'line');";
    const run = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      env: { ...process.env, DEBUG: 'testcontainers*', TESTCONTAINERS_RYUK_DISABLED: 'true' },
      encoding: 'utf8',
    });
    expect(run.stderr).toMatch(/^berth \S+ probe line$/m);
  });
});

describe('commit as testcontainers takes it', () => {
  it('repo and tag name the image, changes apply to its config, the comment lands in it', async () => {
    await using c = await sh('echo data > /data.txt; exec sleep 1000')
      .withWaitStrategy(Wait.forSuccessfulCommand('test -e /data.txt'))
      .start();
    const repo = `berth.local/compat/commit-${process.pid}`;
    const id = await c.commit({
      repo,
      tag: 'v1',
      comment: 'made by the compat test',
      author: 'qa',
      changes: ['ENV STAGE=committed', 'LABEL team=qa', 'CMD ["cat", "/data.txt"]', 'EXPOSE 8080', 'WORKDIR /srv'],
    });
    const engine = getEngine();
    try {
      const image = await engine.inspectImage(`${repo}:v1`);
      expect(image?.Id).toBe(id);
      expect(image?.Config.comment).toBe('made by the compat test');
      expect(image?.Config.author).toBe('qa');
      expect(image?.Config.config).toMatchObject({
        Cmd: ['cat', '/data.txt'],
        Labels: { team: 'qa' },
        ExposedPorts: { '8080/tcp': {} },
        WorkingDir: '/srv',
      });
      expect(image?.Config.config?.Env).toContain('STAGE=committed');
      await using child = await new GenericContainer(`${repo}:v1`).start();
      await child.wait();
      expect(await child.output()).toBe('data\n');
    } finally {
      await engine.removeImage(`${repo}:v1`, { force: true });
    }
  });

  it('an instruction docker commit does not take is refused before anything is made', async () => {
    await using c = await sh('exec sleep 1000').start();
    const before = (await getEngine().listImages()).length;
    await expect(c.commit({ changes: ['RUN echo no'] })).rejects.toThrow(/not an instruction docker commit takes/);
    expect((await getEngine().listImages()).length).toBe(before);
  });
});

describe('inspect fills HostConfig as dockerd does', () => {
  it.skipIf(onDocker)(
    "NetworkMode, Binds, Tmpfs and PortBindings echo the request (local engine only: the Docker engine sends mounts as Mounts, so dockerd's HostConfig has no Binds)",
    async () => {
      const dir = mkdtempSync(join(tmpdir(), 'berth-bind-'));
      try {
        await using network = await new Network().start();
        await using c = await sh('exec sleep 1000')
          .withNetwork(network)
          .withBindMounts([{ source: dir, target: '/host', mode: 'ro' }])
          .withTmpFs({ '/scratch': 'rw,size=65536' })
          .withExposedPorts(80, { container: 81, host: 20_000 + (process.pid % 20_000) })
          // Nothing listens on the ports: the default (listening ports) would never be ready.
          .withWaitStrategy(Wait.forSuccessfulCommand('true'))
          .start();
        const { HostConfig } = await c.inspect();
        expect(HostConfig.NetworkMode).toBe(network.getName());
        expect(HostConfig.Binds).toEqual([`${dir}:/host:ro`]);
        expect(Object.keys(HostConfig.Tmpfs ?? {})).toEqual(['/scratch']);
        expect(HostConfig.PortBindings).toEqual({
          '80/tcp': [{ HostIp: '', HostPort: '' }],
          '81/tcp': [{ HostIp: '', HostPort: String(20_000 + (process.pid % 20_000)) }],
        });
        await using plain = await sh('exec sleep 1000').start();
        const defaults = (await plain.inspect()).HostConfig;
        expect(defaults).toMatchObject({ NetworkMode: 'default', Binds: null, PortBindings: {} });
        expect(defaults.Tmpfs).toBeUndefined();
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  );
});

describe('TestContainers.exposeHostPorts', () => {
  it.skipIf(onDocker)(
    'a container reaches a server that listens on the host loopback only, at host.testcontainers.internal (local engine only: dockerd maps the name to its gateway, which loopback-only servers do not listen on)',
    async () => {
      const server = createServer((_req, res) => res.end('hello from the host'));
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const { port } = server.address() as AddressInfo;
      try {
        await TestContainers.exposeHostPorts(port);
        for (const network of [undefined, await new Network().start()]) {
          const builder = sh(`wget -q -O - http://host.testcontainers.internal:${port}/`);
          await using c = await (network ? builder.withNetwork(network) : builder).start();
          expect((await c.wait()).exitCode).toBe(0);
          expect(await c.output()).toBe('hello from the host');
          await c.stop();
          await network?.stop();
        }
      } finally {
        server.close();
      }
    },
  );

  it('refuses a port that is not one', async () => {
    await expect(TestContainers.exposeHostPorts(0)).rejects.toThrow(/invalid host port 0/);
  });
});

describe('commit deleteOnExit', () => {
  /** Runs a child that commits a container with these options and exits; returns the image id. */
  const commitInChild = (deleteOnExit: boolean): string => {
    const script = `
      import { GenericContainer } from './src/index.ts';
      const c = await new GenericContainer(${JSON.stringify(busybox())}).withCommand(['sleep', '100']).start();
      const id = await c.commit({ deleteOnExit: ${deleteOnExit} });
      await c.stop();
      process.stdout.write(id);
    `;
    const run = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8' });
    if (run.status !== 0) throw new Error(`the child failed: ${run.stderr}`);
    return run.stdout.trim();
  };

  it.skipIf(onDocker)(
    'by default the image goes with the process that made it; deleteOnExit: false keeps it (local engine only: the Docker engine has no temporary images)',
    async () => {
      const gone = commitInChild(true);
      expect(gone).toMatch(/^sha256:/);
      expect(await getEngine().inspectImage(gone)).toBeUndefined();
      const kept = commitInChild(false);
      try {
        expect((await getEngine().inspectImage(kept))?.Id).toBe(kept);
      } finally {
        await getEngine().removeImage(kept, { force: true });
      }
    },
  );
});
