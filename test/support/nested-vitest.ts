import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The SDK's entry, for test files written for a nested run to import. */
export const SDK_ENTRY = fileURLToPath(new URL('../../src/index.ts', import.meta.url));
const VITEST = fileURLToPath(new URL('../../node_modules/vitest/vitest.mjs', import.meta.url));
const TEST_DIR = fileURLToPath(new URL('..', import.meta.url));

/**
 * Runs vitest, as a user's project would, on `files` (name → content) and the
 * config module `config`, with `env` added; the files are removed afterwards.
 */
export async function runNestedVitest(
  files: Record<string, string>,
  config: string,
  env: NodeJS.ProcessEnv,
): Promise<{ code: number | null; output: string }> {
  // Inside the repository, so the SDK's dependencies resolve from its node_modules.
  const dir = mkdtempSync(join(TEST_DIR, '.parallel-'));
  try {
    for (const [name, text] of Object.entries({ ...files, 'vitest.config.mjs': config })) writeFileSync(join(dir, name), text);
    const child = spawn(process.execPath, [VITEST, 'run', '--root', dir, '--config', join(dir, 'vitest.config.mjs')], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d));
    child.stderr.on('data', (d: Buffer) => (output += d));
    const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
    return { code, output };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
