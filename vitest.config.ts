import { defineConfig } from 'vitest/config';

/** Settings every project shares. */
const shared = {
  // A store of its own, so test runs never touch the user's images and containers
  // (BERTH_TEST_ROOT lets two checkouts run their suites side by side).
  env: { BERTH_ROOT: process.env.BERTH_TEST_ROOT ?? '/var/lib/berth-test' },
  globalSetup: ['test/global-setup.ts'],
  // Forks, not threads: tests signal and wait for real processes, and the native addon is per-process.
  pool: 'forks' as const,
  testTimeout: 60_000,
  hookTimeout: 120_000,
  teardownTimeout: 30_000,
};

export default defineConfig({
  test: {
    projects: [
      // Pure parsing and validation: no registry, container or root, so no global setup; runs in seconds.
      { test: { name: 'unit', include: ['test/unit/**/*.test.ts'] } },
      { test: { ...shared, name: 'engine', include: ['test/*.test.ts', 'test/conformance/*.test.ts'] } },
      // After every other file, alone: the crash trials compare host-wide resources
      // before and after each kill, which other files' containers would disturb.
      { test: { ...shared, name: 'crash', include: ['test/crash/*.test.ts'], sequence: { groupOrder: 1 } } },
    ],
  },
});
