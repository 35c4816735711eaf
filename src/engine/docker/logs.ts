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
  // The daemon takes the tail of both streams before it drops one; Berth tails what was selected.
  const tailHere = (selection.stdout === false || selection.stderr === false) && selection.tail !== undefined;
  const request = async (follow: boolean, skip = 0): Promise<Readable> => {
    const res = await api.request({
      method: 'GET',
      path: `/containers/${encodeURIComponent(id)}/logs`,
      query: {
        follow,
        stdout: selection.stdout ?? true,
        stderr: selection.stderr ?? true,
        timestamps: selection.timestamps ?? false,
        since: selection.since instanceof Date ? selection.since.getTime() / 1000 : selection.since,
        tail: tailHere ? 'all' : selection.tail,
      },
      subject: { kind: 'container', name: id },
    });
    return outputLines(res.body, tty, (error) => api.lost(error), skip);
  };
  if (!tailHere) return request(selection.follow ?? false);
  const tail = selection.tail as number;
  const written = await (await request(false)).toArray();
  if (!selection.follow) return Readable.from(tail === 0 ? [] : written.slice(-tail));
  // Output only grows: the followed stream starts with the lines counted above, all but the last `tail` dropped.
  return request(true, Math.max(0, written.length - tail));
}

/**
 * Lines of a container's output stream (multiplexed unless `tty`), as an
 * object-mode Readable; a failure of `body` is passed through `failed` (a
 * daemon that dies mid-stream becomes its typed error). The first `skip` lines are left out.
 */
export function outputLines(body: Readable, tty: boolean, failed: (error: Error) => Error = (error) => error, skip = 0): Readable {
  let skipped = 0;
  const lines = new LineSplitter();
  const out = new Readable({
    objectMode: true,
    read: () => body.resume(),
    destroy: (error, callback) => {
      body.destroy();
      callback(error);
    },
  });
  const emit = (line: unknown): void => {
    if (skipped < skip) skipped++;
    else if (!out.push(line)) body.pause();
  };
  const read = outputReader(tty, (stream: OutputStream, data: Buffer) => {
    for (const line of lines.push(stream, data)) emit(line);
  });
  body.on('data', (chunk: Buffer) => read(chunk));
  body.once('end', () => {
    for (const line of lines.flush()) emit(line);
    out.push(null);
  });
  body.once('error', (error) => out.destroy(failed(error)));
  return out;
}
