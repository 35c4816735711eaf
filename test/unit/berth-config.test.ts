import * as fs from 'node:fs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BerthError, loadConfig, NetworkError } from '../../src/index.js';
import { DEFAULT_GRACE_MS, graceMs } from '../../src/net/default-network-linger.js';

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
    fs.rmSync(dir, { recursive: true });
  });

  it('refuses a bad config with a typed error that shows the format', () => {
    expect(() => loadConfig({ BERTH_REGISTRY_MIRRORS: 'docker.io' })).toThrow(BerthError);
    expect(() => loadConfig({ BERTH_REGISTRY_MIRRORS: 'docker.io=ftp://x' })).toThrow(/http\(s\) URL/);
    expect(() => loadConfig({ BERTH_CONFIG: '/nonexistent/berth.json' })).toThrow(/cannot read/);
  });

  it('takes BERTH_NETWORK_GRACE_MS as a whole number of milliseconds, refusing anything else with a typed error', () => {
    expect(graceMs({ BERTH_NETWORK_GRACE_MS: '250' })).toBe(250);
    expect(() => graceMs({ BERTH_NETWORK_GRACE_MS: '2s' })).toThrow(NetworkError);
    expect(graceMs({})).toBe(DEFAULT_GRACE_MS);
  });
});
