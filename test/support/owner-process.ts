/**
 * A stand-in for a test process that owns containers: starts `count` sleeping
 * containers from the image in argv[2] (each with an anonymous volume on
 * /data when argv[4] is `volume`), prints their ids, pids and volumes as one
 * JSON line, then idles until it is killed.
 */
import { GenericContainer } from '../../src/index.js';

const image = process.argv[2];
const count = Number(process.argv[3] ?? 1);
const withVolume = process.argv[4] === 'volume';
if (!image) throw new Error('usage: owner-process.ts <image> [count]');
const started = [];
for (let i = 0; i < count; i++) {
  const c = await new GenericContainer(image)
    .withCommand(['sleep', '1000'])
    .withMounts(withVolume ? [{ type: 'volume', target: '/data' }] : [])
    .start();
  const { State, Mounts } = await c.inspect();
  started.push({ id: c.getId(), pid: State.Pid, volumes: Mounts.map((m) => m.Name) });
}
process.stdout.write(`${JSON.stringify(started)}\n`);
setInterval(() => undefined, 1000);
