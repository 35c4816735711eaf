import type { TestProject } from 'vitest/node';
import { Scope } from './scope.js';

/** What a suite-wide setup gets: a scope for its services and vitest's `provide`. */
export type GlobalSetupFn = (scope: Scope, provide: TestProject['provide']) => Promise<void>;

/**
 * A vitest `globalSetup` module's default export that starts suite-wide
 * services once and removes them after the last test (or at once, if the
 * setup itself fails).
 *
 * ```ts
 * // vitest.global.ts, listed in vitest.config.ts `test.globalSetup`;
 * // import it from 'berth' here: 'berth/vitest' is for test files only
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
