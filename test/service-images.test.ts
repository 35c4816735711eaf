import { describe, expect, inject, it } from 'vitest';
import { GenericContainer, Wait } from '../src/index.js';

const fixtures = () => inject('fixtures');

// The service fixtures the SDK's modules run: each must start its server as built.
describe('service fixture images', () => {
  it('redis starts and accepts connections', async () => {
    await using redis = await new GenericContainer(fixtures().redis)
      .withWaitStrategy(Wait.forLogMessage('Ready to accept connections'))
      .start();
    expect(await redis.output()).toContain('Ready to accept connections');
  });

  it('postgres initialises a cluster from POSTGRES_* and starts', async () => {
    await using pg = await new GenericContainer(fixtures().postgres)
      .withEnvironment({ POSTGRES_USER: 'app', POSTGRES_PASSWORD: 'secret', POSTGRES_DB: 'appdb' })
      .withWaitStrategy(Wait.forLogMessage('database system is ready to accept connections'))
      .start();
    expect(await pg.output()).toContain('database system is ready to accept connections');
  });

  it('postgres refuses to start without a password', async () => {
    const pg = await new GenericContainer(fixtures().postgres).start();
    try {
      expect((await pg.wait()).exitCode).toBe(1);
      expect(await pg.output()).toContain('set POSTGRES_PASSWORD');
    } finally {
      await pg.stop();
    }
  });

  it('nginx has a valid configuration and logs to the container output', async () => {
    const nginx = await new GenericContainer(fixtures().nginx).withCommand(['nginx', '-t']).start();
    try {
      expect((await nginx.wait()).exitCode).toBe(0);
      expect(await nginx.output()).toContain('syntax is ok');
    } finally {
      await nginx.stop();
    }
  });
});
