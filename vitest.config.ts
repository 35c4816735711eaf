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

/**
 * The SDK test files that run again on the Docker backend (`sdk-docker`):
 * those that go through `getEngine()` and GenericContainer, chosen to keep
 * the second run short. Engine-level files (store, registry, the local
 * runtime, and network, volumes and copy, which test the local engine's
 * bridges, relays, mounts and file handling) stay local-only; the Docker
 * engine has test/docker-engine.test.ts.
 */
const SDK_FILES = [
  'test/sdk-container.test.ts',
  'test/sdk-builder.test.ts',
  'test/wait-strategies.test.ts',
  'test/wait.test.ts',
  'test/modules.test.ts',
  'test/testcontainers-compat.test.ts',
  'test/exec.test.ts',
  'test/logs.test.ts',
  'test/reuse.test.ts',
];

export default defineConfig({
  test: {
    projects: [
      { test: { ...shared, name: 'engine', include: ['test/*.test.ts'] } },
      // The same SDK tests on a Docker daemon (the system dockerd, started if absent).
      {
        test: {
          ...shared,
          name: 'sdk-docker',
          include: SDK_FILES,
          env: { ...shared.env, BERTH_ENGINE: 'docker', DOCKER_HOST: 'unix:///var/run/docker.sock' },
          globalSetup: [...shared.globalSetup, 'test/docker-global-setup.ts'],
        },
      },
      // After every other file, alone: the crash trials compare host-wide resources
      // before and after each kill, which other files' containers would disturb.
      { test: { ...shared, name: 'crash', include: ['test/crash/*.test.ts'], sequence: { groupOrder: 1 } } },
    ],
  },
});
