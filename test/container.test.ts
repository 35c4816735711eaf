import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { statePaths } from '../src/engine/paths.js';
import {
  ContainerExecError,
  ContainerNotFoundError,
  GenericContainer,
  getEngine,
  ImageNotFoundError,
  ImagePullError,
  InvalidReferenceError,
  LocalEngine,
  type StartedTestContainer,
} from '../src/index.js';
import { containerDirExists, eventually, mountsUnderState, processExists } from './support/leaks.js';

const busybox = (): string => inject('fixtures').busybox;

/** Runs `script` with sh in a fresh busybox container and returns its output and exit code. */
async function run(script: string, configure: (c: GenericContainer) => GenericContainer = (c) => c) {
  const container = await configure(new GenericContainer(busybox()).withCommand(['sh', '-c', script])).start();
  try {
    const { exitCode } = await container.wait();
    return { exitCode, output: await container.output(), container };
  } finally {
    await container.stop();
  }
}

describe('the first container', () => {
  it('pulls busybox from the registry, runs a command and reports output and exit code', async () => {
    const { exitCode, output, container } = await run('echo hello; hostname');
    expect(exitCode).toBe(0);
    expect(output).toBe(`hello\n${container.getId().slice(0, 12)}\n`);
  });

  it('reports a non-zero exit code', async () => {
    const { exitCode } = await run('exit 7');
    expect(exitCode).toBe(7);
  });

  it('runs the command as PID 1 of its own PID namespace and sees no host process', async () => {
    const { output } = await run('echo $$; ls -d /proc/[0-9]* | wc -l; test -e /proc/1/root && readlink /proc/1/root');
    const [pid, count, root] = output.trim().split('\n');
    expect(pid).toBe('1');
    // sh (1) and, at most, the short-lived ls/wc of the pipeline.
    expect(Number(count)).toBeLessThanOrEqual(3);
    expect(root).toBe('/');
  });

  it('gives the container its own hostname', async () => {
    const { output } = await run('hostname; echo $HOSTNAME', (c) => c.withHostname('berth-box'));
    expect(output).toBe('berth-box\nberth-box\n');
    expect(hostname()).not.toBe('berth-box');
  });

  it("uses the image's rootfs as /", async () => {
    const { output } = await run('cat /etc/passwd; ls /; test -e /var/lib/berth && echo HOST-STATE-VISIBLE; true');
    expect(output).toContain('berth:x:1000:1000');
    expect(output).not.toContain('HOST-STATE-VISIBLE');
    expect(output).not.toMatch(/^work$/m);
  });

  it('gives / the mode 0755, so users other than root can use the rootfs', async () => {
    const { output } = await run('stat -c %a /');
    expect(output).toBe('755\n');
  });

  it('mounts /sys read-only and /proc, /dev as a container expects', async () => {
    const { output } = await run(
      'grep " /sys " /proc/mounts; touch /sys/x 2>/dev/null && echo SYS-WRITABLE; ls /dev; echo x > /dev/null && echo devnull-ok',
    );
    expect(output).toMatch(/ \/sys sysfs ro,/);
    expect(output).not.toContain('SYS-WRITABLE');
    for (const dev of ['null', 'zero', 'full', 'random', 'urandom', 'tty', 'pts', 'ptmx', 'shm'])
      expect(output).toMatch(new RegExp(`^${dev}$`, 'm'));
    expect(output).toContain('devnull-ok');
  });

  it('passes environment and working directory', async () => {
    const { output } = await run('echo "$GREETING from $(pwd)"', (c) => c.withEnvironment({ GREETING: 'hi' }).withWorkingDir('/srv/app'));
    expect(output).toBe('hi from /srv/app\n');
  });

  it('removes the process, mounts and directories on stop()', async () => {
    const container = await new GenericContainer(busybox()).withCommand(['sleep', '1000']).start();
    const { State: state } = await container.inspect();
    expect(state.Running).toBe(true);
    expect(processExists(state.Pid)).toBe(true);
    expect(containerDirExists(container.getId())).toBe(true);
    await container.stop({ timeout: 2000 });
    expect(processExists(state.Pid)).toBe(false);
    expect(await eventually(() => !containerDirExists(container.getId()))).toBe(true);
    expect(mountsUnderState()).toEqual([]);
  });

  it('stops with SIGKILL when the stop signal is ignored', async () => {
    const container = await new GenericContainer(busybox()).withCommand(['sh', '-c', 'trap "" TERM; sleep 1000']).start();
    const started = Date.now();
    await container.stop({ timeout: 300 });
    expect(Date.now() - started).toBeGreaterThanOrEqual(300);
    expect(await eventually(() => !containerDirExists(container.getId()))).toBe(true);
  });

  it('cleans up with `await using`', async () => {
    let id = '';
    let pid = 0;
    {
      await using container: StartedTestContainer = await new GenericContainer(busybox()).withCommand(['sleep', '1000']).start();
      id = container.getId();
      pid = (await container.inspect()).State.Pid;
    }
    expect(processExists(pid)).toBe(false);
    expect(await eventually(() => !containerDirExists(id))).toBe(true);
  });
});

describe('clear errors', () => {
  it('a missing image is an ImagePullError caused by ImageNotFoundError', async () => {
    const registry = inject('registry');
    const error = await new GenericContainer(`${registry}/library/does-not-exist:latest`).start().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ImagePullError);
    expect((error as ImagePullError).cause).toBeInstanceOf(ImageNotFoundError);
    expect((error as Error).message).toContain('does-not-exist');
  });

  it('a malformed reference is an InvalidReferenceError naming the bad part', async () => {
    const error = await new GenericContainer('127.0.0.1:5000/Bad/Name:latest').start().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidReferenceError);
    expect((error as InvalidReferenceError).part).toContain('Bad');
  });

  it('a command that cannot be executed is a ContainerExecError, and nothing is left', async () => {
    const name = `exec-fail-${process.pid}-${Date.now()}`;
    const error = await new GenericContainer(busybox())
      .withName(name)
      .withCommand(['/no/such/binary'])
      .start()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ContainerExecError);
    expect((error as ContainerExecError).errno).toBe(2);
    expect((error as Error).message).toContain('/no/such/binary');
    await expect(getEngine().inspectContainer(name)).rejects.toBeInstanceOf(ContainerNotFoundError);
    expect(containerDirsNamed(name)).toEqual([]);
  });
});

describe('removal', () => {
  it('takes the container away at once and its files in the background; a new engine empties what a dead one left', async () => {
    const container = await new GenericContainer(busybox()).withCommand(['true']).start();
    await container.wait();
    const id = container.getId();
    await container.stop();
    expect(existsSync(join(statePaths().containers, id))).toBe(false);
    await expect(getEngine().inspectContainer(id)).rejects.toBeInstanceOf(ContainerNotFoundError);
    expect(await eventually(() => !containerDirExists(id))).toBe(true);

    // As a process killed mid-removal leaves it: renamed, not yet deleted.
    const left = join(statePaths().containers, '.trash', `${'0'.repeat(64)}-deadbeef`);
    mkdirSync(join(left, 'upper/etc'), { recursive: true });
    writeFileSync(join(left, 'config.json'), '{}');
    new LocalEngine();
    expect(await eventually(() => !existsSync(left))).toBe(true);
  });
});

/** Container state dirs whose config carries `name`. */
function containerDirsNamed(name: string): string[] {
  const root = statePaths().containers;
  return readdirSync(root)
    .filter((d) => /^[a-f0-9]{64}$/.test(d))
    .filter((d) => readFileSync(join(root, d, 'config.json'), 'utf8').includes(`"name":"${name}"`));
}
