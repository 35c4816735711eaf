/**
 * Builds dist/, what the package's users import: the sources bundled by
 * esbuild into one file per entry point plus shared chunks (code that only
 * some runs need, such as the registry client, stays behind dynamic imports
 * in chunks of its own), and the type declarations by tsc. One file instead
 * of ~120 halves the time a fresh process spends importing Berth, which a
 * test runner pays once per test file. Dependencies stay external.
 */
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
/** Every module a user imports or Berth spawns by path (the default network's reaper). */
const ENTRY_POINTS = ['src/index.ts', 'src/sdk/vitest.ts', 'src/sdk/jest.ts', 'src/net/default-network-reaper.ts'];

rmSync(join(root, 'dist'), { recursive: true, force: true });
await build({
  absWorkingDir: root,
  entryPoints: ENTRY_POINTS,
  outdir: 'dist',
  outbase: 'src',
  chunkNames: 'chunks/[name]-[hash]',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  packages: 'external',
  sourcemap: true,
  logLevel: 'warning',
});
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
const types = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.build.json', '--emitDeclarationOnly'], { cwd: root, stdio: 'inherit' });
if (types.status !== 0) process.exit(types.status ?? 1);
