import { Readable } from 'node:stream';
import type { LogFrame, LogRequest } from '../api/index.js';
import { rfc3339Nano } from '../runtime/log-frames.js';
import { LineSplitter, type OutputStream, outputReader } from './demux.js';
import type { DockerTransport } from './transport.js';

/** The time `docker logs --timestamps` puts before each message (RFC 3339, nanoseconds), and the space after it. */
const STAMP = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z) /;

/**
 * `docker logs` as the contract has it: frames of one line each, stamped
 * with the daemon's time (always asked for, so the caller may format it),
 * ending when the output does (with `follow`, when the container exits, or
 * when `signal` aborts). Breaking out of the iteration ends the request.
 */
export async function containerLogs(
  api: DockerTransport,
  id: string,
  tty: boolean,
  request: LogRequest = {},
): Promise<AsyncIterable<LogFrame>> {
  // The daemon takes the tail of both streams before it drops one; Berth tails what was selected.
  const tailHere = (request.stdout === false || request.stderr === false) && request.tail !== undefined;
  const ask = async (follow: boolean, skip = 0): Promise<Readable> => {
    const res = await api.request({
      method: 'GET',
      path: `/containers/${encodeURIComponent(id)}/logs`,
      query: {
        follow,
        stdout: request.stdout ?? true,
        stderr: request.stderr ?? true,
        timestamps: true,
        since: request.since instanceof Date ? request.since.getTime() / 1000 : request.since,
        tail: tailHere ? 'all' : request.tail,
      },
      subject: { kind: 'container', name: id },
    });
    const signal = request.signal ? { signal: request.signal } : {};
    return outputFrames(res.body, tty, { stamped: true, skip, failed: (error) => api.lost(error), ...signal });
  };
  if (!tailHere) return ask(request.follow ?? false);
  const tail = request.tail as number;
  const written: LogFrame[] = await (await ask(false)).toArray();
  if (!request.follow) return Readable.from(tail === 0 ? [] : written.slice(-tail));
  // Output only grows: the followed stream starts with the lines counted above, all but the last `tail` dropped.
  return ask(true, Math.max(0, written.length - tail));
}

/**
 * Frames of a container's output stream (multiplexed unless `tty`), one a
 * line, as an object-mode Readable. `stamped` output carries the daemon's
 * time before each message; otherwise a line gets the time it arrived.
 * Destroying the Readable, or aborting `signal`, ends the body. The first
 * `skip` lines are left out; a failure of the body goes through `failed`
 * (a daemon that dies mid-stream becomes its typed error).
 */
export function outputFrames(
  body: Readable,
  tty: boolean,
  options: { stamped: boolean; signal?: AbortSignal; skip?: number; failed?: (error: Error) => Error },
): Readable {
  let skipped = 0;
  const lines = new LineSplitter();
  let lastTime = '';
  const frame = (stream: OutputStream, line: string): LogFrame => {
    const stamp = options.stamped ? STAMP.exec(line) : null;
    // A message the daemon split mid-line continues at the time of its start.
    lastTime = stamp?.[1] ?? (options.stamped && lastTime ? lastTime : rfc3339Nano(BigInt(Date.now()) * 1_000_000n));
    return { stream, time: lastTime, data: Buffer.from(stamp ? line.slice(stamp[0].length) : line) };
  };
  const out = new Readable({
    objectMode: true,
    read: () => body.resume(),
    destroy: (error, callback) => {
      body.destroy();
      callback(error);
    },
  });
  const emit = (stream: OutputStream, line: string): void => {
    if (skipped < (options.skip ?? 0)) skipped++;
    else if (!out.push(frame(stream, line))) body.pause();
  };
  const read = outputReader(tty, (stream: OutputStream, data: Buffer) => {
    for (const line of lines.push(stream, data)) emit(stream, line);
  });
  const end = (): void => {
    for (const [stream, line] of lines.flush()) emit(stream, line);
    out.push(null);
  };
  body.on('data', (chunk: Buffer) => read(chunk));
  body.once('end', end);
  body.once('error', (error) => out.destroy(options.failed ? options.failed(error) : error));
  const stop = (): void => {
    body.destroy();
    if (!out.destroyed) out.push(null);
  };
  if (options.signal?.aborted) stop();
  else options.signal?.addEventListener('abort', stop, { once: true });
  return out;
}
