import type { Socket } from 'node:net';
import { ContainerExecError, ContainerStartError, ContainerStateError, ContainerUserError } from '../../errors.js';
import type { ExecControl, ExecOptions, ExecResult } from '../api/index.js';
import type { ContainerRecord } from '../container/container-store.js';
import { securityOf, securityRecords } from '../container/process-security.js';
import { helperPath } from '../native.js';
import { AckQueue, resizeFrame } from './control-frames.js';
import { EventLineSplitter, type HelperEvent } from './helper-events.js';
import { encodeRecords } from './helper-spec.js';
import { SpawnedProcess } from './spawned-process.js';
import { feedStdin } from './stdin-source.js';

const ENOTTY = 25;

/** What `berth-helper exec` needs (native/PROTOCOL.md, "exec"). */
export interface ExecSpec {
  id: string;
  /** Host pid of the container's init, whose namespaces the command joins. */
  pid: number;
  /** The container's cgroup directories, one per hierarchy. */
  cgroups: string[];
  cwd: string;
  env: string[];
  args: string[];
  tty: boolean;
  records: [string, string][];
}

/**
 * The exec spec Docker's rules give: the container's environment overlaid
 * with the exec's, its user, working directory, capabilities and seccomp
 * unless the exec overrides them.
 */
export function execSpec(record: ContainerRecord, pid: number, cgroups: string[], options: ExecOptions): ExecSpec {
  const { readonlyRootfs: _r, init: _i, ...container } = securityOf(record.spec);
  const user = options.user ?? container.user;
  const sec = { ...container, ...(user ? { user } : {}), ...(options.privileged ? { privileged: true } : {}) };
  return {
    id: record.id,
    pid,
    cgroups,
    cwd: options.workingDir ?? record.workingDir,
    env: mergeEnv(record.env, options.env ?? {}),
    args: options.cmd,
    tty: options.tty ?? false,
    records: securityRecords(sec),
  };
}

function mergeEnv(base: string[], extra: Record<string, string>): string[] {
  const env = new Map(base.map((e) => [e.slice(0, Math.max(e.indexOf('='), 0)), e] as const));
  for (const [k, v] of Object.entries(extra)) env.set(k, `${k}=${v}`);
  return [...env.values()];
}

function encodeExecSpec(spec: ExecSpec): Buffer {
  return encodeRecords([
    ['id', spec.id],
    ['pid', String(spec.pid)],
    ...spec.cgroups.map((c): [string, string] => ['cgroup', c]),
    ['cwd', spec.cwd],
    ...spec.env.map((e): [string, string] => ['env', e]),
    ...spec.args.map((a): [string, string] => ['arg', a]),
    ['tty', spec.tty ? '1' : '0'],
    ['lifeline', '1'],
    ...spec.records,
  ]);
}

/** What an exec needs besides its spec: output callback, abort signal, stdin, start callback. */
export type ExecIo = Pick<ExecOptions, 'onOutput' | 'signal' | 'stdin' | 'onStart'>;

/**
 * Runs `berth-helper exec` and collects the command's output. The helper's
 * fd 3 stays open as a lifeline (if this process dies, the command is
 * killed) and carries resize frames; fd 0 is the command's stdin.
 */
