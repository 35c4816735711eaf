import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Compiles test/support/probes/<name>.c into a static binary (runs in any image); returns its path. */
export function buildProbe(name: string): string {
  const source = fileURLToPath(new URL(`./probes/${name}.c`, import.meta.url));
  const out = join(mkdtempSync(join(tmpdir(), 'berth-probe-')), name);
  execFileSync('gcc', ['-static', '-O2', '-Wall', '-Werror', '-o', out, source]);
  return out;
}
