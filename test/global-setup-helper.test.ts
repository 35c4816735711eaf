import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, inject, it } from 'vitest';
import { ContainerNotFoundError, getEngine } from '../src/index.js';

const SDK = fileURLToPath(new URL('../src/index.ts', import.meta.url));
const VITEST = fileURLToPath(new URL('../node_modules/vitest/vitest.mjs', import.meta.url));

const globalSetup = `
import { writeFileSync } from 'node:fs';
import { berthGlobalSetup, GenericContainer } from ${JSON.stringify(SDK)};
export default berthGlobalSetup(async (scope, provide) => {
  const c = await scope.start(new GenericContainer(process.env.BUSYBOX_REF).withCommand(['sleep', '600']));
  writeFileSync(process.env.RESULT, c.getId());
  provide('serviceId', c.getId());
});
`;

const suite = `
import { expect, inject, test } from 'vitest';
import { getEngine } from ${JSON.stringify(SDK)};
test('sees the suite-wide service running', async () => {
  const info = await getEngine().inspectContainer(inject('serviceId'));
  expect(info.State.Running).toBe(true);
});
`;

it('berthGlobalSetup starts a suite-wide service once, provides it, and removes it after the last test', async () => {
  // Inside the repository, so the SDK's dependencies resolve from its node_modules.
  const dir = mkdtempSync(join(fileURLToPath(new URL('.', import.meta.url)), '.parallel-'));
  try {
    writeFileSync(join(dir, 'setup.ts'), globalSetup);
    writeFileSync(join(dir, 'service.test.ts'), suite);
    writeFileSync(
      join(dir, 'vitest.config.mjs'),
      "export default { test: { include: ['*.test.ts'], globals: true, globalSetup: ['./setup.ts'], testTimeout: 60000 } };\n",
    );
    const result = join(dir, 'service-id');
    const child = spawn(process.execPath, [VITEST, 'run', '--root', dir, '--config', join(dir, 'vitest.config.mjs')], {
      env: { ...process.env, BUSYBOX_REF: inject('fixtures').busybox, RESULT: result },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d));
    child.stderr.on('data', (d: Buffer) => (output += d));
    const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
    expect(code, output).toBe(0);
    expect(output).toContain('1 passed');
    const id = readFileSync(result, 'utf8');
    await expect(getEngine().inspectContainer(id)).rejects.toBeInstanceOf(ContainerNotFoundError);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}, 120_000);
