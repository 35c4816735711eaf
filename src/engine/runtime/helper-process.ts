import type { Socket } from 'node:net';
import { ContainerExecError, ContainerStartError, ContainerUserError } from '../../errors.js';
import { helperPath } from '../native.js';
import { EventLineSplitter, type HelperEvent } from './helper-events.js';
import { encodeSpec, type HelperSpec } from './helper-spec.js';
import { SpawnedProcess } from './spawned-process.js';

/** How a container's init ended. */
export interface ExitStatus {
  exitCode: number;
  /** Signal that killed it, 0 if it exited by itself. */
  signal: number;
}

/**
 * One running `berth-helper` (the container's monitor) seen from Node. Its
 * pipes are unreferenced while nobody awaits them, so a forgotten container
 * never keeps the test process alive; when the process exits the lifeline
 * breaks and the helper kills the container.
 */
export class HelperProcess {
  readonly #child: SpawnedProcess;
  readonly #control: Socket;
  readonly #status: Socket;
  readonly #stderr: string[] = [];
  #pid: number | undefined;
  #waiters = 0;
  readonly started: Promise<number>;
  /** Resolves with the init's host pid as soon as it exists (before setup, when `waitForGo`). */
  readonly pidReported: Promise<number>;
  #reportPid: (pid: number) => void = () => undefined;
  readonly exited: Promise<ExitStatus>;

  private constructor(readonly spec: HelperSpec) {
    this.#child = new SpawnedProcess(helperPath(), ['run'], ['null', 'null', 'out', 'in', 'out']);
    const [, , stderr, control, status] = this.#child.stdio as [undefined, undefined, Socket, Socket, Socket];
    this.#control = control;
    this.#status = status;
    stderr.on('data', (d: Buffer) => this.#stderr.push(d.toString()));
    const events = eventQueue(this.#status);
    this.pidReported = new Promise((resolve) => {
      this.#reportPid = resolve;
    });
    this.started = this.#held(this.#awaitStart(events));
    // Not held: a running container alone must not keep Node alive. Awaiters use hold().
    this.exited = this.#awaitExit(events);
    this.started.catch(() => undefined);
    this.exited.catch(() => undefined);
    this.#control.on('error', () => undefined); // EPIPE when the helper is gone; its exit tells the story.
    this.#control.write(encodeSpec(spec));
    this.#unrefIdle();
  }

  /** Spawns the helper for `spec`; await {@link started} for the container's pid. */
  static spawn(spec: HelperSpec): HelperProcess {
    return new HelperProcess(spec);
  }

  /** Host pid of the container's init, once known. */
  get pid(): number | undefined {
    return this.#pid;
  }

  /** Pid of the helper (the monitor) itself. */
  get helperPid(): number | undefined {
    return this.#child.pid;
  }

  /** Kills the monitor (its container dies with it) and resolves once it is gone. */
  async abort(): Promise<void> {
    this.#child.kill('SIGKILL');
    await this.#child.exited;
  }

  /** Releases a container held by `waitForGo`. */
  go(): void {
    this.#control.write('g');
  }

  async #awaitStart(next: () => Promise<HelperEvent | undefined>): Promise<number> {
    for (;;) {
      const event = await next();
      if (!event) throw this.#helperDied('before the container started');
      if (event.kind === 'pid') {
        this.#pid = event.pid;
        this.#reportPid(event.pid);
      } else if (event.kind === 'started') return this.#pid ?? 0;
      else if (event.kind === 'error') throw this.#startError(event);
      else if (event.kind === 'exit') throw this.#helperDied('before reporting a start');
    }
  }

  async #awaitExit(next: () => Promise<HelperEvent | undefined>): Promise<ExitStatus> {
    await this.started;
    for (;;) {
      const event = await next();
      if (!event) throw this.#helperDied('while the container ran');
      if (event.kind === 'exit') return { exitCode: event.exitCode, signal: event.signal };
    }
  }

  #startError(event: Extract<HelperEvent, { kind: 'error' }>): Error {
    if (event.step === 'exec') return new ContainerExecError(this.spec.id, event.errno, event.message);
    if (event.step === 'user') return new ContainerUserError(this.spec.id, event.errno, event.message);
    return new ContainerStartError(this.spec.id, event.step, event.errno, event.message);
  }

  #helperDied(when: string): Error {
    const detail = this.#stderr.join('').trim().split('\n').slice(-5).join('\n') || 'no diagnostics';
    return new ContainerStartError(this.spec.id, 'monitor', 0, `the container monitor ended ${when}: ${detail}`);
  }

  /** Keeps the pipes referenced while `promise` is pending, so Node stays alive to see it settle. */
  #held<T>(promise: Promise<T>): Promise<T> {
    this.#waiters++;
    this.#refAll();
    return promise.finally(() => {
      this.#waiters--;
      this.#unrefIdle();
    });
  }

  /** Callers await through this to keep Node alive until `promise` settles. */
  hold<T>(promise: Promise<T>): Promise<T> {
    return this.#held(promise);
  }

  #refAll(): void {
    this.#child.ref();
  }

  #unrefIdle(): void {
    if (this.#waiters === 0) this.#child.unref();
  }
}

/** Turns the status socket into a pull-based event source. */
function eventQueue(status: Socket): () => Promise<HelperEvent | undefined> {
  const queued: HelperEvent[] = [];
  const pending: ((e: HelperEvent | undefined) => void)[] = [];
  let ended = false;
  const deliver = (event: HelperEvent | undefined): void => {
    const waiter = pending.shift();
    if (waiter) waiter(event);
    else if (event) queued.push(event);
  };
  const splitter = new EventLineSplitter(deliver);
  status.on('data', (chunk: Buffer) => splitter.push(chunk));
  status.on('close', () => {
    ended = true;
    while (pending.length > 0) deliver(undefined);
  });
  status.on('error', () => undefined);
  return () => {
    const event = queued.shift();
    if (event || ended) return Promise.resolve(event);
    return new Promise((resolve) => pending.push(resolve));
  };
}
