/**
 * Networking: the time networking adds to a container start (veth, address,
 * /etc files, one published port; the default network already up), and
 * throughput of an HTTP download from busybox httpd through a published
 * port (Berth's userland proxy) beside straight to the container's address,
 * downloaded by curl.
 */
import { execFile, execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { create } from 'tar';
import { GenericContainer, LocalEngine } from '../src/index.js';
import { writeBusyboxRootfs } from '../test/support/busybox-rootfs.js';
import { printTable, summarise, timeRuns } from './stats.js';

const execFileAsync = promisify(execFile);
const RUNS = Math.max(20, Number(process.env.BENCH_RUNS ?? 30));
const IMAGE = 'berth.local/bench/busybox:latest';
const FILE_MIB = 256;

const work = fs.mkdtempSync(join(tmpdir(), 'berth-bench-net-'));
const rootfs = join(work, 'rootfs');
writeBusyboxRootfs(rootfs);
execFileSync('tar', ['-C', rootfs, '-cf', join(work, 'rootfs.tar'), '.']);
const engine = new LocalEngine({ root: join(work, 'state') });
await engine.importImage(create({ cwd: rootfs, portable: false }, ['.']), IMAGE, { cmd: ['sh'] });

async function startStop(configure: (c: GenericContainer) => GenericContainer): Promise<void> {
  // A listener: with a published port, start() waits for it to listen (the default wait strategy).
  const c = await configure(new GenericContainer(IMAGE).withCommand(['httpd', '-f', '-p', '80'])).start(engine);
  await c.stop();
}

// A keeper holds the default network up, so each run measures one container's networking, not the bridge's.
const keeper = await new GenericContainer(IMAGE).withCommand(['sleep', '1000']).start(engine);
// Alternating runs, so drift in the machine's load hits both sides alike.
const samples = { none: [] as number[], bridged: [] as number[] };
for (let i = 0; i < RUNS; i++) {
  samples.none.push(...(await timeRuns(1, () => startStop((c) => c.withNetworkMode('none')), i === 0 ? 2 : 0)));
  samples.bridged.push(...(await timeRuns(1, () => startStop((c) => c.withExposedPorts(80)), i === 0 ? 2 : 0)));
}
const none = summarise(samples.none);
const bridged = summarise(samples.bridged);
printTable('start + stop, no network vs bridge + one published port', [
  { name: 'network none', summary: none },
  {
    name: 'bridge, 1 published port',
    summary: bridged,
    note: `networking and the listening-port wait add ~${(bridged.median - none.median).toFixed(1)} ms (median)`,
  },
]);

const server = await new GenericContainer(IMAGE)
  .withCommand(['sh', '-c', `mkdir /www && dd if=/dev/zero of=/www/big bs=1M count=${FILE_MIB} 2>/dev/null && exec httpd -f -p 80 -h /www`])
  .withExposedPorts(80)
  .start(engine);
const ip = server.getIpAddress('berth');

/** MiB/s of one download by curl (its own process: the proxy must not share an event loop with the client). */
async function download(url: string): Promise<number> {
  for (;;) {
    // Asynchronous: the proxy runs on this event loop.
    const args = ['-s', '-o', '/dev/null', '-w', '%{http_code} %{size_download} %{speed_download}', url];
    const { stdout } = await execFileAsync('curl', args).catch(() => ({ stdout: '' }));
    const [code, size, speed] = stdout.split(' ').map(Number);
    if (code === 200 && size === FILE_MIB * 2 ** 20) return (speed ?? 0) / 2 ** 20;
    await new Promise((r) => setTimeout(r, 100)); // httpd is still writing the file or not listening yet.
  }
}

const rates = { proxy: [] as number[], direct: [] as number[] };
for (let i = 0; i < 5; i++) {
  rates.direct.push(await download(`http://${ip}/big`));
  rates.proxy.push(await download(`http://127.0.0.1:${server.getMappedPort(80)}/big`));
}
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
console.log(`\nHTTP download of ${FILE_MIB} MiB from busybox httpd, median of 5 (MiB/s)`);
console.log(`  straight to ${ip}:80        ${median(rates.direct).toFixed(0)}`);
console.log(`  through 127.0.0.1:${server.getMappedPort(80)} (proxy) ${median(rates.proxy).toFixed(0)}`);

await server.stop();
await keeper.stop();
fs.rmSync(work, { recursive: true, force: true });
