import { Socket } from 'node:net';
import { native } from '../native.js';

/** What the child's fd is: `/dev/null`, a pipe it reads (we write) or a pipe it writes (we read). */
export type StdioKind = 'null' | 'in' | 'out';

/** How a spawned process ended. */
export interface ChildExit {
  /** Exit status, or null when a signal killed it. */
  code: number | null;
  /** The signal that killed it, 0 when it exited by itself. */
  signal: number;
}

/**
 * A helper process started through the addon's posix_spawn (see
 * native/addon/spawn.h): unlike child_process, the cost does not grow with
 * the size of Node's heap. It runs in a session of its own; its pipes are
 * sockets, and nothing here keeps Node alive unless {@link ref}'d.
 */
export class SpawnedProcess {
  readonly pid: number;
  /** Our end of each of the child's fds; undefined for `null`. */
  readonly stdio: (Socket | undefined)[];
  readonly exited: Promise<ChildExit>;
  #ended = false;
  readonly #watch: { ref(): void; unref(): void };

  constructor(file: string, args: string[], stdio: StdioKind[]) {
    let settle: (exit: ChildExit) => void = () => undefined;
    this.exited = new Promise((resolve) => {
      settle = resolve;
    });
    const spawned = native().spawnProcess(file, [file, ...args], stdio, (code, signal) => {
      this.#ended = true;
      settle({ code: code < 0 ? null : code, signal });
    });
    this.pid = spawned.pid;
    this.#watch = spawned.watch;
    this.stdio = stdio.map((kind, i) => socketOf(spawned.fds[i] ?? -1, kind));
  }

  /** Whether it has ended (and was reaped). */
  get ended(): boolean {
    return this.#ended;
  }

  /** Signals it unless it has already ended; its pid is never someone else's then. */
  kill(signal: NodeJS.Signals = 'SIGKILL'): void {
    if (this.#ended) return;
    try {
      process.kill(this.pid, signal);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ESRCH') throw e;
    }
  }

  /** Keeps Node alive until it ends and its pipes close. */
  ref(): void {
    this.#watch.ref();
    for (const socket of this.stdio) socket?.ref();
  }

  /** Lets Node exit while it runs. */
  unref(): void {
    this.#watch.unref();
    for (const socket of this.stdio) socket?.unref();
  }
}

function socketOf(fd: number, kind: StdioKind): Socket | undefined {
  if (kind === 'null' || fd < 0) return undefined;
  return new Socket({ fd, readable: kind === 'out', writable: kind === 'in' });
}
