import * as fs from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { berthCgroupDirs } from '../../src/engine/local/sweep.js';
import { statePaths } from '../../src/engine/paths.js';
import { readOr } from '../../src/engine/state/files.js';
import { berthLinks } from '../../src/net/bridge-lifecycle.js';
import { berthTables } from '../../src/net/firewall.js';
import { eventually, mountsUnderState } from './leaks.js';
import { SUITE_REGISTRY_MARK } from './registry.js';

/** The `berth-*` entries of the temp dir, to tell which a test run added. */
export function tempEntries(): Set<string> {
  return new Set(fs.readdirSync(tmpdir()).filter((e) => e.startsWith('berth-')));
}

/**
 * Everything Berth may leave on the host that is still there: helper
 * processes, links, nft tables, mounts, containers and trash in the state
 * root, cgroups, and temp entries not in `tempBefore` (other than the
 * registries other test projects' setups still run). Empty when clean.
 */
export function hostLeaks(stateRoot: string, tempBefore: Set<string>): string[] {
  const paths = statePaths(stateRoot);
  const containers = readdirOr(paths.containers).filter((e) => /^[0-9a-f]{64}$/.test(e));
  return [
    ...helperProcesses().map((pid) => `berth-helper process ${pid}`),
    ...berthLinks().map((link) => `link ${link}`),
    ...berthTables().map((table) => `nft table ${table}`),
    ...mountsUnderState(stateRoot).map((m) => `mount ${m}`),
    ...containers.map((id) => `container ${id}`),
    ...readdirOr(join(paths.containers, '.trash')).map((e) => `trash ${e}`),
    ...berthCgroupDirs().map((dir) => `cgroup ${dir}`),
    ...[...tempEntries()]
      .filter((e) => !tempBefore.has(e) && !fs.existsSync(join(tmpdir(), e, SUITE_REGISTRY_MARK)))
      .map((e) => `temp ${join(tmpdir(), e)}`),
  ];
}

/** Polls until nothing leaks or `ms` pass (monitors may still be finishing); returns what is left. */
export async function settledLeaks(stateRoot: string, tempBefore: Set<string>, ms = 5000): Promise<string[]> {
  let leaks: string[] = [];
  const clean = (): boolean => {
    leaks = hostLeaks(stateRoot, tempBefore);
    return leaks.length === 0;
  };
  await eventually(clean, ms, 100);
  return leaks;
}

function helperProcesses(): number[] {
  return readdirOr('/proc')
    .filter((e) => /^\d+$/.test(e))
    .filter((pid) => readOr(`/proc/${pid}/cmdline`).split('\0')[0]?.endsWith('berth-helper'))
    .map(Number);
}

function readdirOr(dir: string): string[] {
  try {
    return fs.readdirSync(dir);
  } catch {
    return [];
  }
}
