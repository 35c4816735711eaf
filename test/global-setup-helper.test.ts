import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, inject, it } from 'vitest';
import { ContainerNotFoundError, getEngine } from '../src/index.js';
import { runNestedVitest, SDK_ENTRY as SDK } from './support/nested-vitest.js';

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
  const results = mkdtempSync(join(tmpdir(), 'berth-global-setup-'));
  try {
    const config = "export default { test: { include: ['*.test.ts'], globals: true, globalSetup: ['./setup.ts'], testTimeout: 60000 } };\n";
    const result = join(results, 'service-id');
    const { code, output } = await runNestedVitest({ 'setup.ts': globalSetup, 'service.test.ts': suite }, config, {
      BUSYBOX_REF: inject('fixtures').busybox,
      RESULT: result,
    });
    expect(code, output).toBe(0);
    expect(output).toContain('1 passed');
    const id = readFileSync(result, 'utf8');
    await expect(getEngine().inspectContainer(id)).rejects.toBeInstanceOf(ContainerNotFoundError);
  } finally {
    rmSync(results, { recursive: true, force: true });
  }
}, 120_000);
