/**
 * Standard input: 32 MiB written to `wc -c` through an exec's stdin
 * (`docker exec -i`) and through a container's attach socket (`docker run
 * -i` + `docker attach`), and the round trip of one line through attach.
 */
import * as fs from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { create } from 'tar';
import { LocalEngine } from '../src/index.js';
import { writeBusyboxRootfs } from '../test/support/busybox-rootfs.js';
import { printTable, type Summary, summarise, timeRuns } from './stats.js';

const RUNS = Math.max(5, Number(process.env.BENCH_RUNS ?? 10));
const IMAGE = 'berth.local/bench/busybox:latest';
const SIZE = 32 * 1024 * 1024;
const CHUNK = Buffer.alloc(64 * 1024, 0x61);

const work = fs.mkdtempSync(join(tmpdir(), 'berth-bench-stdin-'));
const rootfs = join(work, 'rootfs');
writeBusyboxRootfs(rootfs);
const engine = new LocalEngine({ root: join(work, 'state') });
const image = await engine.importImage(create({ cwd: rootfs, portable: false }, ['.']), IMAGE, { cmd: ['sh'] });
const rows: { name: string; summary?: Summary; note?: string }[] = [];

const sleeper = await engine.createContainer({ image: image.Id, command: ['sleep', '1000'] });
await engine.startContainer(sleeper);
rows.push({ name: 'exec wc -c, 32 MiB stdin', summary: summarise(await timeRuns(RUNS, execCount)) });
rows.push({ name: 'attach to run -i wc -c, 32 MiB (incl. start, wait)', summary: summarise(await timeRuns(RUNS, attachCount)) });
const loop = await engine.createContainer({ image: image.Id, command: ['sh', '-c', 'while read l; do echo $l; done'], openStdin: true });
await engine.startContainer(loop);
const session = await engine.attachContainer(loop);
rows.push({ name: 'attach write one line (acknowledged)', summary: summarise(await timeRuns(RUNS * 10, () => session.write('x\n'))) });
session.close();
await engine.removeContainer(loop, { force: true });
await engine.removeContainer(sleeper, { force: true });

printTable(`stdin (${RUNS} runs each, ms)`, rows);
fs.rmSync(work, { recursive: true, force: true });

function payload(): Readable {
  return Readable.from(
    (function* () {
      for (let sent = 0; sent < SIZE; sent += CHUNK.length) yield CHUNK;
    })(),
  );
}

async function execCount(): Promise<void> {
  const { stdout } = await engine.execContainer(sleeper, { cmd: ['wc', '-c'], stdin: payload() });
  if (stdout.trim() !== String(SIZE)) throw new Error(`wc -c said ${stdout}`);
}

async function attachCount(): Promise<void> {
  const id = await engine.createContainer({ image: image.Id, command: ['wc', '-c'], openStdin: true });
  await engine.startContainer(id);
  const attached = await engine.attachContainer(id, { stdin: payload() });
  await attached.input;
  const exit = await engine.waitContainer(id);
  attached.close();
  await engine.removeContainer(id, { force: true });
  if (exit.exitCode !== 0) throw new Error(`wc -c exited ${exit.exitCode}`);
}
