/** Which stream a chunk of container output came from. */
export type OutputStream = 'stdout' | 'stderr';

const HEADER = 8;

/**
 * Splits Docker's multiplexed stream (a non-TTY attach, exec or logs): each
 * frame is a header (stream byte, three zero bytes, big-endian length) and
 * that many bytes. Frames may arrive split across chunks, or several in one.
 */
export class Demuxer {
  #buffered: Buffer = Buffer.alloc(0);

  constructor(private readonly onFrame: (stream: OutputStream, data: Buffer) => void) {}

  push(chunk: Buffer): void {
    this.#buffered = this.#buffered.length === 0 ? chunk : Buffer.concat([this.#buffered, chunk]);
    while (this.#buffered.length >= HEADER) {
      const length = this.#buffered.readUInt32BE(4);
      if (this.#buffered.length < HEADER + length) return;
      const stream: OutputStream = this.#buffered[0] === 2 ? 'stderr' : 'stdout';
      this.onFrame(stream, this.#buffered.subarray(HEADER, HEADER + length));
      this.#buffered = this.#buffered.subarray(HEADER + length);
    }
  }
}

/** Reads output, demultiplexed unless it comes from a TTY (then all of it is stdout). */
export function outputReader(tty: boolean, onFrame: (stream: OutputStream, data: Buffer) => void): (chunk: Buffer) => void {
  if (tty) return (chunk) => onFrame('stdout', chunk);
  const demuxer = new Demuxer(onFrame);
  return (chunk) => demuxer.push(chunk);
}

/** Cuts output into lines per stream, each keeping its `\n`; `flush` returns unfinished ones. */
export class LineSplitter {
  readonly #partial: Record<OutputStream, string> = { stdout: '', stderr: '' };

  push(stream: OutputStream, data: Buffer): string[] {
    const parts = (this.#partial[stream] + data.toString('utf8')).split(/(?<=\n)/);
    const last = parts.at(-1) ?? '';
    this.#partial[stream] = last.endsWith('\n') ? '' : (parts.pop() ?? '');
    return parts;
  }

  flush(): [OutputStream, string][] {
    const rest = (['stdout', 'stderr'] as const)
      .filter((s) => this.#partial[s] !== '')
      .map((s): [OutputStream, string] => [s, this.#partial[s]]);
    this.#partial.stdout = '';
    this.#partial.stderr = '';
    return rest;
  }
}
