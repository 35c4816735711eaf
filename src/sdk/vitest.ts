/**
 * Binds containers to vitest's test lifecycle (`import { test } from 'berth/vitest'`).
 *
 * ```ts
 * import { test } from 'berth/vitest';
 * test('reads back what it wrote', async ({ berth, expect }) => {
 *   const redis = await berth.start(new GenericContainer('redis:7').withExposedPorts(6379));
 *   // ... removed when the test ends, passed or failed
 * });
 * ```
 */
import { test as base } from 'vitest';
import type { TestProject } from 'vitest/node';
import { Scope } from './lifecycle/scope.js';

export { Scope, type Startable } from './lifecycle/scope.js';

/** The fixtures {@link test} adds. */
export interface BerthFixtures {
  /** Starts containers and networks that are removed when the test ends. */
  berth: Scope;
}

/** vitest's `test` with a `berth` fixture: a {@link Scope} that ends with the test. */
export const test = base.extend<BerthFixtures>({
  // biome-ignore lint/correctness/noEmptyPattern: vitest reads a fixture's dependencies from this pattern
  berth: async ({}, use) => {
    const scope = new Scope();
    try {
      await use(scope);
    } finally {
      await scope.close();
    }
  },
});

/** What a suite-wide setup gets: a scope for its services and vitest's `provide`. */
export type GlobalSetupFn = (scope: Scope, provide: TestProject['provide']) => Promise<void>;

/**
 * A vitest `globalSetup` module's default export that starts suite-wide
 * services once and removes them after the last test (or at once, if the
 * setup itself fails).
 *
 * ```ts
 * // vitest.global.ts, listed in vitest.config.ts `test.globalSetup`
 * export default berthGlobalSetup(async (scope, provide) => {
 *   const pg = await scope.start(new PostgreSqlContainer());
 *   provide('databaseUrl', pg.getConnectionUri());
 * });
 * ```
 */
export function berthGlobalSetup(setup: GlobalSetupFn): (project: TestProject) => Promise<() => Promise<void>> {
  return async (project) => {
    const scope = new Scope();
    try {
      await setup(scope, project.provide.bind(project));
    } catch (error) {
      await scope.close().catch(() => undefined);
      throw error;
    }
    return () => scope.close();
  };
}
