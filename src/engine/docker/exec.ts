import { setTimeout as sleep } from 'node:timers/promises';
import { ContainerExecError, ContainerUserError } from '../../errors.js';
import type { ExecOptions, ExecResult } from '../api/index.js';
import { outputReader } from './demux.js';
import { feedHijacked } from './hijacked-stdin.js';
import type { DockerTransport, Hijacked } from './transport.js';

/** Docker's `GET /exec/{id}/json`, the parts Berth reads. */
interface ExecInspect {
  Running: boolean;
  ExitCode: number | null;
  Pid: number;
}

const EXIT_POLL_MS = 20;

/**
 * `docker exec`: creates the exec, starts it on a hijacked connection, feeds
 * stdin, demultiplexes stdout and stderr, and reads the exit code once the
 * output ends. `killLocal` ends the command when aborted (the daemon has no
 * call for it; on a local daemon its host pid can be signalled).
 */
export async function execIn(
  api: DockerTransport,
  id: string,
  options: ExecOptions,
  killLocal: (pid: number) => void,
): Promise<ExecResult> {
  options.signal?.throwIfAborted();
  const tty = options.tty ?? false;
  const { Id: execId } = await api.json<{ Id: string }>({
    method: 'POST',
    path: `/containers/${encodeURIComponent(id)}/exec`,
    body: {
      Cmd: options.cmd,
      Env: Object.entries(options.env ?? {}).map(([k, v]) => `${k}=${v}`),
      ...(options.user ? { User: options.user } : {}),
      ...(options.workingDir ? { WorkingDir: options.workingDir } : {}),
      Tty: tty,
      Privileged: options.privileged ?? false,
      AttachStdin: options.stdin !== undefined,
      AttachStdout: true,
      AttachStderr: true,
    },
    subject: { kind: 'container', name: id },
  });
  const conn = await api.hijack({
    method: 'POST',
    path: `/exec/${execId}/start`,
    body: { Detach: false, Tty: tty },
    subject: { kind: 'exec', name: execId },
  });
  const inspect = (): Promise<ExecInspect> =>
    api.json<ExecInspect>({ method: 'GET', path: `/exec/${execId}/json`, subject: { kind: 'exec', name: execId } });
  options.onStart?.({
    resize: (cols, rows) =>
      api.send({ method: 'POST', path: `/exec/${execId}/resize`, query: { w: cols, h: rows }, subject: { kind: 'exec', name: execId } }),
  });
  const abort = (): void => {
    conn.socket.destroy();
    void inspect().then(
      (i) => i.Running && i.Pid > 0 && killLocal(i.Pid),
      () => undefined,
    );
  };
  options.signal?.addEventListener('abort', abort, { once: true });
  try {
    const output = await collect(conn, tty, options);
    options.signal?.throwIfAborted();
    const code = await exitCode(inspect);
    const refused = code === 126 || code === 127 ? runtimeRefusal(id, output.stdout) : undefined;
    if (refused) throw refused;
    return { exitCode: code, ...output };
  } finally {
    options.signal?.removeEventListener('abort', abort);
  }
}

async function collect(conn: Hijacked, tty: boolean, options: ExecOptions): Promise<{ stdout: string; stderr: string }> {
  const chunks = { stdout: [] as Buffer[], stderr: [] as Buffer[] };
  const read = outputReader(tty, (stream, data) => {
    chunks[stream].push(Buffer.from(data));
    options.onOutput?.(stream, data);
  });
  const ended = new Promise<void>((resolve, reject) => {
    conn.socket.on('data', read);
    conn.socket.once('end', resolve).once('close', resolve);
    conn.socket.once('error', (error) => (options.signal?.aborted ? resolve() : reject(error)));
  });
  if (conn.head.length > 0) read(conn.head);
  conn.socket.resume();
  const fed = options.stdin === undefined ? Promise.resolve() : feedHijacked(conn.socket, options.stdin, tty).catch(() => undefined);
  await ended;
  await fed;
  conn.socket.destroy();
  return { stdout: Buffer.concat(chunks.stdout).toString('utf8'), stderr: Buffer.concat(chunks.stderr).toString('utf8') };
}

/** The exit code; the daemon records it a moment after the output ends. */
async function exitCode(inspect: () => Promise<ExecInspect>): Promise<number> {
  for (;;) {
    const state = await inspect();
    if (!state.Running && state.ExitCode !== null) return state.ExitCode;
    await sleep(EXIT_POLL_MS);
  }
}

/**
 * The typed error of an exec the runtime could not start, as the local
 * engine raises it: runc reports it on the exec's stdout with exit code 126
 * or 127 (e.g. `OCI runtime exec failed: exec failed: … executable file not
 * found in $PATH`, `unable to find user ghost: no matching entries in passwd file`).
 * Undefined for output the command itself wrote.
 */
function runtimeRefusal(id: string, stdout: string): Error | undefined {
  const message = stdout.trim();
  if (/^unable to find (user|group) \S+: no matching entries/.test(message)) return new ContainerUserError(id, 2, message);
  if (!message.startsWith('OCI runtime exec failed')) return undefined;
  const errno = /permission denied/.test(message) ? 13 : /not found|no such file/.test(message) ? 2 : 0;
  return new ContainerExecError(id, errno, message);
}
