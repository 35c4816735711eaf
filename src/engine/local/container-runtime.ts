import * as fs from 'node:fs';
import { relative } from 'node:path';
import { ContainerStateError } from '../../errors.js';
import type { ContainerNetworking, NetworkManager } from '../../net/network-manager.js';
import { helperMountRecords } from '../../volumes/mount-spec.js';
import type { CgroupStats, ContainerTop, ExecOptions, ExecResult } from '../api/index.js';
import { ContainerCgroup } from '../cgroups/container-cgroup.js';
import type { ContainerRecord, ContainerStore } from '../container/container-store.js';
import { securityOf } from '../container/process-security.js';
import type { ImageStore } from '../image/image-store.js';
import { execSpec, runExec } from '../runtime/exec-process.js';
import { type ExitStatus, HelperProcess } from '../runtime/helper-process.js';
import type { HelperSpec } from '../runtime/helper-spec.js';
import { readlinkOr, readOr } from '../state/files.js';
import { identify, isAlive, type ProcessIdentity } from '../state/process-identity.js';

/** A running container: one this process started, or one another process's monitor runs. */
export interface RunningContainer {
  pid: number;
  startedAt: string;
  cgroup: ContainerCgroup;
  paused: boolean;
  /** Resolves when the container has exited and its monitor wrote the exit file. */
  exited(): Promise<void>;
}

/** Written beside a running container so every process can find and watch its monitor. */
interface MonitorFile {
  monitor: ProcessIdentity;
  pid: number;
  startedAt: string;
}

const FOREIGN_POLL_MS = 25;

/** What the monitor wrote when the container ended. */
export interface ExitRecord extends ExitStatus {
  finishedAtMs: number;
  oomKilled?: boolean;
}

/**
 * Runs containers: cgroups, the native helper (each container's monitor),
 * signals, pause, stats. Keeps the containers this process started.
 */
export class ContainerRuntime {
  readonly #running = new Map<string, RunningContainer>();
  /** Per container started here: settles once its network and cgroup are released after exit. */
  readonly #released = new Map<string, Promise<void>>();

  constructor(
    private readonly containers: ContainerStore,
    private readonly images: ImageStore,
    private readonly network: NetworkManager,
  ) {}

  /** Whether this process started the container (and so serves its ports). */
  startedHere(id: string): boolean {
    return this.#running.has(id);
  }

  running(id: string): RunningContainer | undefined {
    return this.#running.get(id) ?? this.#foreign(id);
  }

