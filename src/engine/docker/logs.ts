import { Readable } from 'node:stream';
import type { LogSelection } from '../runtime/log-frames.js';
import { LineSplitter, type OutputStream, outputReader } from './demux.js';
import type { DockerTransport } from './transport.js';

/**
 * `docker logs` as the local engine gives it: a stream of lines (each with
 * its `\n`, prefixed with the time when asked), ending when the output does
 * (with `follow`, when the container exits). Destroying it ends the request.
 */
export async function containerLogs(api: DockerTransport, id: string, tty: boolean, selection: LogSelection = {}): Promise<Readable> {
  const since = selection.since instanceof Date ? selection.since.getTime() / 1000 : selection.since;
  // The daemon takes the tail of both streams before it drops one; Berth tails what was selected.
  const oneStream = selection.stdout === false || selection.stderr === false;
  const tailHere = oneStream && selection.tail !== undefined && !selection.follow;
  const res = await api.request({
    method: 'GET',
    path: `/containers/${encodeURIComponent(id)}/logs`,
    query: {
      follow: selection.follow ?? false,
      stdout: selection.stdout ?? true,
      stderr: selection.stderr ?? true,
      timestamps: selection.timestamps ?? false,
      since,
      tail: selection.tail === undefined || tailHere ? 'all' : selection.tail,
    },
    subject: { kind: 'container', name: id },
  });
  const lines = outputLines(res.body, tty, (error) => api.lost(error));
  if (!tailHere) return lines;
  const all = await lines.toArray();
  return Readable.from(selection.tail === 0 ? [] : all.slice(-(selection.tail as number)));
}

/**
 * Lines of a container's output stream (multiplexed unless `tty`), as an
 * object-mode Readable; a failure of `body` is passed through `failed` (a
 * daemon that dies mid-stream becomes its typed error).
 */
export function outputLines(body: Readable, tty: boolean, failed: (error: Error) => Error = (error) => error): Readable {
  const lines = new LineSplitter();
  const out = new Readable({
    objectMode: true,
    read: () => body.resume(),
    destroy: (error, callback) => {
      body.destroy();
      callback(error);
    },
  });
  const read = outputReader(tty, (stream: OutputStream, data: Buffer) => {
    for (const line of lines.push(stream, data)) if (!out.push(line)) body.pause();
  });
  body.on('data', (chunk: Buffer) => read(chunk));
  body.once('end', () => {
    for (const line of lines.flush()) out.push(line);
    out.push(null);
  });
  body.once('error', (error) => out.destroy(failed(error)));
  return out;
}
