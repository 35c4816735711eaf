import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // A store of its own, so test runs never touch the user's images and containers
    // (BERTH_TEST_ROOT lets two checkouts run their suites side by side).
    env: { BERTH_ROOT: process.env.BERTH_TEST_ROOT ?? '/var/lib/berth-test' },
    globalSetup: ['test/global-setup.ts'],
    // Forks, not threads: tests signal and wait for real processes, and the native addon is per-process.
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 120_000,
    teardownTimeout: 30_000,
  },
});
