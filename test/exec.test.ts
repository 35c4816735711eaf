import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  ContainerExecError,
  ContainerStateError,
  ContainerUserError,
  GenericContainer,
  getEngine,
  type StartedTestContainer,
} from '../src/index.js';
import { onDocker } from './support/backend.js';
import { eventually, processExists } from './support/leaks.js';

const busybox = (): string => inject('fixtures').busybox;

describe('exec', () => {
  let container: StartedTestContainer;

  beforeAll(async () => {
    container = await new GenericContainer(busybox())
      .withCommand(['sleep', '1000'])
      .withEnvironment({ FROM_CONTAINER: 'yes', SHARED: 'container' })
      .withWorkingDir('/tmp')
      .start();
  });

  afterAll(async () => {
    await container?.stop();
  });

  it('returns stdout and stderr apart, both in output, and the exit code', async () => {
    const result = await container.exec(['sh', '-c', 'echo out; sleep 0.05; echo err >&2; sleep 0.05; echo out2; exit 5']);
    expect(result).toEqual({ exitCode: 5, stdout: 'out\nout2\n', stderr: 'err\n', output: 'out\nerr\nout2\n' });
  });

  it('splits a string command on spaces, as testcontainers does', async () => {
    expect(await container.exec('echo a  b')).toMatchObject({ exitCode: 0, stdout: 'a b\n' });
  });

  it("runs in the container's namespaces", async () => {
    const engine = getEngine();
    const info = await container.inspect();
    const { stdout } = await container.exec(['sh', '-c', 'hostname; cat /proc/1/cmdline | tr "\\0" " "']);
    const [host, init] = stdout.trim().split('\n');
    expect(host).toBe(info.Config.Hostname);
    expect(init).toBe('sleep 1000');
    const top = await engine.topContainer(container.getId());
    expect(top.Processes.length).toBe(1); // the exec'd command is gone again
  });

  it.skipIf(onDocker)(
    "runs in the container's cgroup namespace (local engine only: dockerd 20.10 gives no private cgroup namespace on cgroup v1)",
    async () => {
      const { stdout } = await container.exec(['cat', '/proc/self/cgroup']);
      const cgroups = stdout.trim().split('\n');
      // A cgroup namespace rooted at the container's cgroup: every line ends in "/".
      expect(cgroups.length).toBeGreaterThan(0);
      for (const line of cgroups) expect(line).toMatch(/:\/$/);
    },
  );

  it("takes the container's env, user and working dir, each overridable", async () => {
    const script = 'echo $FROM_CONTAINER $SHARED $EXTRA; id -u; pwd';
    expect((await container.exec(['sh', '-c', script])).stdout).toBe('yes container\n0\n/tmp\n');
    const custom = await container.exec(['sh', '-c', script], {
      env: { SHARED: 'exec', EXTRA: '1' },
      user: 'berth',
      workingDir: '/home/berth',
    });
    expect(custom.stdout).toBe('yes exec 1\n1000\n/home/berth\n');
  });

  it("keeps the container's capabilities and seccomp", async () => {
    const plain = await container.exec(['grep', '-E', '^(CapEff|Seccomp):', '/proc/self/status']);
    expect(plain.stdout).toBe('CapEff:\t00000000a80425fb\nSeccomp:\t2\n');
  });

  it.skipIf(onDocker)('widens them for a privileged exec (local engine only: runc here refuses caps the container lacks)', async () => {
    const privileged = await container.exec(['grep', '-E', '^Seccomp:', '/proc/self/status'], { privileged: true });
    expect(privileged.stdout).toBe('Seccomp:\t0\n');
  });

  it('runs on a terminal with tty', async () => {
    const result = await getEngine().execContainer(container.getId(), {
      cmd: ['sh', '-c', 'tty; echo err >&2; [ -t 1 ] && echo is-a-tty'],
      tty: true,
    });
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toMatch(/^\/dev\/pts\/\d+\r\nerr\r\nis-a-tty\r\n$/);
    expect(result.stderr).toBe('');
  });

  it('streams output as it arrives', async () => {
    const seen: string[] = [];
    await getEngine().execContainer(container.getId(), {
      cmd: ['sh', '-c', 'echo one; echo two >&2'],
      onOutput: (stream, chunk) => seen.push(`${stream}:${chunk.toString()}`),
    });
    expect(seen).toEqual(expect.arrayContaining(['stdout:one\n', 'stderr:two\n']));
  });

  it('fails with ContainerExecError and the errno for a missing binary', async () => {
    const error = await container.exec(['no-such-binary']).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ContainerExecError);
    expect((error as ContainerExecError).errno).toBe(2);
  });

  it("gives the user the groups /etc/group lists it in, read from the container's files", async () => {
    await container.exec(['sh', '-c', 'echo "staff:x:50:root,berth" >> /etc/group; echo "audio:x:29:berth" >> /etc/group']);
    expect((await container.exec(['id', '-G'], { user: 'berth' })).stdout).toBe('1000 29 50\n');
    // An explicit group replaces the primary one and leaves out the memberships (runc's rules).
    expect((await container.exec(['id', '-G'], { user: 'berth:nogroup' })).stdout).toBe('65534\n');
  });

  it('fails with ContainerUserError for an unknown user', async () => {
    await expect(container.exec(['true'], { user: 'ghost' })).rejects.toBeInstanceOf(ContainerUserError);
  });

  it('kills the exec when the container stops', async () => {
    const engine = getEngine();
    const c = await new GenericContainer(busybox()).withCommand(['sleep', '1000']).start();
    const pending = c.exec(['sleep', '1000']);
    // Polled, not a fixed pause: on a loaded machine the exec may take longer to appear.
    let pids: number[] = [];
    const bothListed = async (): Promise<boolean> => {
      const top = await engine.topContainer(c.getId());
      const column = top.Titles.indexOf('PID'); // docker top puts UID first
      pids = top.Processes.map((p) => Number(p[column]));
      return pids.length === 2;
    };
    await eventually(bothListed, 5000, 20);
    expect(pids.length).toBe(2);
    await c.stop();
    const result = await pending;
    expect(result.exitCode).toBe(137);
    // A daemon may report the stop a moment before the kernel has reaped the exec.
    expect(await eventually(() => pids.every((pid) => !processExists(pid)), 5000)).toBe(true);
  });

  it('runs bash in a debian container as nobody', async () => {
    const c = await new GenericContainer(inject('fixtures').debian).withCommand(['sleep', '1000']).withUser('nobody').start();
    try {
      const result = await c.exec(['bash', '-c', 'echo "$(id -un) $(id -gn) $BASH_VERSION" >&2; exit 3']);
      expect(result.exitCode).toBe(3);
      expect(result.stderr).toMatch(/^nobody nogroup \d+\./);
      expect((await c.exec(['id', '-u'], { user: 'root' })).stdout).toBe('0\n');
    } finally {
      await c.stop();
    }
  });

  it('refuses a container that is not running, or paused', async () => {
    const c = await new GenericContainer(busybox()).withCommand(['true']).start();
    await c.wait();
    await expect(c.exec(['true'])).rejects.toBeInstanceOf(ContainerStateError);
    await c.stop();
    await getEngine().pauseContainer(container.getId());
    await expect(container.exec(['true'])).rejects.toBeInstanceOf(ContainerStateError);
    await getEngine().unpauseContainer(container.getId());
    expect((await container.exec(['true'])).exitCode).toBe(0);
  });
});

describe('attach', () => {
  it('streams only the output that comes after it, until the container ends', async () => {
    const c = await new GenericContainer(busybox())
      .withCommand(['sh', '-c', 'echo before; while [ ! -e /tmp/go ]; do sleep 0.02; done; echo after; echo oops >&2'])
      .start();
    try {
      // Attached once 'before' is written, and only then is the container told to go on:
      // no timing decides which lines the stream holds.
      await eventually(async () => (await c.output()).includes('before'), 5000, 20);
      const stream = await c.attach();
      await c.exec(['touch', '/tmp/go']);
      const chunks: string[] = [];
      for await (const chunk of stream) chunks.push(String(chunk));
      // dockerd copies stdout and stderr apart, so their order across the two streams is not kept.
      expect(onDocker ? chunks.sort() : chunks).toEqual(['after\n', 'oops\n']);
    } finally {
      await c.stop();
    }
  });
});
