/**
 * A process that runs one container on the default network (image argv[2])
 * and removes it, printing its pid first and `done <container id>` after. With argv[3]
 * `idle` it then waits to be signalled, with `exit` it calls process.exit()
 * at once; otherwise it ends normally.
 */
import { GenericContainer } from '../../src/index.js';

const [image, mode] = process.argv.slice(2);
if (!image) throw new Error('usage: default-network-user.ts <image> [idle|exit]');
process.stdout.write(`${process.pid}\n`);
const c = await new GenericContainer(image).withCommand(['true']).start();
await c.wait();
await c.stop();
process.stdout.write(`done ${c.getId()}\n`);
if (mode === 'idle') setInterval(() => undefined, 1000);
if (mode === 'exit') process.exit(0);
