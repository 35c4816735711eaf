import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { onTestFinished } from 'vitest';

/** Compiles test/support/probes/<name>.c into a static binary (runs in any image); returns its path, removed after the test. */
export function buildProbe(name: string): string {
  const source = fileURLToPath(new URL(`./probes/${name}.c`, import.meta.url));
  const dir = mkdtempSync(join(tmpdir(), 'berth-probe-'));
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  const out = join(dir, name);
  execFileSync('gcc', ['-static', '-O2', '-Wall', '-Werror', '-o', out, source]);
  return out;
}
