import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { pushOciLayout } from '../src/engine/image/push.js';
import { getEngine, JestHooksUnavailableError } from '../src/index.js';
import { DEFAULT_NETWORK, NetworkStore } from '../src/net/network-store.js';
import { useBerth } from '../src/sdk/jest.js';
import { FIXTURE_CACHE } from './support/fixture-layout.js';

const REPO = fileURLToPath(new URL('..', import.meta.url));
const JEST = join(REPO, 'node_modules/jest/bin/jest.js');
const CONFIG = join(REPO, 'examples/jest/jest.config.mjs');

/** What jest's --json report says of a run. */
interface JestReport {
  success: boolean;
  numPassedTests: number;
  numFailedTests: number;
  numTotalTests: number;
}

/** Runs what follows it in a network namespace of its own, then prints the links and nft tables left there. */
const OWN_NETNS = [
  'unshare',
  '-n',
  'sh',
  '-c',
  'ip link set lo up && "$0" "$@"; rc=$?; echo "--- left in the namespace:"; ip -o link show; nft list tables; exit $rc',
];

/**
 * Runs jest as the README says (native ESM, the example's config) with `args`
 * and `env` added, after `prefix` (a command that runs the rest); resolves
 * with its report and everything it printed.
 */
async function runJest(
  args: string[],
  env: NodeJS.ProcessEnv,
  prefix: string[] = [],
): Promise<{ pid: number | undefined; code: number | null; report: JestReport; output: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'jest-report-'));
  const reportFile = join(dir, 'report.json');
  try {
    const nodeOptions = `${process.env.NODE_OPTIONS ?? ''} --experimental-vm-modules`.trim();
    const [command = '', ...rest] = [
      ...prefix,
      process.execPath,
      JEST,
      '--config',
      CONFIG,
      '--runInBand',
      '--json',
      `--outputFile=${reportFile}`,
      ...args,
    ];
    // The child inherits BERTH_ROOT (vitest.config.ts sets it), so it shares this suite's store.
    const child = spawn(command, rest, {
      cwd: REPO,
      env: { ...process.env, NODE_OPTIONS: nodeOptions, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d));
    child.stderr.on('data', (d: Buffer) => (output += d));
    const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
    if (!existsSync(reportFile)) throw new Error(`jest wrote no report (exit ${code}):\n${output}`);
    return { pid: child.pid, code, report: JSON.parse(readFileSync(reportFile, 'utf8')) as JestReport, output };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Pushes fixture `name` under a repository only this file uses, so its containers can be told from others'. */
async function ownImage(name: 'redis' | 'busybox'): Promise<string> {
  const reference = `${inject('registry')}/jest-example/${name}:latest`;
  await pushOciLayout(join(FIXTURE_CACHE, name), reference);
  return reference;
}

/** Containers (any state) in this suite's store made from `image`. */
async function containersOf(image: string): Promise<string[]> {
  const all = await getEngine().listContainers({ all: true });
  return all.filter((c) => c.Config.Image === image).map((c) => c.Id);
}

/** jest (--runInBand: the test files run in its own process) gave the default network back as it ended. */
function expectDefaultNetworkReleasedBy(pid: number | undefined): void {
  expect(pid).toBeTypeOf('number');
  expect(new NetworkStore().get(DEFAULT_NETWORK)?.owner?.pid).not.toBe(pid);
}

// The examples import the package by its name, i.e. dist/ (`npm ci` builds it; a checkout may not have).
beforeAll(async () => {
  if (existsSync(join(REPO, 'dist/sdk/jest.js'))) return;
  const build = spawn(process.execPath, [join(REPO, 'scripts/build-dist.mjs')], { stdio: 'inherit' });
  const code = await new Promise<number | null>((resolve) => build.once('close', resolve));
  if (code !== 0) throw new Error(`building dist/ for the jest example failed (scripts/build-dist.mjs exited with ${code})`);
});

describe('berth/jest', () => {
  it('runs examples/jest under jest: both tests pass and no container of the run is left', async () => {
    const image = await ownImage('redis');
    expect(await containersOf(image)).toEqual([]);
    const { pid, code, report, output } = await runJest([], { REDIS_IMAGE: image });
    expect(report, output).toMatchObject({ success: true, numPassedTests: 2, numFailedTests: 0, numTotalTests: 2 });
    expect(code, output).toBe(0);
    expect(await containersOf(image)).toEqual([]);
    expectDefaultNetworkReleasedBy(pid);
  });

  it("removes each test's containers when it ends, passed or failed, beforeAll's after its block, then the default network", async () => {
    const image = await ownImage('busybox');
    await getEngine().pullImage(image); // The namespace below has no route to the registry.
    // The default network of a namespace of its own, so what the jest process leaves of it is its own.
    const netRoot = mkdtempSync(join(tmpdir(), 'jest-net-'));
    try {
      // The example's config, pointed at test/jest/ (vitest does not run the jest files there).
      const { code, report, output } = await runJest(
        ['--rootDir', join(REPO, 'test/jest')],
        // Grace 0: the default network goes at the block's end, not with a reaper 2 s after the namespace is listed.
        { BUSYBOX_IMAGE: image, BERTH_NET_ROOT: netRoot, BERTH_NETWORK_GRACE_MS: '0' },
        OWN_NETNS,
      );
      expect(report, output).toMatchObject({ success: true, numPassedTests: 5, numFailedTests: 0, numTotalTests: 5 });
      expect(code, output).toBe(0);
      expect(await containersOf(image)).toEqual([]);
      const left = output.split('--- left in the namespace:')[1];
      expect(left, output).toBeDefined();
      expect(left).not.toMatch(/berth/);
    } finally {
      rmSync(netRoot, { recursive: true, force: true });
    }
  });

  it('useBerth() outside jest throws a typed error naming the missing hooks', () => {
    expect(() => useBerth()).toThrow(JestHooksUnavailableError);
    const error = (() => {
      try {
        useBerth({ afterAll: () => {} });
      } catch (e) {
        return e as JestHooksUnavailableError;
      }
    })();
    expect(error?.code).toBe('JEST_HOOKS_UNAVAILABLE');
    expect(error?.missing).toEqual(['beforeEach', 'afterEach']);
  });
});
