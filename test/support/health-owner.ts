/**
 * A script that starts a container with a health check, waits for it to be
 * healthy, prints its id and then has nothing left to do: it must exit (the
 * health checks it runs must not keep Node alive).
 */
import { GenericContainer } from '../../src/index.js';

const image = process.argv[2];
if (!image) throw new Error('usage: health-owner.ts <image>');
const c = await new GenericContainer(image)
  .withCommand(['sleep', '1000'])
  .withHealthCheck({ test: ['CMD', 'true'], interval: 100 })
  .start();
process.stdout.write(`${c.getId()}\n`);
