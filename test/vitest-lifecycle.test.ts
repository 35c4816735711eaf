import { describe, expect, inject } from 'vitest';
import { ContainerNotFoundError, GenericContainer, getEngine } from '../src/index.js';
import { Scope, test } from '../src/sdk/vitest.js';
import { processExists } from './support/leaks.js';

const busybox = (): string => inject('fixtures').busybox;
const sleeper = (): GenericContainer => new GenericContainer(busybox()).withCommand(['sleep', '600']);

/** Containers (id, init pid) the tests below started; checked by the test after each. */
const started: { id: string; pid: number }[] = [];

async function expectGone(): Promise<void> {
  expect(started.length).toBeGreaterThan(0);
  for (const { id, pid } of started.splice(0)) {
    await expect(getEngine().inspectContainer(id)).rejects.toBeInstanceOf(ContainerNotFoundError);
    expect(processExists(pid)).toBe(false);
  }
}

// Sequential on purpose: each check runs after the test whose fixture it verifies.
describe.sequential('berth/vitest: containers end with the test that started them', () => {
  test('a test starts two containers through its berth fixture', async ({ berth }) => {
    for (let i = 0; i < 2; i++) {
      const c = await berth.start(sleeper());
      started.push({ id: c.getId(), pid: (await c.inspect()).State.Pid });
    }
    expect((await getEngine().inspectContainer(started[0]?.id ?? '')).State.Running).toBe(true);
  });

  test('...and after it passed, both are gone', expectGone);

  test.fails('a failing test starts a container', async ({ berth }) => {
    const c = await berth.start(sleeper());
    started.push({ id: c.getId(), pid: (await c.inspect()).State.Pid });
    throw new Error('the test fails on purpose');
  });

  test('...and after it failed, the container is gone', expectGone);
});

describe('Scope', () => {
  test('disposes of everything, newest first, and reports every failure', async () => {
    const order: string[] = [];
    const item = (name: string, fail = false): AsyncDisposable => ({
      [Symbol.asyncDispose]: async () => {
        order.push(name);
        if (fail) throw new Error(`${name} failed`);
      },
    });
    const scope = new Scope();
    scope.track(item('a', true));
    scope.track(item('b'));
    scope.track(item('c', true));
    const error = await scope.close().catch((e: unknown) => e);
    expect(order).toEqual(['c', 'b', 'a']);
    expect(error).toBeInstanceOf(AggregateError);
    expect((error as AggregateError).errors.map((e: Error) => e.message)).toEqual(['c failed', 'a failed']);
    expect(() => scope.track(item('late'))).toThrow(/scope has ended/);
  });
});
