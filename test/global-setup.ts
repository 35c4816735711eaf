/**
 * Vitest global setup: builds the fixture images (OCI layouts, cached), starts a
 * real registry on 127.0.0.1 and pushes every fixture to it as
 * `<host>/library/<name>:latest`. Tests read the results with `inject('registry')`
 * and `inject('fixtures')`.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TestProject } from 'vitest/node';
import { pushOciLayout } from '../src/engine/image/push.js';
import { graceMs } from '../src/net/default-network-linger.js';
import { settledLeaks, tempEntries } from './support/host-leaks.js';
import { startRegistry } from './support/registry.js';

/** The images test/fixtures/build-images.sh builds. */
export const FIXTURE_IMAGES = ['busybox', 'debian', 'redis', 'postgres', 'nginx', 'multiarch', 'busybox-zstd'] as const;
/** A fixture image's name. */
export type FixtureName = (typeof FIXTURE_IMAGES)[number];

declare module 'vitest' {
  export interface ProvidedContext {
    /** `127.0.0.1:<port>` of the test registry. */
    registry: string;
    /** Each fixture's reference in the test registry, e.g. `127.0.0.1:41234/library/busybox:latest`. */
    fixtures: Record<FixtureName, string>;
  }
}

const BUILD_SCRIPT = fileURLToPath(new URL('./fixtures/build-images.sh', import.meta.url));
/** Where build-images.sh leaves the layouts (same default as the script). */
const FIXTURE_CACHE = process.env.BERTH_FIXTURE_CACHE ?? '/var/cache/berth-fixtures';

/** Runs build-images.sh with inherited stdio; rejects if it fails. */
async function buildFixtures(): Promise<void> {
  const child = spawn('bash', [BUILD_SCRIPT], { stdio: 'inherit' });
  const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (c, s) => resolve([c, s]));
  });
  if (code !== 0) {
    const how = signal ? `was killed by ${signal}` : `exited with code ${code}`;
    throw new Error(`fixture build failed: bash ${BUILD_SCRIPT} ${how} (its output is above)`);
  }
}

/** Pushes the layout of fixture `name` to `<registryHost>/library/<name>:latest`; returns that reference. */
async function pushFixture(registryHost: string, name: FixtureName): Promise<string> {
  const layout = join(FIXTURE_CACHE, name);
  const target = `${registryHost}/library/${name}:latest`;
  try {
    await pushOciLayout(layout, target);
  } catch (error) {
    throw new Error(`pushing fixture ${layout} to ${target} failed`, { cause: error });
  }
  return target;
}

/** The test store (vitest.config.ts gives it to the workers as BERTH_ROOT). */
const STATE_ROOT = process.env.BERTH_TEST_ROOT ?? '/var/lib/berth-test';

/** After the run: anything Berth left on the host fails it. */
async function checkNothingLeaked(tempBefore: Set<string>): Promise<void> {
  // The last worker to use the default network left it to a reaper, which removes it after the grace period.
  const leaks = await settledLeaks(STATE_ROOT, tempBefore, graceMs() + 5000);
  if (leaks.length === 0) return;
  // vitest only prints an error thrown here; the run must fail too.
  process.exitCode = 1;
  throw new Error(`the test run left on the host:\n  ${leaks.join('\n  ')}`);
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const tempBefore = tempEntries();
  await buildFixtures();
  const registry = await startRegistry({ suite: true });
  try {
    const fixtures = {} as Record<FixtureName, string>;
    for (const name of FIXTURE_IMAGES) fixtures[name] = await pushFixture(registry.host, name);
    project.provide('registry', registry.host);
    project.provide('fixtures', fixtures);
  } catch (error) {
    await registry.stop();
    throw error;
  }
  return async () => {
    await registry.stop();
    await checkNothingLeaked(tempBefore);
  };
}
