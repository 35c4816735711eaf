/**
 * Crash trials: an owner process is killed (SIGKILL, SIGTERM or an exit of
 * its own) at a random moment of a pull, a container start, a network's or a
 * volume's life, many times over; after each kill the next engine to start
 * must leave the host and the state root as they were before the trial. The
 * file runs in a vitest project of its own, after every other test file
 * (vitest.config.ts), so host-wide resources (links, nft tables, helper
 * processes, cgroups) can be compared without another file's containers
 * coming and going meanwhile.
 */
import { type ChildProcessByStdio, spawn } from 'node:child_process';
import { once } from 'node:events';
import * as fs from 'node:fs';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { LocalEngine } from '../../src/index.js';
import { hostLeaks, tempEntries } from '../support/host-leaks.js';
import { eventually } from '../support/leaks.js';
import { PLAIN_CONFIG, scratchStores } from '../support/scratch-stores.js';

/** Kills per kind of work; `BERTH_CRASH_TRIALS` raises it for a longer soak. */
const TRIALS = Number(process.env.BERTH_CRASH_TRIALS ?? 8);
/** The longest a trial lets the owner work before it is killed. */
const MAX_WORK_MS = 700;
/** How long the swept host may take to settle (monitors finishing, the trash emptying). */
const SETTLE_MS = 10_000;

type Work = 'pull' | 'start' | 'network' | 'volume';
/** How an owner dies: killed outright, asked to end, or ending itself mid-work. */
const ENDINGS = ['SIGKILL', 'SIGTERM', 'exit'] as const;

const stores = scratchStores('crash');
const tempBefore = tempEntries();

/**
 * Everything in a state root, as relative paths: layers and blobs by name
 * (their content is checked by digest elsewhere), everything else in full,
 * except the store's few fixed lock files (`store.lock`, `volumes.lock`),
 * made once per store by whoever locks first. A lock file of one layer or
 * container stays listed: those must not pile up.
 */
function storeListing(root: string): string[] {
  const out: string[] = [];
  const walk = (rel: string, deep: boolean): void => {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(join(root, rel), { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const path = rel ? `${rel}/${e.name}` : e.name;
      if (rel === 'locks' && !/-[0-9a-f]{64}\.lock$/.test(e.name)) continue;
      out.push(e.isDirectory() ? `${path}/` : path);
      const shallow = path === 'layers' || path === 'blobs' || path === 'blobs/sha256';
      if (e.isDirectory() && (deep || shallow)) walk(path, deep && !shallow);
    }
  };
  walk('', true);
  return out.sort();
}

/** The host's berth resources that no other root can account for, as `hostLeaks` names them (temp dirs aside). */
function hostResources(root: string): Set<string> {
  return new Set(hostLeaks(root, tempBefore).filter((r) => !r.startsWith('temp ') && !r.startsWith('container ')));
}

/** Starts the owner on `root` and resolves once it is at work. */
async function startOwner(root: string, work: Work, image: string, ending: string): Promise<ChildProcessByStdio<null, Readable, null>> {
  const owner = spawn(process.execPath, ['--import', 'tsx', 'test/support/crash-trial-process.ts', root, work, image], {
    stdio: ['ignore', 'pipe', 'ignore'],
    // The owner ends itself with process.exit() at this moment, for the 'exit' ending.
    env: { ...process.env, BERTH_CRASH_EXIT_AFTER_MS: ending === 'exit' ? String(Math.random() * MAX_WORK_MS) : '' },
  });
  const [line] = (await once(owner.stdout, 'data')) as [Buffer];
  if (!line.toString().startsWith('ready')) throw new Error(`the owner said "${line.toString().trim()}"`);
  return owner;
}

/** Ends the owner the given way after a random moment of work. */
async function endOwner(owner: ChildProcessByStdio<null, Readable, null>, ending: (typeof ENDINGS)[number]): Promise<void> {
  const exited = once(owner, 'exit');
  if (ending !== 'exit') {
    await sleep(Math.random() * MAX_WORK_MS);
    owner.kill(ending);
  }
  await exited;
}

/** What differs between two listings, for a readable failure. */
function difference(before: Iterable<string>, after: Iterable<string>): { added: string[]; removed: string[] } {
  const b = new Set(before);
  const a = new Set(after);
  return { added: [...a].filter((x) => !b.has(x)), removed: [...b].filter((x) => !a.has(x)) };
}

async function trial(root: string, work: Work, image: string, ending: (typeof ENDINGS)[number]): Promise<void> {
  const storeBefore = storeListing(root);
  const hostBefore = hostResources(root);
  const owner = await startOwner(root, work, image, ending);
  await endOwner(owner, ending);

  const engine = new LocalEngine({ root, config: PLAIN_CONFIG });
  await engine.networkSweep;
  // A pull killed after a layer was verified and published leaves that layer, like Docker's
  // content store; it belongs to no image and pruning takes it. A whole named volume or image
  // is the user's: removing it must work, which proves it was made whole.
  for (const v of await engine.listVolumes()) if (v.Name.startsWith('crash')) await engine.removeVolume(v.Name);
  if (work === 'pull' && (await engine.inspectImage(image))) await engine.removeImage(image);
  if (work === 'pull') await engine.pruneImages();

  const settled = await eventually(() => {
    const store = difference(storeBefore, storeListing(root));
    const host = difference(hostBefore, hostResources(root));
    return store.added.length + store.removed.length + host.added.length === 0;
  }, SETTLE_MS);
  if (!settled) {
    expect({
      work,
      ending,
      store: difference(storeBefore, storeListing(root)),
      host: difference(hostBefore, hostResources(root)).added,
    }).toEqual({
      work,
      ending,
      store: { added: [], removed: [] },
      host: [],
    });
  }
}

describe('crash trials: an owner that dies at any moment leaves nothing once the next engine starts', () => {
  afterAll(() => {
    expect([...tempEntries()].filter((e) => !tempBefore.has(e) && !e.startsWith('berth-crash-'))).toEqual([]);
  });

  const works: Work[] = ['pull', 'start', 'network', 'volume'];
  for (const work of works) {
    it(`${work}: ${TRIALS} owners killed or ended at random moments`, async () => {
      const fixtures = inject('fixtures');
      const image = work === 'pull' ? fixtures.debian : fixtures.busybox;
      const root = stores.root();
      const engine = new LocalEngine({ root, config: PLAIN_CONFIG });
      if (work !== 'pull') await engine.pullImage(image);
      await engine.networkSweep;
      for (let i = 0; i < TRIALS; i++) await trial(root, work, image, ENDINGS[i % ENDINGS.length] ?? 'SIGKILL');
    }, 300_000);
  }
});
