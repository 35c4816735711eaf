/** Conformance cases for containers: lifecycle, run settings, signals, removal, names, errors, ports, top and stats. */
import { randomBytes } from 'node:crypto';
import { request } from 'undici';
import { expect, inject } from 'vitest';
import {
  ConflictError,
  ContainerExecError,
  ContainerNotFoundError,
  type ContainerSpec,
  ContainerStateError,
  type Engine,
  ImageNotFoundError,
  ImageNotPresentError,
  InvalidSpecError,
  NetworkNotFoundError,
  VolumeNotFoundError,
} from '../../src/index.js';
import { eventually } from '../support/leaks.js';
import type { CaseFn } from './describe-engine.js';
import type { SuiteContext } from './suite-context.js';

/** busybox httpd serving one page on 8080, saying `listening` first. */
export const HTTPD = [
  'sh',
  '-c',
  'mkdir -p /www && echo hello from berth > /www/index.html && echo listening && exec httpd -f -p 8080 -h /www',
];
/** Waits for /go to appear (an exec touches it), so a test decides when the command goes on. */
const AWAIT_GO = 'while [ ! -e /go ]; do sleep 0.05; done';

export function containerCases(ctx: SuiteContext, test: CaseFn): void {
  test('lifecycle', 'creates, starts and waits for a container, reporting its states and exit code', async () => {
    const { engine } = ctx;
    const name = ctx.name('life');
    const labels = { 'berth.conformance': ctx.prefix, case: name };
    const id = await ctx.create({ name, command: ['sh', '-c', `echo started; ${AWAIT_GO}; exit 7`], labels });
    expect(id).toMatch(/^[0-9a-f]{64}$/);
    const created = await engine.inspectContainer(name);
    expect(created).toMatchObject({ Id: id, Name: `/${name}`, Image: await ctx.busybox(), Config: { Labels: labels } });
    expect(created.State).toMatchObject({ Status: 'created', Running: false });
    expect((await engine.listContainers({ labels: { case: name } })).map((c) => c.Id)).toEqual([]);
    expect((await engine.listContainers({ all: true, labels: { case: name } })).map((c) => c.Id)).toEqual([id]);

    await engine.startContainer(id);
    const running = await engine.inspectContainer(id);
    expect(running.State).toMatchObject({ Status: 'running', Running: true, Paused: false });
    expect(running.State.Pid).toBeGreaterThan(0);
    expect((await engine.listContainers({ labels: { case: name } })).map((c) => c.Id)).toEqual([id]);
    await ctx.outputHas(id, 'started');

    await engine.execContainer(id, { cmd: ['touch', '/go'] });
    expect(await engine.waitContainer(id)).toMatchObject({ exitCode: 7 });
    const exited = await engine.inspectContainer(id);
    expect(exited.State).toMatchObject({ Status: 'exited', Running: false, ExitCode: 7 });
    expect(exited.State.StartedAt).toBe(running.State.StartedAt); // Kept after the exit, as Docker keeps it.
    expect(Date.parse(exited.State.FinishedAt)).toBeGreaterThanOrEqual(Date.parse(exited.State.StartedAt));
    expect(await engine.waitContainer(id)).toMatchObject({ exitCode: 7 }); // Ended already: at once, the same answer.
    expect((await engine.listContainers({ labels: { case: name } })).map((c) => c.Id)).toEqual([]);
  });

  test('invalid-spec', 'refuses a spec it cannot use with InvalidSpecError naming the field, making nothing', async () => {
    const { engine } = ctx;
    const name = ctx.name('invalid');
    const refused: [Partial<ContainerSpec>, string][] = [
      [{ env: { 'A=B': '1' } }, 'env name'],
      [{ ports: [{ containerPort: 70000 }] }, 'ports[0].containerPort'],
      [{ workingDir: 'relative/dir' }, 'workingDir'],
      [{ command: ['sh', '-c', 'echo \0'] }, 'command[2]'],
      [{ stopSignal: 'SIGNOPE' as NodeJS.Signals }, 'stopSignal'],
    ];
    for (const [spec, field] of refused) {
      const create = ctx.create({ name, ...spec });
      await expect(create).rejects.toBeInstanceOf(InvalidSpecError);
      await expect(create).rejects.toMatchObject({ code: 'INVALID_SPEC', field });
    }
    expect((await engine.listContainers({ all: true })).filter((c) => c.Name === `/${name}`)).toEqual([]);
  });

  test('start-failure', 'fails the start of a command that cannot be executed with ContainerExecError', async () => {
    const { engine } = ctx;
    const id = await ctx.create({ command: ['/no/such/binary'] });
    const start = engine.startContainer(id);
    await expect(start).rejects.toBeInstanceOf(ContainerExecError);
    await expect(start).rejects.toThrow(/no such file or directory/i);
    expect((await engine.inspectContainer(id)).State.Running).toBe(false);
    await engine.removeContainer(id);
    await expect(engine.inspectContainer(id)).rejects.toBeInstanceOf(ContainerNotFoundError);
  });

  test('run-settings', 'runs with the entrypoint, command, env, working dir and user of the spec, over the image defaults', async () => {
    const spec = {
      entrypoint: ['sh', '-c'],
      command: ['echo "$A|$B|$0"; pwd; id -u; id -g; echo "$PATH"', 'zero'],
      env: { A: '1', B: 'two words' },
      workingDir: '/tmp',
      user: 'nobody',
    };
    const id = await ctx.run(undefined, spec);
    expect(await ctx.engine.waitContainer(id)).toMatchObject({ exitCode: 0 });
    const [echoed, pwd, uid, gid, path] = (await ctx.logLines(id)).map((l) => l.trimEnd());
    expect([echoed, pwd, uid, gid]).toEqual(['1|two words|zero', '/tmp', '65534', '65534']);
    expect(path).toContain('/bin'); // The image's PATH is kept.
    const { Config } = await ctx.engine.inspectContainer(id);
    expect(Config).toMatchObject({ Entrypoint: spec.entrypoint, Cmd: spec.command, WorkingDir: '/tmp', User: 'nobody' });
    expect(Config.Env).toEqual(expect.arrayContaining(['A=1', 'B=two words', expect.stringMatching(/^PATH=/)]));
  });

  test('stop-kill', 'stops with the stop signal, escalates to SIGKILL after the timeout, and kills with a signal', async () => {
    const { engine } = ctx;
    const loop = (trap: string): string[] => ['sh', '-c', `trap ${trap}; echo ready; while true; do sleep 0.05; done`];
    const polite = await ctx.run(loop('"exit 3" TERM'));
    const stubborn = await ctx.run(loop('"" TERM'));
    const signalled = await ctx.run(loop('"exit 5" USR1'));
    await Promise.all([polite, stubborn, signalled].map((id) => ctx.outputHas(id, 'ready')));

    await engine.stopContainer(polite, { timeoutMs: 10_000 });
    expect((await engine.inspectContainer(polite)).State).toMatchObject({ Running: false, ExitCode: 3 });
    await engine.stopContainer(stubborn, { timeoutMs: 200 });
    expect((await engine.waitContainer(stubborn)).exitCode).toBe(137);
    await engine.stopContainer(stubborn); // Stopped already: nothing to do, no error.
    await engine.killContainer(signalled, 'SIGUSR1');
    expect((await engine.waitContainer(signalled)).exitCode).toBe(5);
    await expect(engine.killContainer(signalled)).rejects.toBeInstanceOf(ContainerStateError);
  });

  test('restart', 'restarts a container: a new process on the same writable layer', async () => {
    const { engine } = ctx;
    const id = await ctx.run(['sh', '-c', 'echo boot >> /boots; echo booted; exec sleep 60'], { stopSignal: 'SIGKILL' });
    await ctx.outputHas(id, 'booted');
    const before = await engine.inspectContainer(id);
    await engine.restartContainer(id, { timeoutMs: 1000 });
    const after = await engine.inspectContainer(id);
    expect(after.State).toMatchObject({ Status: 'running', Running: true });
    expect(after.State.StartedAt).not.toBe(before.State.StartedAt);
    expect(after.State.Pid).not.toBe(before.State.Pid);
    const boots = async (): Promise<string> => (await engine.execContainer(id, { cmd: ['cat', '/boots'] })).stdout;
    expect(await eventually(async () => (await boots()) === 'boot\nboot\n', 10_000)).toBe(true);
  });

  test('pause', 'pauses and unpauses: a paused container makes no progress and takes no exec', async () => {
    const { engine } = ctx;
    const id = await ctx.run(['sh', '-c', 'i=0; while true; do i=$((i+1)); echo $i > /counter; sleep 0.02; done']);
    const counter = (): Promise<string> => ctx.readFile(id, '/counter');
    const counting = async (): Promise<boolean> => Number(await counter().catch(() => '0')) > 0;
    expect(await eventually(counting, 10_000)).toBe(true);
    await engine.pauseContainer(id);
    expect((await engine.inspectContainer(id)).State).toMatchObject({ Status: 'paused', Paused: true });
    const frozen = await counter();
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await counter()).toBe(frozen);
    await expect(engine.execContainer(id, { cmd: ['true'] })).rejects.toBeInstanceOf(ContainerStateError);
    await expect(engine.pauseContainer(id)).rejects.toBeInstanceOf(ContainerStateError); // Paused already.
    await engine.unpauseContainer(id);
    expect((await engine.inspectContainer(id)).State).toMatchObject({ Status: 'running', Paused: false });
    await expect(engine.unpauseContainer(id)).rejects.toBeInstanceOf(ContainerStateError); // Not paused.
    expect(await eventually(async () => (await counter()) !== frozen, 10_000)).toBe(true);
  });

  test('remove', 'removes created and exited containers; a running one only with force', async () => {
    const { engine } = ctx;
    const running = await ctx.run(['sleep', '60']);
    await expect(engine.removeContainer(running)).rejects.toBeInstanceOf(ContainerStateError);
    expect((await engine.inspectContainer(running)).State.Running).toBe(true);
    await engine.removeContainer(running, { force: true });
    const exited = await ctx.run(['true']);
    await engine.waitContainer(exited);
    await engine.removeContainer(exited);
    const created = await ctx.create({ command: ['true'] });
    await engine.removeContainer(created);
    for (const id of [running, exited, created]) {
      await expect(engine.inspectContainer(id)).rejects.toBeInstanceOf(ContainerNotFoundError);
      await expect(engine.removeContainer(id)).rejects.toBeInstanceOf(ContainerNotFoundError);
    }
    const left = (await engine.listContainers({ all: true })).map((c) => c.Id);
    expect(left.filter((id) => [running, exited, created].includes(id))).toEqual([]);
  });

  test('conflict', 'refuses a container or network name in use with ConflictError, leaving nothing', async () => {
    const { engine } = ctx;
    const name = ctx.name('taken');
    const first = await ctx.create({ name, command: ['true'] });
    const second = ctx.create({ name, command: ['true'] });
    await expect(second).rejects.toBeInstanceOf(ConflictError);
    await expect(second).rejects.toMatchObject({ code: 'CONFLICT', message: expect.stringContaining(name) });
    const named = (await engine.listContainers({ all: true })).filter((c) => c.Name === `/${name}`);
    expect(named.map((c) => c.Id)).toEqual([first]);
    await engine.removeContainer(first);
    expect((await engine.inspectContainer(await ctx.create({ name, command: ['true'] }))).Name).toBe(`/${name}`); // Free again.

    const network = ctx.name('net');
    ctx.networks.add(network);
    await engine.createNetwork(network);
    const again = engine.createNetwork(network);
    await expect(again).rejects.toBeInstanceOf(ConflictError);
    await expect(again).rejects.toMatchObject({ message: expect.stringContaining(network) });
    expect((await engine.listNetworks()).filter((n) => n.Name === network)).toHaveLength(1);
  });

  test('not-found', 'names nothing by a typed not-found error: containers, images, networks, volumes', async () => {
    const { engine } = ctx;
    const missing = `${ctx.prefix}-missing`;
    const calls: ((e: Engine) => Promise<unknown>)[] = [
      (e) => e.inspectContainer(missing),
      (e) => e.startContainer(missing),
      (e) => e.stopContainer(missing),
      (e) => e.killContainer(missing),
      (e) => e.restartContainer(missing),
      (e) => e.pauseContainer(missing),
      (e) => e.waitContainer(missing),
      (e) => e.removeContainer(missing, { force: true }),
      (e) => e.containerLogs(missing),
      (e) => e.topContainer(missing),
      (e) => e.execContainer(missing, { cmd: ['true'] }),
      (e) => e.getArchive(missing, '/'),
    ];
    for (const call of calls) await expect(call(engine)).rejects.toBeInstanceOf(ContainerNotFoundError);
    const absent = `${inject('registry')}/${ctx.prefix}/absent-${randomBytes(4).toString('hex')}:1`;
    await expect(engine.createContainer({ image: absent })).rejects.toBeInstanceOf(ImageNotPresentError);
    await expect(engine.pullImage(absent, { policy: 'never' })).rejects.toBeInstanceOf(ImageNotPresentError);
    await expect(engine.removeImage(absent)).rejects.toBeInstanceOf(ImageNotPresentError);
    const pull = engine.pullImage(absent);
    await expect(pull).rejects.toMatchObject({ code: 'IMAGE_PULL_FAILED' });
    await expect(pull.catch((e: Error) => Promise.reject(e.cause))).rejects.toBeInstanceOf(ImageNotFoundError);
    await expect(engine.inspectNetwork(missing)).rejects.toBeInstanceOf(NetworkNotFoundError);
    await expect(engine.removeNetwork(missing)).rejects.toBeInstanceOf(NetworkNotFoundError);
    await expect(engine.inspectVolume(missing)).rejects.toBeInstanceOf(VolumeNotFoundError);
    await expect(engine.removeVolume(missing)).rejects.toBeInstanceOf(VolumeNotFoundError);
  });

  test('ports', 'publishes a container port that the host reaches over a real socket', async () => {
    const id = await ctx.run(HTTPD, { ports: [{ containerPort: 8080, hostIp: '127.0.0.1' }] });
    const [binding] = (await ctx.engine.inspectContainer(id)).NetworkSettings.Ports['8080/tcp'] ?? [];
    expect(binding?.HostIp).toBe('127.0.0.1');
    const port = Number(binding?.HostPort);
    expect(port).toBeGreaterThan(0);
    let body = '';
    const answered = await eventually(async () => {
      body = await request(`http://127.0.0.1:${port}/`).then(
        (r) => r.body.text(),
        () => '',
      );
      return body !== '';
    }, 10_000);
    expect(answered).toBe(true);
    expect(body).toBe('hello from berth\n');
  });

  test('top-stats', "lists the container's processes and reports its resource usage", async () => {
    const { engine } = ctx;
    const id = await ctx.run(['sh', '-c', 'sleep 61 & exec sleep 62']);
    const commands = async (): Promise<string[]> => {
      const top = await engine.topContainer(id);
      const column = top.Titles.findIndex((t) => t === 'CMD' || t === 'COMMAND');
      return top.Processes.map((p) => p[column] ?? '');
    };
    expect(await eventually(async () => (await commands()).filter((c) => /^sleep 6[12]$/.test(c)).length === 2, 10_000)).toBe(true);
    const stats = await engine.containerStats(id);
    expect(stats.Pids).toBe(2);
    expect(stats.MemoryUsage).toBeGreaterThan(0);
    expect(stats.MemoryLimit).toBeGreaterThan(0);
    expect(stats.CpuUsageNs).toBeGreaterThan(0);
  });
}
