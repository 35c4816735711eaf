import * as fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { sha256Digest } from '../src/engine/image/blob-store.js';
import { statePaths } from '../src/engine/paths.js';
import {
  DigestMismatchError,
  GenericContainer,
  ImageNotFoundError,
  ImagePullError,
  LayerError,
  type LocalEngine,
  RegistryError,
  RegistryTimeoutError,
} from '../src/index.js';
import { type ProxiedRequest, useFaultProxy } from './support/fault-proxy.js';
import { fixtureManifest, fixtureManifestDigest } from './support/fixture-layout.js';
import { pushRawLayers } from './support/hostile-image.js';
import { PLAIN_CONFIG, scratchStores } from './support/scratch-stores.js';
import { type StuckListener, startStuckListener } from './support/stuck-listener.js';
import { buildTar } from './support/tar-builder.js';

/** What a store holds in the places a pull writes to: blobs, unpacked layers and staging. */
function storeListing(engine: LocalEngine): { blobs: string[]; layers: string[]; tmp: string[] } {
  const paths = statePaths(engine.images.paths.root);
  const list = (dir: string): string[] => fs.readdirSync(dir).sort();
  return { blobs: list(paths.blobs), layers: list(paths.layers), tmp: list(paths.tmp) };
}

const EMPTY_STORE = { blobs: [], layers: [], tmp: [] };

/** Retries as the engine is configured here: 3 after the first, from 20 ms. */
const RETRIES = 3;
/**
 * Timeouts for the stall tests, whose bound is vitest's timeout (STALL_BOUND_MS):
 * with undici's defaults (5 min for headers and body idle, nothing against a
 * trickle) those pulls and pushes would still be pending.
 */
const STALL_TIMEOUTS = { connectMs: 400, headersMs: 400, bodyIdleMs: 500, bodyMinBytesPerSec: 1024 };
const STALL_BOUND_MS = 20_000;

