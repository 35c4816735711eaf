import * as fs from 'node:fs';
import { statePaths } from '../../src/engine/paths.js';

/** Whether a process with this pid exists on the host. */
export { pidExists as processExists } from '../../src/engine/state/process-identity.js';

/** Host mount points below the berth state root. */
export function mountsUnderState(root = statePaths().root): string[] {
  return fs
    .readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .map((line) => line.split(' ')[4] ?? '')
    .filter((mountPoint) => mountPoint.startsWith(root));
}

/** Whether a container's state directory still exists, in place or in the trash not yet emptied. */
export function containerDirExists(id: string): boolean {
  const root = statePaths().containers;
  return fs.existsSync(`${root}/${id}`) || fs.readdirSync(`${root}/.trash`).some((entry) => entry.startsWith(`${id}-`));
}

/** Polls `check` (sync or async) until it is true or `ms` pass; returns the last result. */
export async function eventually(check: () => boolean | Promise<boolean>, ms = 2000, step = 25): Promise<boolean> {
  const deadline = Date.now() + ms;
  for (;;) {
    if (await check()) return true;
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, step));
  }
}
