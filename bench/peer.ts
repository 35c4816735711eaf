/**
 * What the SDK benchmarks share: timing a start until ready, and a fixture
 * image in a registry of the bench's own (the dockerd peer's helpers are in dockerd.ts).
 */
import * as fs from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pushOciLayout } from '../src/engine/image/push.js';
import { LocalEngine } from '../src/index.js';
import { startRegistry } from '../test/support/registry.js';
import { type Summary, summarise } from './stats.js';

// No Ryuk: its image would come from Docker Hub, and the benches remove what they start.
process.env.TESTCONTAINERS_RYUK_DISABLED = 'true';

/** Times `start` `runs` times (after `warmup` untimed runs); `stop` runs untimed after each. */
export async function startToReady<T>(
  runs: number,
  warmup: number,
  start: () => Promise<T>,
  stop: (started: T) => Promise<void>,
): Promise<Summary> {
  const samples: number[] = [];
  for (let i = 0; i < warmup + runs; i++) {
    const begin = process.hrtime.bigint();
    const started = await start();
    const ms = Number(process.hrtime.bigint() - begin) / 1e6;
    await stop(started);
    if (i >= warmup) samples.push(ms);
  }
  return summarise(samples);
}

const FIXTURES = process.env.BERTH_FIXTURE_CACHE ?? '/var/cache/berth-fixtures';

/** A fixture image in a registry of the bench's own, pulled by an engine with a scratch store. */
export interface FixtureBench {
  /** The image's reference in the registry (dockerd can pull it too). */
  image: string;
  engine: LocalEngine;
  /** Stops the registry and removes the scratch store. */
  close(): Promise<void>;
}

/** Pushes fixture `name` (test/fixtures/build-images.sh) to a new local registry and pulls it into a scratch store. */
export async function fixtureBench(name: string): Promise<FixtureBench> {
  const layout = join(FIXTURES, name);
  if (!fs.existsSync(join(layout, 'index.json')))
    throw new Error(`no ${name} fixture at ${layout}: run bash test/fixtures/build-images.sh`);
  const work = fs.mkdtempSync(join(tmpdir(), `berth-bench-${name}-`));
  const registry = await startRegistry();
  const close = async (): Promise<void> => {
    await registry.stop();
    fs.rmSync(work, { recursive: true, force: true });
  };
  try {
    const image = `${registry.host}/library/${name}:latest`;
    await pushOciLayout(layout, image);
    const engine = new LocalEngine({ root: join(work, 'state') });
    await engine.pullImage(image, { policy: 'missing' });
    return { image, engine, close };
  } catch (error) {
    await close();
    throw error;
  }
}