export async function runExec(spec: ExecSpec, io: ExecIo = {}): Promise<ExecResult> {
  if (spec.args.length === 0 || !spec.args[0]) throw new ContainerExecError(spec.id, 22, 'exec needs a command');
  const { signal } = io;
  signal?.throwIfAborted();
  const child = new SpawnedProcess(helperPath(), ['exec'], [io.stdin === undefined ? 'null' : 'in', 'out', 'out', 'in', 'out']);
  // The command has PR_SET_PDEATHSIG: killing its helper kills it.
  const abort = (): void => child.kill('SIGKILL');
  signal?.addEventListener('abort', abort, { once: true });
  const [stdin, out, err, control, status] = child.stdio as [Socket | undefined, Socket, Socket, Socket, Socket];
  const chunks = { stdout: [] as Buffer[], stderr: [] as Buffer[] };
  const collect = (stream: 'stdout' | 'stderr') => (chunk: Buffer) => {
    chunks[stream].push(chunk);
    io.onOutput?.(stream, chunk);
  };
  out.on('data', collect('stdout'));
  err.on('data', collect('stderr'));
  control.on('error', () => undefined); // EPIPE if the helper ended early; its events tell why.
  control.write(encodeExecSpec(spec));
  const events: HelperEvent[] = [];
  const acks = new AckQueue((errno) => resizeError(spec.id, errno));
  const exec: ExecControl = { resize: (cols, rows) => resize(spec, control, acks, cols, rows) };
  // A failing stdin source or onStart callback ends the exec, which then rejects with it.
  let failure: Error | undefined;
  const fail = (error: unknown): void => {
    failure ??= error instanceof Error ? error : new Error(String(error));
    abort();
  };
  const splitter = new EventLineSplitter((e) => {
    if (e.kind === 'ack') return acks.settle(e.errno);
    events.push(e);
    try {
      if (e.kind === 'started') io.onStart?.(exec);
    } catch (error) {
      fail(error);
    }
  });
  status.on('data', (chunk: Buffer) => splitter.push(chunk));
  if (stdin && io.stdin !== undefined) void feedStdin(stdin, io.stdin, fail);
  const drained = Promise.all([out, err, status].map((s) => new Promise((resolve) => s.once('close', resolve))));
  // The exit, not fd 3's close: fd 3 stays open on our side until the helper is gone.
  await Promise.all([drained, child.exited]);
  acks.close(new ContainerStateError(`the exec in container ${spec.id} has ended`));
  signal?.removeEventListener('abort', abort);
  control.destroy();
  stdin?.destroy();
  signal?.throwIfAborted();
  // The feeding is not awaited: a source that never ends must not hold the result back.
  if (failure) throw failure;
  return result(spec.id, events, chunks);
}

function result(id: string, events: HelperEvent[], chunks: { stdout: Buffer[]; stderr: Buffer[] }): ExecResult {
  const text = (b: Buffer[]): string => Buffer.concat(b).toString('utf8');
  const error = events.find((e) => e.kind === 'error');
  if (error?.kind === 'error') throw execError(id, error, text(chunks.stderr));
  const exit = events.find((e) => e.kind === 'exit');
  if (exit?.kind !== 'exit') {
    throw new ContainerStartError(
      id,
      'exec',
      0,
      `the exec helper ended without an exit status: ${text(chunks.stderr).trim() || 'no diagnostics'}`,
    );
  }
  return { exitCode: exit.exitCode, stdout: text(chunks.stdout), stderr: text(chunks.stderr) };
}

function resize(spec: ExecSpec, control: Socket, acks: AckQueue, cols: number, rows: number): Promise<void> {
  if (!spec.tty) return Promise.reject(resizeError(spec.id, ENOTTY));
  const frame = resizeFrame(cols, rows);
  const acked = acks.expect();
  control.write(frame);
  return acked;
}

function resizeError(id: string, errno: number): Error {
  if (errno === ENOTTY) return new ContainerStateError(`the exec in container ${id} has no terminal`, 'run it with tty: true to resize it');
  return new ContainerStateError(`resizing the exec's terminal in container ${id} failed with errno ${errno}`);
}

function execError(id: string, e: Extract<HelperEvent, { kind: 'error' }>, stderr: string): Error {
  if (e.step === 'exec') return new ContainerExecError(id, e.errno, e.message);
  if (e.step === 'user') return new ContainerUserError(id, e.errno, e.message);
  const detail = stderr.trim() ? `${e.message} (${stderr.trim()})` : e.message;
  return new ContainerStartError(id, e.step, e.errno, detail);
}