  /** A container whose monitor lives in (or was left by) another process. */
  #foreign(id: string): RunningContainer | undefined {
    const dirs = this.containers.dirs(id);
    const file = readJson<MonitorFile>(dirs.monitor);
    // An exit file means it ended, even if its monitor is still finishing up.
    if (!file || !isAlive(file.monitor) || fs.existsSync(dirs.exitFile)) return undefined;
    const cgroup = ContainerCgroup.of(id);
    return {
      pid: file.pid,
      startedAt: file.startedAt,
      cgroup,
      paused: cgroup.isFrozen(),
      exited: async () => {
        while (isAlive(file.monitor)) await new Promise((r) => setTimeout(r, FOREIGN_POLL_MS));
      },
    };
  }

  /** Creates the cgroup, starts the helper (whose init joins the cgroup and sets up), attaches the network, lets it run. */
  async start(record: ContainerRecord): Promise<void> {
    if (this.#running.has(record.id)) throw new ContainerStateError(`container ${record.name} is already running`);
    const dirs = this.containers.dirs(record.id);
    // Host ports first: a port in use fails the start before anything else exists.
    const networking = await this.network.prepare({ ...record, dir: dirs.root });
    const cgroup = ContainerCgroup.of(record.id);
    let helper: HelperProcess;
    try {
      fs.rmSync(dirs.exitFile, { force: true }); // From a previous run.
      writeJson(dirs.ports, networking.ports);
      // Before the helper: its init joins the cgroups itself, which is much faster than moving it in.
      cgroup.create(record.spec.resources ?? {});
      helper = HelperProcess.spawn(this.#helperSpec(record, cgroup, networking));
    } catch (error) {
      await networking.release();
      removeQuietly(cgroup);
      throw error;
    }
    try {
      const pid = await helper.hold(Promise.race([helper.pidReported, helper.started]));
      await networking.attach(pid).catch((error: unknown) => whyAttachFailed(helper, pid, error));
      helper.go();
      await helper.started;
      const startedAt = new Date().toISOString();
      const monitor = identify(helper.helperPid ?? 0);
      if (monitor) writeJson(this.containers.dirs(record.id).monitor, { monitor, pid, startedAt } satisfies MonitorFile);
      const exited = (): Promise<void> =>
        helper.hold(helper.exited).then(
          () => undefined,
          () => undefined,
        );
      this.#running.set(record.id, { pid, startedAt, cgroup, paused: false, exited });
    } catch (error) {
      await helper.hold(helper.abort());
      await networking.release();
      cgroup.remove();
      throw error;
    }
    this.#released.set(
      record.id,
      helper.exited
        .catch(() => undefined)
        .then(() => networking.release())
        .catch(() => undefined)
        .finally(() => {
          this.#running.delete(record.id);
          this.#released.delete(record.id);
          removeQuietly(cgroup);
        }),
    );
  }

  /** Sends `signal` to the init. */
  kill(record: ContainerRecord, signal: NodeJS.Signals): void {
    const running = this.#requireRunning(record);
    if (running.paused && signal !== 'SIGKILL') {
      throw new ContainerStateError(`container ${record.name} is paused`, 'unpause it first');
    }
    signalPid(running.pid, signal);
  }

  /** Stop signal, then SIGKILL after `timeoutMs`; resolves when the monitor reported the exit. */
  async stop(record: ContainerRecord, timeoutMs: number): Promise<void> {
    const running = this.running(record.id);
    if (!running) return;
    if (running.paused) await this.setPaused(record, false);
    signalPid(running.pid, timeoutMs > 0 ? record.stopSignal : 'SIGKILL');
    if (timeoutMs > 0) {
      let timer: NodeJS.Timeout | undefined;
      const timedOut = new Promise<'timeout'>((resolve) => {
        timer = setTimeout(() => resolve('timeout'), timeoutMs);
      });
      const outcome = await Promise.race([running.exited(), timedOut]);
      clearTimeout(timer);
      if (outcome === 'timeout') signalPid(running.pid, 'SIGKILL');
    }
    await running.exited();
    await this.settled(record.id);
  }

  /** The exit status: awaited from the monitor when running, else read from its exit file. */
  async wait(record: ContainerRecord): Promise<ExitRecord | undefined> {
    await this.running(record.id)?.exited();
    await this.settled(record.id);
    return this.exitRecord(record);
  }

  exitRecord(record: ContainerRecord): ExitRecord | undefined {
    return readJson<ExitRecord>(this.containers.dirs(record.id).exitFile);
  }

  /** Freezes or thaws every process of the container (docker pause / unpause). */
  async setPaused(record: ContainerRecord, paused: boolean): Promise<void> {
    const running = this.#requireRunning(record);
    if (running.paused === paused) {
      throw new ContainerStateError(`container ${record.name} is ${paused ? 'already' : 'not'} paused`);
    }
    await running.cgroup.setFrozen(paused);
    running.paused = paused;
  }

  stats(record: ContainerRecord): CgroupStats {
    return this.#requireRunning(record).cgroup.stats();
  }

  /** Processes in the container's cgroup with their pid, parent and command line. */
  top(record: ContainerRecord): ContainerTop {
    const pids = this.#requireRunning(record).cgroup.pids();
    const processes = pids.map((pid) => {
      const stat = readOr(`/proc/${pid}/stat`);
      const ppid = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1] ?? '';
      const cmd = readOr(`/proc/${pid}/cmdline`).split('\0').filter(Boolean).join(' ');
      return [String(pid), ppid, cmd];
    });
    return { titles: ['PID', 'PPID', 'CMD'], processes };
  }

  /** Runs one more command in the running container (see {@link runExec}). */
  exec(record: ContainerRecord, options: ExecOptions): Promise<ExecResult> {
    const running = this.#requireRunning(record);
    if (running.paused) throw new ContainerStateError(`container ${record.name} is paused`, 'unpause it first');
    return runExec(execSpec(record, running.pid, running.cgroup.dirs, options), options);
  }

  #requireRunning(record: ContainerRecord): RunningContainer {
    const running = this.running(record.id);
    if (!running) throw new ContainerStateError(`container ${record.name} is not running`, 'start it first');
    return running;
  }

  /** Resolves once a container started here ended and gave back its addresses and ports (does not keep Node alive). */
  async settled(id: string): Promise<void> {
    await this.#released.get(id);
  }

  #helperSpec(record: ContainerRecord, cgroup: ContainerCgroup, networking: ContainerNetworking): HelperSpec {
    const dirs = this.containers.dirs(record.id);
    const layers = this.images.paths.layers;
    return {
      id: record.id,
      mountpoint: dirs.rootfs,
      lowerbase: layers,
      // Overlay wants the top-most lower first; relative paths keep the mount options short.
      lowers: [...record.chainIds].reverse().map((c) => relative(layers, this.images.layerDiff(c))),
      upper: dirs.upper,
      work: dirs.work,
      hostname: record.hostname,
      cwd: record.workingDir,
      env: record.env,
      args: record.argv,
      log: dirs.log,
      exitfile: dirs.exitFile,
      // A kept-alive container outlives its owner: no lifeline, so nothing to clean up after one.
      lifeline: !record.spec.keepAlive,
      ...(record.spec.keepAlive ? {} : { orphanCleanup: dirs.root }),
      waitForGo: true,
      cgroups: cgroup.dirs,
      cgroupCleanup: cgroup.dirs,
      oomEvents: cgroup.oomEventFiles(),
      security: securityOf(record.spec),
      mounts: [...helperMountRecords(record.mounts ?? []), ...networking.mounts],
      ...(networking.netns ? { netns: networking.netns } : {}),
      ...attachRecords(record, dirs.attach),
    };
  }
}

