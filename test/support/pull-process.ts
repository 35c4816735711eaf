/**
 * A second process that pulls: opens a LocalEngine on the store in argv[2],
 * prints "ready", waits for a line on stdin, pulls the image in argv[3] and
 * prints the image id as JSON. Lets a test start pulls in several processes at
 * the same moment.
 */
import { once } from 'node:events';
import { LocalEngine } from '../../src/index.js';

const [root, image] = process.argv.slice(2);
if (!root || !image) throw new Error('usage: pull-process.ts <store root> <image>');
const engine = new LocalEngine({ root, config: { insecureRegistries: [], registryMirrors: {} } });
process.stdout.write('ready\n');
await once(process.stdin, 'data');
const pulled = await engine.pullImage(image);
process.stdout.write(`${JSON.stringify({ id: pulled.Id })}\n`);
process.exit(0);
