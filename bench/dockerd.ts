/**
 * The dockerd the side-by-side benchmarks compare against (testcontainers-node
 * drives it): whether one answers, and getting an image into it from the
 * bench's local registry (dockerd takes 127.0.0.1 registries as insecure).
 */
import { spawnSync } from 'node:child_process';
import { installed } from './oci-runtime.js';

/** The note a peer row carries when no dockerd answers. */
export const NO_DOCKERD = 'no dockerd running (bash bench/start-dockerd.sh)';

/** Whether a dockerd answers the docker CLI. */
export function dockerRunning(): boolean {
  return installed('docker') && spawnSync('docker', ['info'], { stdio: 'ignore' }).status === 0;
}

/** `docker pull`s `image`; undefined when it worked, else the note saying why not. */
export function dockerPull(image: string): string | undefined {
  if (!dockerRunning()) return NO_DOCKERD;
  return spawnSync('docker', ['pull', '-q', image], { stdio: 'ignore' }).status === 0 ? undefined : `docker pull ${image} failed`;
}

/**
 * Removes what {@link dockerPull} pulled, and any container still made from
 * it: a start that fails inside dockerd leaves testcontainers' container
 * created. The reference names the bench's own registry port, so these are ours.
 */
export function dockerRemoveImage(image: string): void {
  const ids =
    spawnSync('docker', ['ps', '-aq', '--filter', `ancestor=${image}`], { encoding: 'utf8' })
      .stdout?.split('\n')
      .filter(Boolean) ?? [];
  if (ids.length > 0) spawnSync('docker', ['rm', '-f', ...ids], { stdio: 'ignore' });
  spawnSync('docker', ['rmi', '-f', image], { stdio: 'ignore' });
}