/** stdin and terminal: a socket to attach to only when there is something to attach to. */
function attachRecords(record: ContainerRecord, socket: string): Pick<HelperSpec, 'openStdin' | 'tty' | 'attachSocket'> {
  const { openStdin, tty } = record.spec;
  if (!openStdin && !tty) return {};
  return { ...(openStdin ? { openStdin } : {}), ...(tty ? { tty } : {}), attachSocket: socket };
}

/**
 * The init sets up while the network is attached; when its setup fails it
 * ends, and the attach fails for want of its netns. The helper then reports
 * what failed, and that is the error to throw.
 */
async function whyAttachFailed(helper: HelperProcess, pid: number, error: unknown): Promise<never> {
  // An init on its way out has already dropped its namespaces, before it turns zombie.
  if (readlinkOr(`/proc/${pid}/ns/net`) !== undefined) throw error;
  await helper.hold(helper.started);
  throw error;
}

function readJson<T>(path: string): T | undefined {
  try {
    return JSON.parse(fs.readFileSync(path, 'utf8')) as T;
  } catch {
    return undefined;
  }
}

function writeJson(path: string, value: unknown): void {
  fs.writeFileSync(`${path}.tmp`, JSON.stringify(value));
  fs.renameSync(`${path}.tmp`, path);
}

function removeQuietly(cgroup: ContainerCgroup): void {
  try {
    cgroup.remove();
  } catch {
    // Still busy for a moment after the last process exited; the engine's sweep takes it later.
  }
}

/** Signals a pid; a process that already exited is not an error (its monitor reports the exit). */
export function signalPid(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ESRCH') throw e;
  }
}
