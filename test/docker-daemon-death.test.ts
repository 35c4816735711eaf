/**
 * A Docker daemon that dies (SIGKILL) while the SDK starts a container or
 * waits for one to be ready: the start fails with DockerUnavailableError —
 * not a StartupTimeoutError at the end of the startup timeout, not a hang.
 * Each case runs a dockerd of its own (see test/support/own-dockerd.ts).
 */
import * as fs from 'node:fs';
import { afterEach, describe, expect, inject, it } from 'vitest';
import {
  DockerEngine,
  DockerUnavailableError,
  GenericContainer,
  ListeningPortsWaitStrategy,
  LogWaitStrategy,
  type WaitContext,
  type WaitStrategy,
} from '../src/index.js';
import { type OwnDockerd, startOwnDockerd } from './support/own-dockerd.js';

const dockerdInstalled = fs.existsSync('/usr/sbin/dockerd') || fs.existsSync('/usr/bin/dockerd');
/** TEST-NET-2 (RFC 5737): no network uses it, nor the other tests' daemons. */
const BRIDGE_ADDRESS = '198.51.100.1/24';
/** Long enough that only a hang would reach it. */
const STARTUP_TIMEOUT_MS = 45_000;

/** Kills the daemon once the strategy it wraps has been waiting a moment (its request or poll under way). */
function killedMidWait<T extends WaitStrategy>(strategy: T, daemon: () => OwnDockerd): WaitStrategy {
  return {
    description: strategy.description,
    async waitUntilReady(context: WaitContext) {
      setTimeout(() => void daemon().kill(), 300);
      await strategy.waitUntilReady(context);
    },
  };
}

/** A container builder whose daemon is killed after the container is created, before it is started. */
class KilledBeforeStart extends GenericContainer {
  constructor(
    image: string,
    private readonly daemon: OwnDockerd,
  ) {
    super(image);
  }

  protected override async containerCreated(): Promise<void> {
    await this.daemon.kill();
  }
}

describe.skipIf(!dockerdInstalled)('a Docker daemon killed while a container starts', () => {
  let daemon: OwnDockerd | undefined;
  let engine: DockerEngine | undefined;

  afterEach(async () => {
    await engine?.close();
    engine = undefined;
    await daemon?.dispose();
    daemon = undefined;
  });

  /** A daemon of its own with the busybox fixture pulled, and an engine on it. */
  async function setUp(): Promise<{ image: string; engine: DockerEngine; daemon: OwnDockerd }> {
    daemon = await startOwnDockerd(BRIDGE_ADDRESS);
    engine = new DockerEngine({ host: daemon.host });
    const image = inject('fixtures').busybox;
    await engine.pullImage(image);
    return { image, engine, daemon };
  }

  it('fails a log wait (a followed log stream) with DockerUnavailableError', async () => {
    const { image, engine, daemon } = await setUp();
    const starting = new GenericContainer(image)
      .withCommand(['sleep', '300'])
      .withWaitStrategy(killedMidWait(new LogWaitStrategy('never printed'), () => daemon))
      .withStartupTimeout(STARTUP_TIMEOUT_MS)
      .start(engine);
    await expect(starting).rejects.toBeInstanceOf(DockerUnavailableError);
  });

  it('fails a polling wait (listening ports) with DockerUnavailableError', async () => {
    const { image, engine, daemon } = await setUp();
    const starting = new GenericContainer(image)
      .withCommand(['sleep', '300'])
      .withExposedPorts(8080)
      .withWaitStrategy(killedMidWait(new ListeningPortsWaitStrategy(), () => daemon))
      .withStartupTimeout(STARTUP_TIMEOUT_MS)
      .start(engine);
    await expect(starting).rejects.toBeInstanceOf(DockerUnavailableError);
  });

  it('fails the start of a created container with DockerUnavailableError', async () => {
    const { image, engine, daemon } = await setUp();
    const starting = new KilledBeforeStart(image, daemon)
      .withCommand(['sleep', '300'])
      .withStartupTimeout(STARTUP_TIMEOUT_MS)
      .start(engine);
    await expect(starting).rejects.toBeInstanceOf(DockerUnavailableError);
  });
});
