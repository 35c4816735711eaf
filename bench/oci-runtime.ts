import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import { join } from 'node:path';

/** Whether an executable is on PATH. */
export function installed(command: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${command}`]).status === 0;
}

/**
 * Makes an OCI bundle around an existing rootfs for crun/runc: their default
 * spec, with `args` as the process, no terminal and a read-only root.
 */
export function makeBundle(runtime: string, bundle: string, rootfs: string, args: string[]): void {
  fs.mkdirSync(bundle, { recursive: true });
  const spec = spawnSync(runtime, ['spec'], { cwd: bundle, encoding: 'utf8' });
  if (spec.status !== 0) throw new Error(`${runtime} spec failed: ${spec.stderr}`);
  const path = join(bundle, 'config.json');
  const config = JSON.parse(fs.readFileSync(path, 'utf8'));
  config.process.args = args;
  config.process.terminal = false;
  config.root = { path: rootfs, readonly: true };
  fs.writeFileSync(path, JSON.stringify(config));
}
