/**
 * A dockerd of a test's own: its own socket, --data-root, --exec-root,
 * pidfile and bridge (`berthd<hex>`, made here with a TEST-NET address, no
 * firewall rules), so it disturbs neither the system daemon nor docker0
 * (`--bridge=none` would make it delete docker0). It can be killed with
 * SIGKILL, as a crash; disposing of it then kills what the daemon left
 * running (containerd, shims, the containers) and removes their cgroups,
 * mounts and files.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import * as fs from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DockerEngine } from '../../src/index.js';
import { eventually, processExists } from './leaks.js';

/** A running (or killed) dockerd of one test. */
export interface OwnDockerd {
  /** `unix://…/docker.sock`, for DockerEngine's `host`. */
  readonly host: string;
  readonly pid: number;
  /** SIGKILL, as a crash: containerd, shims and containers stay. */
  kill(): Promise<void>;
  /** Removes every container and stops the daemon (or, once killed, kills what it left), then removes its files and bridge. */
  dispose(): Promise<void>;
}

/**
 * Starts a dockerd of its own and waits until it answers.
 * @param address the bridge's address and prefix, in a TEST-NET range no other test uses, e.g. `198.51.100.1/24`.
 */
export async function startOwnDockerd(address: string): Promise<OwnDockerd> {
  const dir = fs.mkdtempSync(join(tmpdir(), 'berth-own-dockerd-'));
  const bridge = `berthd${randomBytes(3).toString('hex')}`;
  execFileSync('ip', ['link', 'add', bridge, 'type', 'bridge']);
  execFileSync('ip', ['addr', 'add', address, 'dev', bridge]);
  const socket = join(dir, 'docker.sock');
  const host = `unix://${socket}`;
  const daemon = await launch(dir, bridge, host).catch(async (error: unknown) => {
    await removeRemains(dir, bridge, []);
    throw error;
  });
  let killed: Promise<void> | undefined;
  return {
    host,
    get pid() {
      return daemon.pid ?? 0;
    },
    kill() {
      const exited = once(daemon, 'exit').then(() => undefined);
      daemon.kill('SIGKILL');
      killed = exited;
      return exited;
    },
    async dispose() {
      const containers = containerIds(dir);
      try {
        if (killed) {
          await killed; // Clients may see the socket close before the exit is reported.
        } else {
          const engine = new DockerEngine({ host });
          for (const id of await engine.listContainers({ all: true })) await engine.removeContainer(id.Id, { force: true });
          await engine.close();
          const exited = once(daemon, 'exit');
          daemon.kill('SIGTERM');
          await exited;
        }
      } finally {
        await removeRemains(dir, bridge, containers);
      }
    },
  };
}

async function launch(dir: string, bridge: string, host: string): Promise<ChildProcess> {
  const daemon = spawn(
    'dockerd',
    [
      ...['--data-root', join(dir, 'data'), '--exec-root', join(dir, 'exec'), '--pidfile', join(dir, 'dockerd.pid'), '-H', host],
      ...['--bridge', bridge, '--iptables=false', '--ip6tables=false'],
    ],
    { stdio: ['ignore', 'ignore', fs.openSync(join(dir, 'dockerd.log'), 'a')] },
  );
  const engine = new DockerEngine({ host });
  const answers = (): Promise<boolean> =>
    engine.apiVersion().then(
      () => true,
      () => false,
    );
  const up = await eventually(answers, 30_000, 100);
  await engine.close();
  if (!up) throw new Error(`dockerd did not come up; see ${join(dir, 'dockerd.log')}`);
  return daemon;
}

/** After a SIGKILL, what the daemon left running (containerd, shims, the containers' processes) and their cgroups; then its mounts, files and bridge. */
async function removeRemains(dir: string, bridge: string, containers: string[]): Promise<void> {
  await killLeftovers(dir);
  removeCgroups(containers);
  unmountBelow(dir);
  fs.rmSync(dir, { recursive: true, force: true });
  if (fs.existsSync(`/sys/class/net/${bridge}`)) execFileSync('ip', ['link', 'del', bridge]);
}

/** dockerd leaves its data root mounted (a private bind mount of itself): unmounted, deepest first. */
function unmountBelow(dir: string): void {
  const points = fs
    .readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .map((line) => line.split(' ')[4] ?? '')
    .filter((point) => point.startsWith(`${dir}/`))
    .sort()
    .reverse();
  for (const point of points) execFileSync('umount', ['-l', point]);
}

/** SIGKILL to every process whose command line names `dir` (containerd, shims) and to their children (the containers' init); waits until they are gone. */
async function killLeftovers(dir: string): Promise<void> {
  const processes = fs
    .readdirSync('/proc')
    .filter((e) => /^\d+$/.test(e))
    .map((pid) => ({ pid: Number(pid), cmdline: readOr(`/proc/${pid}/cmdline`), ppid: parentOf(pid) }));
  const named = new Set(processes.filter((p) => p.cmdline.includes(dir)).map((p) => p.pid));
  const doomed = processes.filter((p) => named.has(p.pid) || named.has(p.ppid)).map((p) => p.pid);
  for (const pid of doomed) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Gone already.
    }
  }
  await eventually(() => doomed.every((pid) => !processExists(pid)), 10_000, 50);
}

/** The 4th field of /proc/<pid>/stat, after the `(comm)` that may hold spaces. */
function parentOf(pid: string): number {
  return Number(readOr(`/proc/${pid}/stat`).split(') ')[1]?.split(' ')[1]);
}

/** The ids of the daemon's containers, from its data root. */
function containerIds(dir: string): string[] {
  try {
    return fs.readdirSync(join(dir, 'data', 'containers'));
  } catch {
    return [];
  }
}

/** The killed containers' cgroups, which nobody else removes (cgroupfs driver, v1 or v2). */
function removeCgroups(ids: string[]): void {
  const roots = ['/sys/fs/cgroup', ...fs.readdirSync('/sys/fs/cgroup').map((c) => join('/sys/fs/cgroup', c))];
  for (const id of ids) {
    for (const root of roots) {
      try {
        fs.rmdirSync(join(root, 'docker', id));
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT' && (error as NodeJS.ErrnoException).code !== 'ENOTDIR') throw error;
      }
    }
  }
}

function readOr(path: string): string {
  try {
    return fs.readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}
