import * as fs from 'node:fs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pushOciLayout } from '../src/engine/image/push.js';
import { BerthError, LocalEngine, loadConfig } from '../src/index.js';
import { type RegistryServer, startRegistry } from './support/registry.js';
import { PLAIN_CONFIG, scratchStores } from './support/scratch-stores.js';

const FIXTURES = process.env.BERTH_FIXTURE_CACHE ?? '/var/cache/berth-fixtures';

describe('Berth config', () => {
  it('reads insecure registries and mirrors from a file and the environment', () => {
    const dir = mkdtempSync(join(tmpdir(), 'berth-config-'));
    const file = join(dir, 'config.json');
    fs.writeFileSync(
      file,
      JSON.stringify({
        insecureRegistries: ['reg.test:5000'],
        registryMirrors: { 'docker.io': ['http://127.0.0.1:5001/'] },
        registryRetry: { retries: 2, minDelayMs: 50 },
      }),
    );
    const config = loadConfig({
      BERTH_CONFIG: file,
      BERTH_INSECURE_REGISTRIES: 'other.test, third.test:80',
      BERTH_REGISTRY_MIRRORS: 'docker.io=https://mirror.test,quay.io=http://127.0.0.1:6000',
    });
    expect(config.insecureRegistries).toEqual(['reg.test:5000', 'other.test', 'third.test:80']);
    expect(config.registryMirrors).toEqual({
      'docker.io': ['http://127.0.0.1:5001', 'https://mirror.test'],
      'quay.io': ['http://127.0.0.1:6000'],
    });
    expect(config.registryRetry).toEqual({ retries: 2, minDelayMs: 50 });
    fs.writeFileSync(file, JSON.stringify({ registryRetry: { retries: -1 } }));
    expect(() => loadConfig({ BERTH_CONFIG: file })).toThrow(/registryRetry\.retries/);
    fs.rmSync(dir, { recursive: true });
  });

  it('reads registry timeouts and refuses bad ones with a typed error naming the setting', () => {
    const dir = mkdtempSync(join(tmpdir(), 'berth-config-'));
    const file = join(dir, 'config.json');
    const load = (registryTimeouts: unknown): unknown => {
      fs.writeFileSync(file, JSON.stringify({ registryTimeouts }));
      return loadConfig({ BERTH_CONFIG: file }).registryTimeouts;
    };
    const refusal = (registryTimeouts: unknown): BerthError => {
      const error = (() => {
        try {
          return load(registryTimeouts);
        } catch (e) {
          return e;
        }
      })();
      expect(error).toBeInstanceOf(BerthError);
      expect((error as BerthError).code).toBe('BAD_CONFIG');
      expect((error as BerthError).hint).toMatch(/registryTimeouts/);
      return error as BerthError;
    };
    const good = { connectMs: 2000, headersMs: 5000, bodyIdleMs: 7000, bodyMinBytesPerSec: 0 };
    expect(load(good)).toEqual(good);
    expect(refusal({ connectMs: 0 }).message).toMatch(/registryTimeouts\.connectMs must be a whole number >= 1, not 0/);
    expect(refusal({ headersMs: '30s' }).message).toMatch(/registryTimeouts\.headersMs must be a whole number/);
    expect(refusal({ bodyIdleMs: 1.5 }).message).toMatch(/registryTimeouts\.bodyIdleMs/);
    expect(refusal({ bodyMinBytesPerSec: -1 }).message).toMatch(/bodyMinBytesPerSec must be a whole number >= 0/);
    expect(refusal({ readMs: 10 }).message).toMatch(/registryTimeouts\.readMs is not a setting \(known: connectMs, headersMs/);
    expect(refusal(30_000).message).toMatch(/registryTimeouts must be an object/);
    // A config given in code is checked as the file's is.
    expect(() => new LocalEngine({ root: dir, config: { ...PLAIN_CONFIG, registryTimeouts: { headersMs: 0 } } })).toThrow(
      /registryTimeouts\.headersMs must be a whole number >= 1/,
    );
    fs.rmSync(dir, { recursive: true });
  });

  it('refuses a bad config with a typed error that shows the format', () => {
    expect(() => loadConfig({ BERTH_REGISTRY_MIRRORS: 'docker.io' })).toThrow(BerthError);
    expect(() => loadConfig({ BERTH_REGISTRY_MIRRORS: 'docker.io=ftp://x' })).toThrow(/http\(s\) URL/);
    expect(() => loadConfig({ BERTH_CONFIG: '/nonexistent/berth.json' })).toThrow(/cannot read/);
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
