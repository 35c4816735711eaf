import { describe, expect, inject, it } from 'vitest';
import { GenericContainer, getEngine, StartupTimeoutError, Wait, WaitStrategyError } from '../src/index.js';
import { containerDirExists } from './support/leaks.js';

const busybox = (): string => inject('fixtures').busybox;

/** Container dirs named `name` must be gone after a failed start. */
async function expectRemoved(name: string): Promise<void> {
  await expect(getEngine().inspectContainer(name)).rejects.toThrow(/no such container/);
}

describe('wait strategies', () => {
  it('log message: start() resolves only after the line appears the given number of times', async () => {
    const started = Date.now();
    await using c = await new GenericContainer(busybox())
      .withCommand(['sh', '-c', 'sleep 0.3; echo ready; sleep 0.2; echo ready; sleep 1000'])
      .withWaitStrategy(Wait.forLogMessage(/ready/, 2))
      .start();
    expect(Date.now() - started).toBeGreaterThanOrEqual(500);
    expect(await c.output()).toBe('ready\nready\n');
  });

  it('log message: times out with the strategy, the wait and the last log lines, and removes the container', async () => {
    const name = `wait-timeout-${process.pid}`;
    const error = await new GenericContainer(busybox())
      .withName(name)
      .withCommand(['sh', '-c', 'echo booting; echo still booting; sleep 1000'])
      .withWaitStrategy(Wait.forLogMessage('ready'))
      .withStartupTimeout(400)
      .start()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StartupTimeoutError);
    const timeout = error as StartupTimeoutError;
    expect(timeout.strategy).toContain('ready');
    expect(timeout.waitedMs).toBeGreaterThanOrEqual(400);
    expect(timeout.lastLogLines).toEqual(['booting\n', 'still booting\n']);
    expect(timeout.message).toContain('still booting');
    await expectRemoved(name);
  });

  it('log message: fails at once when the container exits first', async () => {
    const error = await new GenericContainer(busybox())
      .withCommand(['sh', '-c', 'echo fatal: no config; exit 3'])
      .withWaitStrategy(Wait.forLogMessage('ready'))
      .start()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WaitStrategyError);
    expect((error as WaitStrategyError).lastLogLines).toEqual(['fatal: no config\n']);
  });

  it('one-shot: succeeds on exit 0 and fails on another code', async () => {
    await using ok = await new GenericContainer(busybox())
      .withCommand(['sh', '-c', 'echo migrated'])
      .withWaitStrategy(Wait.forOneShotStartup())
      .start();
    expect(await ok.output()).toBe('migrated\n');
    const name = `one-shot-fail-${process.pid}`;
    const error = await new GenericContainer(busybox())
      .withName(name)
      .withCommand(['sh', '-c', 'exit 4'])
      .withWaitStrategy(Wait.forOneShotStartup())
      .start()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WaitStrategyError);
    expect((error as Error).message).toContain('code 4');
    await expectRemoved(name);
    expect(containerDirExists(name)).toBe(false);
  });

  it('composite: waits for every strategy under one deadline', async () => {
    await using c = await new GenericContainer(busybox())
      .withCommand(['sh', '-c', 'echo a; sleep 0.2; echo b; sleep 1000'])
      .withWaitStrategy(Wait.forAll([Wait.forLogMessage('a'), Wait.forLogMessage('b')]))
      .start();
    expect(await c.output()).toBe('a\nb\n');
    const error = await new GenericContainer(busybox())
      .withCommand(['sh', '-c', 'echo a; sleep 1000'])
      .withWaitStrategy(Wait.forAll([Wait.forLogMessage('a'), Wait.forLogMessage('never')]))
      .withStartupTimeout(300)
      .start()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StartupTimeoutError);
    expect((error as StartupTimeoutError).strategy).toBe('all of [log message a, log message never]');
  });
});
