/**
 * A process that runs one container on the default network (image argv[2])
 * and removes it, printing its pid first and `done` after. With argv[3]
 * `idle` it then waits to be signalled; otherwise it exits normally.
 */
import { GenericContainer } from '../../src/index.js';

const [image, mode] = process.argv.slice(2);
if (!image) throw new Error('usage: default-network-user.ts <image> [idle]');
process.stdout.write(`${process.pid}\n`);
const c = await new GenericContainer(image).withCommand(['true']).start();
await c.wait();
await c.stop();
process.stdout.write('done\n');
if (mode === 'idle') setInterval(() => undefined, 1000);
