/**
 * Copying files in and out of containers (Docker's archive API): a tree of
 * 1000 small files plus one 32 MiB file, as one tar, extracted into a
 * running and a created container and read back out — Berth beside
 * `docker cp` when a dockerd runs.
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { create } from 'tar';
import { LocalEngine } from '../src/index.js';
import { writeBusyboxRootfs } from '../test/support/busybox-rootfs.js';
import { printTable, type Summary, summarise, timeRuns } from './stats.js';

const RUNS = Math.max(5, Number(process.env.BENCH_RUNS ?? 10));
const IMAGE = 'berth.local/bench/busybox:latest';
const PEER_IMAGE = 'berth-bench-busybox:latest';

const work = fs.mkdtempSync(join(tmpdir(), 'berth-bench-copy-'));
const rootfs = join(work, 'rootfs');
writeBusyboxRootfs(rootfs);
const payload = join(work, 'payload');
for (let d = 0; d < 10; d++) {
  fs.mkdirSync(join(payload, `d${d}`), { recursive: true });
  for (let f = 0; f < 100; f++) fs.writeFileSync(join(payload, `d${d}`, `f${f}`), randomBytes(4096));
}
fs.writeFileSync(join(payload, 'big.bin'), randomBytes(32 * 1024 * 1024));
const payloadTar = join(work, 'payload.tar');
execFileSync('tar', ['-C', work, '-cf', payloadTar, 'payload']);

const engine = new LocalEngine({ root: join(work, 'state') });
const image = await engine.importImage(create({ cwd: rootfs, portable: false }, ['.']), IMAGE, { cmd: ['sh'] });
const rows: { name: string; summary?: Summary; note?: string }[] = [];

const running = await engine.createContainer({ image: image.Id, command: ['sleep', '1000'] });
await engine.startContainer(running);
const created = await engine.createContainer({ image: image.Id, command: ['true'] });

rows.push({ name: 'berth putArchive, running container', summary: summarise(await timeRuns(RUNS, () => putInto(running))) });
rows.push({ name: 'berth putArchive, created container (view)', summary: summarise(await timeRuns(RUNS, () => putInto(created))) });
rows.push({ name: 'berth getArchive, running container', summary: summarise(await timeRuns(RUNS, () => drain(running))) });
rows.push({ name: 'berth getArchive, created container (view)', summary: summarise(await timeRuns(RUNS, () => drain(created))) });
await engine.removeContainer(running, { force: true });
await engine.removeContainer(created, { force: true });

if (dockerRunning() && importIntoDocker()) {
  const id = execFileSync('docker', ['run', '-d', '--network=none', PEER_IMAGE, 'sleep', '1000'], { encoding: 'utf8' }).trim();
  try {
    rows.push({
      name: 'docker cp - (into running)',
      summary: summarise(await timeRuns(RUNS, () => sh(`docker cp - ${id}:/ < ${payloadTar}`))),
    });
    rows.push({
      name: 'docker cp (out of running)',
      summary: summarise(await timeRuns(RUNS, () => sh(`docker cp ${id}:/payload - > /dev/null`))),
    });
  } finally {
    spawnSync('docker', ['rm', '-f', id], { stdio: 'ignore' });
    spawnSync('docker', ['rmi', '-f', PEER_IMAGE], { stdio: 'ignore' });
  }
} else rows.push({ name: 'docker cp', note: 'no dockerd running (bash bench/start-dockerd.sh)' });

printTable(`copy 1000 x 4 KiB + 32 MiB as one tar (${RUNS} runs each, ms)`, rows);
fs.rmSync(work, { recursive: true, force: true });

async function putInto(id: string): Promise<void> {
  await engine.putArchive(id, '/', fs.createReadStream(payloadTar, { highWaterMark: 256 * 1024 }));
}

async function drain(id: string): Promise<void> {
  const { stream } = await engine.getArchive(id, '/payload');
  for await (const _ of stream) void _;
}

function sh(command: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('sh', ['-c', command], { stdio: 'ignore' });
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${command} exited ${code}`))));
  });
}

function importIntoDocker(): boolean {
  const tarPath = join(work, 'rootfs.tar');
  execFileSync('tar', ['-C', rootfs, '-cf', tarPath, '.']);
  return spawnSync('docker', ['import', '--change', 'CMD ["sh"]', tarPath, PEER_IMAGE], { stdio: 'ignore' }).status === 0;
}

function dockerRunning(): boolean {
  return spawnSync('docker', ['info'], { stdio: 'ignore' }).status === 0;
}
