/**
 * Binds containers to jest's test lifecycle (`import { useBerth } from 'berth/jest'`).
 *
 * ```js
 * import { GenericContainer } from 'berth';
 * import { useBerth } from 'berth/jest';
 *
 * const berth = useBerth();
 * test('reads back what it wrote', async () => {
 *   const redis = await berth.start(new GenericContainer('redis:7').withExposedPorts(6379));
 *   // ... removed when the test ends, passed or failed
 * });
 * ```
 *
 * jest is not a dependency of Berth: its hooks are read from the globals jest
 * defines in every test file, or passed in.
 */
import { runProcessEndHooks } from '../engine/state/process-end.js';
import { JestHooksUnavailableError } from '../errors.js';
import { Scope, type Startable } from './lifecycle/scope.js';

export { Scope, type Startable } from './lifecycle/scope.js';

/** A jest hook registrar, as `afterEach` from `@jest/globals`. */
export type JestHook = (fn: () => Promise<void>, timeout?: number) => void;

/** The jest hooks {@link useBerth} registers its cleanup with. */
export interface JestHooks {
  /** Closes the block's scope (what `beforeAll` and concurrent tests started). */
  afterAll: JestHook;
  /** Opens a scope for the test about to run. */
  beforeEach: JestHook;
  /** Closes the scope of the test that just ended. */
  afterEach: JestHook;
}

/** What {@link useBerth} returns: starts containers and networks tied to the running test. */
export interface BerthScope {
  /**
   * Starts `what` and ties it to the running test (removed after it), or, from
   * `beforeAll` or a concurrent test, to the enclosing block (removed after its last test).
   */
  start<T extends AsyncDisposable>(what: Startable<T>): Promise<T>;
  /** Ties something already started to the running test (or block, as {@link BerthScope.start}); returns it. */
  track<T extends AsyncDisposable>(started: T): T;
}

const HOOK_NAMES = ['afterAll', 'beforeEach', 'afterEach'] as const;

/**
 * Registers jest hooks that remove what each test started through the returned
 * {@link BerthScope} when the test ends, passed or failed, and what `beforeAll`
 * started after the last test of the block. Call it at the top of a test file
 * or inside `describe()`; its hooks apply to that block.
 *
 * jest runs a block's `afterEach`/`afterAll` hooks in the order they were
 * declared, so hooks that still use the containers go before `useBerth()`.
 * jest runs no `beforeEach`/`afterEach` around `test.concurrent`: what those
 * start ends with the block. Cleanup gets jest's hook timeout (`testTimeout`).
 * jest hides the process's exit from a test file, so at a block's end it also
 * releases what Berth otherwise releases when the process exits (the default
 * network's bridge, once no container uses it).
 *
 * @param hooks jest's hooks; by default the globals jest injects (pass them
 *   from `@jest/globals` when `injectGlobals` is false).
 * @throws {JestHooksUnavailableError} when the hooks are not defined, e.g. outside jest.
 */
export function useBerth(hooks: Partial<JestHooks> = globalThis as Partial<JestHooks>): BerthScope {
  const { afterAll, beforeEach, afterEach } = requireHooks(hooks);
  const block = new Scope();
  let current = block;
  beforeEach(async () => {
    current = new Scope();
  });
  afterEach(async () => {
    const ending = current;
    current = block;
    await ending.close();
  });
  afterAll(async () => {
    try {
      await block.close();
    } finally {
      // jest's sandboxed `process` never sees the real exit: finish now what Berth does at process end.
      runProcessEndHooks();
    }
  });
  return {
    start: (what) => current.start(what),
    track: (started) => current.track(started),
  };
}

function requireHooks(hooks: Partial<JestHooks>): JestHooks {
  const missing = HOOK_NAMES.filter((name) => typeof hooks[name] !== 'function');
  if (missing.length > 0) throw new JestHooksUnavailableError(missing);
  return hooks as JestHooks;
}
