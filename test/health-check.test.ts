import { execFileSync, spawn } from 'node:child_process';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { GenericContainer, getEngine, InvalidSpecError, LocalEngine, StartupTimeoutError, Wait, WaitStrategyError } from '../src/index.js';
import { writeBusyboxRootfs } from './support/busybox-rootfs.js';
import { containerDirExists } from './support/leaks.js';
import { TempDirs } from './support/temp-dirs.js';

const busybox = (): string => inject('fixtures').busybox;
const temp = new TempDirs('berth-health-');
afterAll(() => temp.removeAll());

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('health checks', () => {
  it('healthy: the default wait uses it; failures in the start period do not count; inspect shows State.Health', async () => {
    await using c = await new GenericContainer(busybox())
      .withCommand(['sh', '-c', 'sleep 0.4; touch /tmp/healthy; sleep 1000'])
      .withExposedPorts(80) // Nothing listens: the health check, not the ports, is the default wait.
      .withHealthCheck({ test: ['CMD-SHELL', 'test -f /tmp/healthy && echo fine'], interval: 100, retries: 1, startPeriod: 5000 })
      .start();
    const health = (await c.inspect()).State.Health;
    expect(health?.Status).toBe('healthy');
    expect(health?.FailingStreak).toBe(0);
    const log = health?.Log ?? [];
    expect(log.at(-1)).toMatchObject({ ExitCode: 0, Output: 'fine\n' });
    expect(log.at(0)?.ExitCode).toBe(1); // Failed before the file existed, without making it unhealthy.
    expect(log.length).toBeLessThanOrEqual(5);
    expect(Date.parse(log.at(-1)?.End ?? '')).toBeGreaterThanOrEqual(Date.parse(log.at(-1)?.Start ?? ''));
    // A restart starts the checks again, with a fresh log.
    const restartedAt = Date.now();
    await getEngine().restartContainer(c.getId(), { timeoutMs: 0 });
    let after = (await c.inspect()).State.Health;
    while (after?.Status !== 'healthy') {
      await sleep(50);
      after = (await c.inspect()).State.Health;
    }
    expect(Date.parse(after.Log[0]?.Start ?? '')).toBeGreaterThanOrEqual(restartedAt);
  });

  it('runs no check while the container is paused, and checks again once it is unpaused', async () => {
    await using c = await new GenericContainer(busybox())
      .withCommand(['sleep', '1000'])
      .withHealthCheck({ test: ['CMD', 'true'], interval: 100, retries: 1 })
      .start();
    const engine = getEngine();
    const lastCheck = async (): Promise<number> => Date.parse((await c.inspect()).State.Health?.Log.at(-1)?.End ?? '');
    await engine.pauseContainer(c.getId());
    await sleep(250); // A check already under way when the pause came may still finish.
    const before = await lastCheck();
    await sleep(500);
    expect(await lastCheck()).toBe(before);
    expect((await c.inspect()).State.Health?.Status).toBe('healthy');
    await engine.unpauseContainer(c.getId());
    const unpausedAt = Date.now();
    while ((await lastCheck()) < unpausedAt) await sleep(50);
    expect((await c.inspect()).State.Health?.Log.at(-1)?.ExitCode).toBe(0);
  });

  it('unhealthy fails start() at once with the last output, and removes the container', async () => {
    const name = `unhealthy-${process.pid}`;
    const started = Date.now();
    const error = await new GenericContainer(busybox())
      .withName(name)
      .withCommand(['sh', '-c', 'echo serving; sleep 1000'])
      .withHealthCheck({ test: ['CMD', 'sh', '-c', 'echo db down >&2; exit 1'], interval: 100, retries: 2 })
      .withWaitStrategy(Wait.forHealthCheck())
      .withStartupTimeout(20_000)
      .start()
      .catch((e: unknown) => e);
    expect(Date.now() - started).toBeLessThan(5000);
    expect(error).toBeInstanceOf(WaitStrategyError);
    const failed = error as WaitStrategyError;
    expect(failed.message).toContain('unhealthy after 2 failures; last output (exit 1): db down');
    expect(failed.lastLogLines).toEqual(['serving\n']);
    await expect(getEngine().inspectContainer(name)).rejects.toThrow(/no such container/);
    expect(containerDirExists(name)).toBe(false);
  });

  it('a check over its timeout is killed and fails; another engine sees the state; checks stop with the container', async () => {
    const engine = getEngine();
    const c = await new GenericContainer(busybox())
      .withCommand(['sleep', '1000'])
      .withHealthCheck({ test: ['CMD', 'sleep', '7'], interval: 50, timeout: 200, retries: 1 })
      .withWaitStrategy(Wait.forSuccessfulCommand('true'))
      .start();
    try {
      const other = new LocalEngine(); // Same root, nothing shared in memory: it reads the state file.
      const health = async () => (await other.inspectContainer(c.getId())).State.Health;
      while ((await health())?.Status !== 'unhealthy') await sleep(50);
      expect((await health())?.Log.at(-1)).toMatchObject({ ExitCode: -1, Output: 'Health check exceeded timeout (200 ms)' });
      await sleep(1000);
      // Each timed-out check was killed: at most the one running now is left.
      const sleeps = (await engine.topContainer(c.getId())).Processes.filter((p) => p[2] === 'sleep 7');
      expect(sleeps.length).toBeLessThanOrEqual(1);
      await engine.stopContainer(c.getId(), { timeoutMs: 0 });
      const atStop = JSON.stringify(await health());
      await sleep(600);
      expect(JSON.stringify(await health())).toBe(atStop);
    } finally {
      await c.stop();
    }
  });

  it("the image's HEALTHCHECK is the default wait; NONE turns it off; forHealthCheck() then fails", async () => {
    const dir = temp.make();
    writeBusyboxRootfs(dir);
    const tar = execFileSync('tar', ['-C', dir, '-c', '.'], { maxBuffer: 64 << 20 });
    const engine = getEngine();
    const ref = `berth.local/healthcheck-${process.pid}:1`;
    await engine.importImage(
      (async function* () {
        yield tar;
      })(),
      ref,
      {
        cmd: ['sh', '-c', 'sleep 0.3; touch /tmp/up; sleep 1000'],
        healthcheck: { Test: ['CMD-SHELL', 'test -f /tmp/up'], Interval: 100e6, Retries: 1, StartPeriod: 5e9 },
      },
    );
    try {
      await using c = await new GenericContainer(ref).start();
      expect((await c.inspect()).State.Health?.Status).toBe('healthy');
      await using off = await new GenericContainer(ref).withHealthCheck({ test: ['NONE'] }).start();
      expect((await off.inspect()).State.Health).toBeUndefined();
      const error = await new GenericContainer(ref)
        .withHealthCheck({ test: ['NONE'] })
        .withWaitStrategy(Wait.forHealthCheck())
        .start()
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(WaitStrategyError);
      expect((error as Error).message).toContain('the container has no health check');
    } finally {
      await engine.removeImage(ref, { force: true });
    }
  });

  it('health checks alone do not keep the owning process alive', async () => {
    const owner = spawn(process.execPath, ['--import', 'tsx', 'test/support/health-owner.ts', busybox()], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    owner.stdout.on('data', (d) => {
      out += String(d);
    });
    const code = await new Promise((resolve) => owner.once('exit', resolve));
    expect(code).toBe(0);
    const id = out.trim();
    expect(id).toMatch(/^[0-9a-f]{64}$/);
    // Its monitor saw the owner go and removed the container.
    while (containerDirExists(id)) await sleep(50);
  });

  it('a malformed test is a typed error at create, leaving nothing', async () => {
    const name = `bad-health-${process.pid}`;
    const error = await new GenericContainer(busybox())
      .withName(name)
      .withHealthCheck({ test: ['sh', '-c', 'true'] })
      .start()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidSpecError);
    expect((error as InvalidSpecError).hint).toContain('CMD-SHELL');
    expect(containerDirExists(name)).toBe(false);
  });

  it('startup timeout while still starting names the health check', async () => {
    const error = await new GenericContainer(busybox())
      .withCommand(['sleep', '1000'])
      .withHealthCheck({ test: ['CMD', 'false'], interval: 100, startPeriod: 60_000 })
      .withStartupTimeout(600)
      .start()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StartupTimeoutError);
    expect((error as StartupTimeoutError).strategy).toBe('health check');
  });
});