describe('pulls through a faulty connection to the registry', () => {
  const proxy = useFaultProxy(() => inject('registry'));
  const stores = scratchStores('faults');
  const layer = fixtureManifest('busybox').layers[0];
  if (!layer) throw new Error('the busybox fixture has no layer');
  const blobPath = `/blobs/${layer.digest}`;
  const manifestPath = '/v2/library/busybox/manifests/';
  const freshEngine = (): LocalEngine => stores.engine({ ...PLAIN_CONFIG, registryRetry: { retries: RETRIES, minDelayMs: 20 } });

  const image = (): string => `${proxy().host}/library/busybox:latest`;
  const blobGets = (): ProxiedRequest[] => proxy().requests.filter((r) => r.method === 'GET' && r.path.endsWith(blobPath));
  const pullError = async (engine: LocalEngine): Promise<ImagePullError> => {
    const error = await engine.pullImage(image()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ImagePullError);
    return error as ImagePullError;
  };

  it('retries a blob that fails with 500 and then runs the image', async () => {
    proxy().add({ path: blobPath, times: 2, fault: { kind: 'status', status: 500 } });
    const engine = freshEngine();
    await engine.pullImage(image());
    expect(blobGets()).toHaveLength(3);
    await using c = await new GenericContainer(image()).withCommand(['echo', 'retried']).start(engine);
    await c.wait();
    expect(await c.output()).toBe('retried\n');
  });

  it('waits as long as a 429 Retry-After says before asking again', async () => {
    proxy().add({ path: manifestPath, times: 1, fault: { kind: 'status', status: 429, headers: { 'retry-after': '1' } } });
    await freshEngine().pullImage(image());
    const manifests = proxy().requests.filter((r) => r.path.startsWith(manifestPath));
    expect(manifests.map((r) => r.fault)).toEqual(['status', undefined]);
    const [first, second] = manifests;
    expect((second?.at ?? 0) - (first?.at ?? 0)).toBeGreaterThanOrEqual(950);
  });

  it('waits until the HTTP date of a 503 Retry-After', async () => {
    // HTTP dates have whole seconds: 2 s ahead is 1 to 2 s from now.
    const retryAfter = new Date(Date.now() + 2_000).toUTCString();
    proxy().add({ path: manifestPath, times: 1, fault: { kind: 'status', status: 503, headers: { 'retry-after': retryAfter } } });
    await freshEngine().pullImage(image());
    const [first, second] = proxy().requests.filter((r) => r.path.startsWith(manifestPath));
    expect((second?.at ?? 0) - (first?.at ?? 0)).toBeGreaterThanOrEqual(950);
  });

  it('resumes a blob whose connection breaks mid-body with a Range request', async () => {
    proxy().add({ path: blobPath, times: 1, fault: { kind: 'truncate', afterBytes: 300_000 } });
    const engine = freshEngine();
    const pulled = await engine.pullImage(image());
    const gets = blobGets();
    expect(gets[0]?.range).toBeUndefined();
    // It resumes from whatever it had received, which the socket may have cut below 300000.
    const resumed = gets.slice(1).map((g) => Number(/^bytes=(\d+)-$/.exec(g.range ?? '')?.[1]));
    expect(resumed.length).toBeGreaterThanOrEqual(1);
    expect(resumed[0]).toBeGreaterThan(0);
    expect(resumed[0]).toBeLessThanOrEqual(300_000);
    expect(pulled.Id).toBe(fixtureManifest('busybox').config.digest);
    await using c = await new GenericContainer(image()).withCommand(['true']).start(engine);
    expect((await c.wait()).exitCode).toBe(0);
  });

  it('skips what it already had when the registry answers a resume with the whole blob', async () => {
    proxy().add({ path: blobPath, times: 1, fault: { kind: 'truncate', afterBytes: 300_000 } });
    proxy().add({ path: blobPath, times: 1, fault: { kind: 'no-range' } });
    const pulled = await freshEngine().pullImage(image());
    expect(blobGets().map((g) => g.fault)).toEqual(['truncate', 'no-range']);
    expect(pulled.Id).toBe(fixtureManifest('busybox').config.digest);
  });

  it('reports a corrupted blob as a digest mismatch and leaves nothing behind', async () => {
    proxy().add({ path: blobPath, fault: { kind: 'corrupt', atByte: 4_000 } });
    const engine = freshEngine();
    const error = await pullError(engine);
    expect(error.cause).toBeInstanceOf(DigestMismatchError);
    expect((error.cause as DigestMismatchError).expected).toBe(layer.digest);
    expect(error.hint).toMatch(/corrupt/);
    // Downloaded again a few times (corruption may be in transit), then given up.
    expect(blobGets().length).toBeGreaterThan(1);
    expect(await engine.listImages()).toEqual([]);
    expect(storeListing(engine)).toEqual(EMPTY_STORE);
  });

  it('leaves nothing behind when a blob keeps being cut off', async () => {
    proxy().add({ path: blobPath, fault: { kind: 'truncate', afterBytes: 1_000 } });
    const engine = freshEngine();
    await pullError(engine);
    expect(blobGets().length).toBeGreaterThan(1); // It resumed, and gave up.
    expect(await engine.listImages()).toEqual([]);
    expect(storeListing(engine)).toEqual(EMPTY_STORE);
  });

  it('leaves nothing new behind when a layer is refused, not even the sound layers of the image', async () => {
    const engine = freshEngine();
    await engine.pullImage(image());
    const before = storeListing(engine);
    const hostile = `${proxy().host}/berth-test/escaping-${process.pid}:1`;
    const sound = buildTar([{ path: 'sound.txt', data: Buffer.alloc(200_000, 7) }]);
    await pushRawLayers(hostile, [sound, buildTar([{ path: '../escape', data: 'x' }])]);
    const error = await engine.pullImage(hostile).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ImagePullError);
    expect((error as ImagePullError).cause).toBeInstanceOf(LayerError);
    expect(storeListing(engine)).toEqual(before);
    expect((await engine.listImages()).map((i) => i.RepoTags)).toEqual([[image()]]);
  });

  it('checks a manifest pulled by tag against the Docker-Content-Digest the registry sent', async () => {
    const wrong = sha256Digest('another manifest');
    proxy().add({ path: manifestPath, fault: { kind: 'headers', headers: { 'docker-content-digest': wrong } } });
    const engine = freshEngine();
    const error = await pullError(engine);
    expect(error.cause).toBeInstanceOf(DigestMismatchError);
    expect((error.cause as DigestMismatchError).expected).toBe(wrong);
    expect((error.cause as DigestMismatchError).actual).toBe(fixtureManifestDigest('busybox'));
    expect(storeListing(engine)).toEqual(EMPTY_STORE);
  });

  it('reports a manifest body altered on the way as a digest mismatch, and stores nothing', async () => {
    proxy().add({ path: manifestPath, fault: { kind: 'corrupt', atByte: 120 } });
    const engine = freshEngine();
    const error = await pullError(engine);
    expect(error.cause).toBeInstanceOf(DigestMismatchError);
    expect((error.cause as DigestMismatchError).expected).toBe(fixtureManifestDigest('busybox'));
    expect(storeListing(engine)).toEqual(EMPTY_STORE);
  });

  it('downloads a corrupted or cut-off image config again', async () => {
    const config = `/blobs/${fixtureManifest('busybox').config.digest}`;
    proxy().add({ path: config, times: 1, fault: { kind: 'corrupt', atByte: 10 } });
    proxy().add({ path: config, times: 1, fault: { kind: 'truncate', afterBytes: 100 } });
    await freshEngine().pullImage(image());
    const gets = proxy().requests.filter((r) => r.path.endsWith(config));
    expect(gets.map((g) => g.fault)).toEqual(['corrupt', 'truncate', undefined]);
    expect(gets[2]?.range).toMatch(/^bytes=\d+-$/);
  });

  it('completes a body that trickles in slowly', async () => {
    proxy().add({ path: blobPath, times: 1, fault: { kind: 'trickle', chunkBytes: 128 * 1024, intervalMs: 40 } });
    const started = performance.now();
    const engine = freshEngine();
    await engine.pullImage(image());
    // Nine or so pauses of 40 ms: the pull really waited for the slow body.
    expect(performance.now() - started).toBeGreaterThanOrEqual(Math.floor(layer.size / (128 * 1024)) * 40);
    expect(blobGets()).toHaveLength(1);
    await using c = await new GenericContainer(image()).withCommand(['true']).start(engine);
    expect((await c.wait()).exitCode).toBe(0);
  });

  it('gives up on a registry that keeps failing with a typed error, after the configured retries', async () => {
    proxy().add({ path: blobPath, fault: { kind: 'status', status: 500 } });
    const error = await pullError(freshEngine());
    expect(error.cause).toBeInstanceOf(RegistryError);
    expect((error.cause as RegistryError).status).toBe(500);
    expect(blobGets()).toHaveLength(1 + RETRIES);
  });

  it('does not retry a manifest the registry does not have', async () => {
    proxy().add({ path: manifestPath, fault: { kind: 'status', status: 404 } });
    const error = await pullError(freshEngine());
    expect(error.cause).toBeInstanceOf(ImageNotFoundError);
    expect(proxy().requests.filter((r) => r.path.startsWith(manifestPath))).toHaveLength(1);
  });
  describe('registries that accept and then stall', () => {
    const STALL_RETRIES = 1;
    const stallEngine = (timeouts = STALL_TIMEOUTS): LocalEngine =>
      stores.engine({ ...PLAIN_CONFIG, registryRetry: { retries: STALL_RETRIES, minDelayMs: 20 }, registryTimeouts: timeouts });
    const imageAt = (host = proxy().host): string => `${host}/library/busybox:latest`;
    const seen = (path: string): ProxiedRequest[] => proxy().requests.filter((r) => r.path.includes(path));

    /** The stall behind a failed pull, checked to be typed. */
    const stallOf = async (pull: Promise<unknown>): Promise<RegistryTimeoutError> => {
      const error = await pull.catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ImagePullError);
      const cause = (error as ImagePullError).cause;
      expect(cause).toBeInstanceOf(RegistryTimeoutError);
      expect((error as ImagePullError).hint).toMatch(/registryTimeouts/);
      return cause as RegistryTimeoutError;
    };

    it(
      'a manifest request that is never answered fails, after its retries, at the headers step',
      async () => {
        proxy().add({ path: manifestPath, fault: { kind: 'hang' } });
        const stall = await stallOf(stallEngine().pullImage(imageAt()));
        expect(stall.code).toBe('REGISTRY_TIMEOUT');
        expect(stall.step).toBe('headers');
        expect(stall.server).toBe(`registry ${proxy().host}`);
        expect(stall.request).toBe(`GET ${manifestPath}latest`);
        expect(stall.message).toMatch(/no response headers within 400 ms/);
        expect(seen(manifestPath)).toHaveLength(1 + STALL_RETRIES);
      },
      STALL_BOUND_MS,
    );

    it(
      'a layer that trickles a byte at a time fails at the body step, naming its digest, after resuming',
      async () => {
        // Ten bytes a second: the idle timer (1 s, ten times the gaps) never fires; only the speed check can.
        proxy().add({ path: blobPath, fault: { kind: 'drip', intervalMs: 100 } });
        const stall = await stallOf(stallEngine({ ...STALL_TIMEOUTS, bodyIdleMs: 1000 }).pullImage(imageAt()));
        expect(stall.step).toBe('body');
        expect(stall.request).toBe(`GET /v2/library/busybox${blobPath}`);
        expect(stall.message).toMatch(/reading the body: \d+ bytes in 1000 ms, slower than 1024 bytes\/s/);
        // Each stall was resumed from the bytes it had, with a Range request.
        const gets = seen(blobPath);
        expect(gets.length).toBeGreaterThan(1);
        expect(gets.slice(1).every((g) => /^bytes=\d+-$/.test(g.range ?? ''))).toBe(true);
      },
      STALL_BOUND_MS,
    );

    it(
      'a layer whose body stops after a byte fails at the body step (idle), with the speed check off',
      async () => {
        proxy().add({ path: blobPath, fault: { kind: 'drip', intervalMs: 60_000 } });
        const stall = await stallOf(stallEngine({ ...STALL_TIMEOUTS, bodyMinBytesPerSec: 0 }).pullImage(imageAt()));
        expect(stall.step).toBe('body');
        expect(stall.message).toMatch(/reading the body: nothing came for 500 ms/);
      },
      STALL_BOUND_MS,
    );

    it(
      'a token server that never answers fails at the headers step, named as the token server',
      async () => {
        const realm = `http://${proxy().host}/token`;
        proxy().add({ path: '/token', fault: { kind: 'hang' } });
        proxy().add({
          path: manifestPath,
          fault: { kind: 'status', status: 401, headers: { 'www-authenticate': `Bearer realm="${realm}",service="berth-test"` } },
        });
        const stall = await stallOf(stallEngine().pullImage(imageAt()));
        expect(stall.step).toBe('headers');
        expect(stall.server).toBe(`token server ${proxy().host} for registry ${proxy().host}`);
        expect(stall.request).toBe('GET /token');
        expect(seen('/token')).toHaveLength(1 + STALL_RETRIES);
      },
      STALL_BOUND_MS,
    );

    it(
      'a push whose blob upload is never taken fails at the upload step',
      async () => {
        const engine = stallEngine();
        await engine.pullImage(imageAt(inject('registry')));
        const target = `${proxy().host}/stalled/busybox:latest`;
        await engine.tagImage(imageAt(inject('registry')), target);
        proxy().add({ method: 'PUT', path: '/blobs/uploads/', fault: { kind: 'hang' } });
        const error = await engine.pushImage(target, { target }).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(RegistryTimeoutError);
        const stall = error as RegistryTimeoutError;
        expect(stall.step).toBe('upload');
        expect(stall.server).toBe(`registry ${proxy().host}`);
        expect(stall.request).toMatch(/^PUT \/v2\/stalled\/busybox\/blobs\/uploads\//);
        expect(stall.message).toMatch(/sending the body or waiting for the answer: nothing within 400 ms/);
        expect(proxy().requests.filter((r) => r.method === 'PUT')).toHaveLength(1 + STALL_RETRIES);
      },
      STALL_BOUND_MS,
    );

    describe('a registry whose port takes no connection', () => {
      let stuck: StuckListener;
      beforeAll(async () => {
        stuck = await startStuckListener();
      });
      afterAll(async () => {
        await stuck?.stop();
      });

      it(
        'fails at the connect step',
        async () => {
          const stall = await stallOf(stallEngine().pullImage(imageAt(stuck.host)));
          expect(stall.step).toBe('connect');
          expect(stall.server).toBe(`registry ${stuck.host}`);
          expect(stall.message).toMatch(/connecting: no connection within 400 ms/);
        },
        STALL_BOUND_MS,
      );
    });
  });
});
