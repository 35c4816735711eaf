/**
 * Berth inside jest (native ESM): `useBerth()` of `berth/jest` removes what a
 * test started when the test ends, passed or failed.
 *
 *   npm run build && NODE_OPTIONS=--experimental-vm-modules npx jest --config examples/jest/jest.config.mjs
 *
 * REDIS_IMAGE picks another image (default `redis:7`, from Docker Hub).
 */
import { RedisContainer } from 'berth';
import { useBerth } from 'berth/jest';
import { createClient } from 'redis';

const image = process.env.REDIS_IMAGE ?? 'redis:7';
const berth = useBerth();

test('a value written to Redis reads back', async () => {
  const redis = await berth.start(new RedisContainer(image));
  const client = await createClient({ url: redis.getConnectionUrl() }).connect();
  try {
    await client.set('greeting', 'hello from berth');
    expect(await client.get('greeting')).toBe('hello from berth');
  } finally {
    client.destroy();
  }
});

test('a password-protected Redis refuses clients without it', async () => {
  const redis = await berth.start(new RedisContainer(image).withPassword('s3cret'));
  expect(await redis.executeCliCmd('ping')).toContain('PONG');
  const anonymous = createClient({ url: `redis://${redis.getHost()}:${redis.getPort()}`, socket: { reconnectStrategy: false } });
  await expect(anonymous.connect()).rejects.toThrow(/NOAUTH/);
});
