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
