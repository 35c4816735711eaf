/**
 * A stand-in for a test process that owns containers: starts `count` sleeping
 * containers from the image in argv[2], prints their ids and pids as one JSON
 * line, then idles until it is killed.
 */
import { GenericContainer } from '../../src/index.js';

const image = process.argv[2];
const count = Number(process.argv[3] ?? 1);
if (!image) throw new Error('usage: owner-process.ts <image> [count]');
const started = [];
for (let i = 0; i < count; i++) {
  const c = await new GenericContainer(image).withCommand(['sleep', '1000']).start();
  started.push({ id: c.getId(), pid: (await c.inspect()).State.Pid });
}
process.stdout.write(`${JSON.stringify(started)}\n`);
setInterval(() => undefined, 1000);
