/**
 * What the SDK benchmarks share: timing a start until ready, and the
 * testcontainers-node peer on dockerd (bash bench/start-dockerd.sh).
 */
import { spawnSync } from 'node:child_process';
import { installed } from './oci-runtime.js';
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

/** Why the dockerd peer cannot run on `image`, or undefined once dockerd has pulled it. */
export function dockerPeerUnavailable(image: string): string | undefined {
  if (!installed('docker') || spawnSync('docker', ['info'], { stdio: 'ignore' }).status !== 0) {
    return 'no dockerd running (bash bench/start-dockerd.sh)';
  }
  if (spawnSync('docker', ['pull', '-q', image], { stdio: 'ignore' }).status !== 0) return `docker pull ${image} failed`;
  return undefined;
}

/** Removes the image the peer pulled. */
export function removeFromDocker(image: string): void {
  spawnSync('docker', ['rmi', '-f', image], { stdio: 'ignore' });
}
