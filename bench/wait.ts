/**
 * Wait strategies: the cost of one in-container "is the port listening"
 * check read from /proc/<pid>/net/tcp on the host (what forListeningPorts
 * does) beside the same check exec'd in the container (the shell-based
 * check Docker-backed libraries run), and the whole forListeningPorts wait
 * on a server that already listens.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { create } from 'tar';
import { listensInside } from '../src/engine/proc-net-sockets.js';
import { GenericContainer, LocalEngine, Wait } from '../src/index.js';
import { waitForReady } from '../src/sdk/wait/wait-for-ready.js';
import { writeBusyboxRootfs } from '../test/support/busybox-rootfs.js';
import { printTable, summarise, timeRuns } from './stats.js';

const RUNS = Math.max(20, Number(process.env.BENCH_RUNS ?? 30));
const IMAGE = 'berth.local/bench/busybox:latest';

const work = fs.mkdtempSync(join(tmpdir(), 'berth-bench-wait-'));
const rootfs = join(work, 'rootfs');
writeBusyboxRootfs(rootfs);
execFileSync('tar', ['-C', rootfs, '-cf', join(work, 'rootfs.tar'), '.']);
const engine = new LocalEngine({ root: join(work, 'state') });
await engine.importImage(create({ cwd: rootfs, portable: false }, ['.']), IMAGE, { cmd: ['sh'] });

const server = await new GenericContainer(IMAGE).withCommand(['httpd', '-f', '-p', '80']).withExposedPorts(80).start(engine);
const pid = (await server.inspect()).State.Pid;
const grep = ['sh', '-c', 'grep -qi ":0050 [0-9A-F:]* 0A " /proc/net/tcp /proc/net/tcp6'];

const proc = summarise(
  await timeRuns(RUNS, async () => {
    if (!(await listensInside(pid, 80, 'tcp'))) throw new Error('not listening');
  }),
);
const exec = summarise(
  await timeRuns(RUNS, async () => {
    if ((await engine.execContainer(server.getId(), { cmd: grep })).exitCode !== 0) throw new Error('not listening');
  }),
);
const whole = summarise(
  await timeRuns(RUNS, () => waitForReady(engine, server.getId(), Wait.forListeningPorts(), { containerTimeoutMs: 5000 })),
);
printTable('one listening-port check on a ready busybox httpd', [
  { name: 'read /proc/<pid>/net/tcp{,6} from the host', summary: proc },
  {
    name: 'exec grep of /proc/net/tcp in the container',
    summary: exec,
    note: `~${(exec.median / proc.median).toFixed(0)}× the /proc read`,
  },
  { name: 'Wait.forListeningPorts() (+ host connect)', summary: whole },
]);

await server.stop();
fs.rmSync(work, { recursive: true, force: true });
