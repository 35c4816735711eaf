import * as fs from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pushOciLayout } from '../src/engine/image/push.js';
import { LocalEngine } from '../src/index.js';
import { type RegistryServer, startRegistry } from './support/registry.js';
import { PLAIN_CONFIG, scratchStores } from './support/scratch-stores.js';

const FIXTURES = process.env.BERTH_FIXTURE_CACHE ?? '/var/cache/berth-fixtures';

describe('Berth config', () => {
  it('checks a config given to LocalEngine in code as it checks the file, before making anything', () => {
    const root = join(tmpdir(), `berth-config-${process.pid}`);
    expect(() => new LocalEngine({ root, config: { ...PLAIN_CONFIG, registryTimeouts: { headersMs: 0 } } })).toThrow(
      /registryTimeouts\.headersMs must be a whole number >= 1/,
    );
    expect(fs.existsSync(root)).toBe(false);
  });
});

describe('registry mirrors', () => {
  let mirror: RegistryServer;
  const stores = scratchStores('mirror');

  beforeAll(async () => {
    mirror = await startRegistry();
    await pushOciLayout(join(FIXTURES, 'busybox'), `${mirror.host}/library/busybox:latest`);
  });
  afterAll(async () => {
    await mirror.stop();
  });

  function engineWith(mirrors: string[]): LocalEngine {
    // 127.0.0.1:9 (discard) has no registry: a pull that reaches it fails.
    return stores.engine({ ...PLAIN_CONFIG, registryMirrors: { '127.0.0.1:9': mirrors } });
  }

  it('pulls through a mirror instead of the registry', async () => {
    const engine = engineWith([`http://${mirror.host}`]);
    const image = await engine.pullImage('127.0.0.1:9/library/busybox:latest');
    expect(image.RepoTags).toEqual(['127.0.0.1:9/library/busybox:latest']);
  });

  it('falls back past a dead mirror, and reports the registry itself when all fail', async () => {
    const engine = engineWith(['http://127.0.0.1:1', `http://${mirror.host}`]);
    await expect(engine.pullImage('127.0.0.1:9/library/busybox:latest')).resolves.toBeDefined();
    const deadOnly = engineWith(['http://127.0.0.1:1']);
    const error = (await deadOnly.pullImage('127.0.0.1:9/library/busybox:latest').catch((e: unknown) => e)) as Error;
    expect(error.message).toContain('127.0.0.1:9/library/busybox');
  });
});
