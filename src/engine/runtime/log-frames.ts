import * as fs from 'node:fs';
import type { LogFrame, LogSelection } from '../api/index.js';

/** One chunk of container output, as the monitor recorded it. */
export interface MonitorFrame {
  stream: 'stdout' | 'stderr';
  /** When the monitor read it, in nanoseconds since the epoch. */
  timeNs: bigint;
  data: Buffer;
}

const HEADER = 13;

/**
 * Parses the monitor's log file format (native/PROTOCOL.md, "Log frames").
 * A frame still being written at the end of the buffer is left out, and its
 * offset returned so a follower can resume there.
 */
export function parseFrames(buf: Buffer): { frames: MonitorFrame[]; consumed: number } {
  const frames: MonitorFrame[] = [];
  let at = 0;
  while (at + HEADER <= buf.length) {
    const length = buf.readUInt32LE(at + 9);
    if (at + HEADER + length > buf.length) break;
    frames.push({
      stream: buf[at] === 2 ? 'stderr' : 'stdout',
      timeNs: buf.readBigUInt64LE(at + 1),
      data: buf.subarray(at + HEADER, at + HEADER + length),
    });
    at += HEADER + length;
  }
  return { frames, consumed: at };
}

/** Reads every complete frame of a log file (none if it does not exist yet). */
export function readFrames(path: string): MonitorFrame[] {
  try {
    return parseFrames(fs.readFileSync(path)).frames;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw e;
  }
}

/** A line of output with its stream and time. */
export interface LogLine {
  stream: 'stdout' | 'stderr';
  timeNs: bigint;
  text: string;
}

/** Assembles frames into lines per stream; a line keeps the time of its first byte. */
export class LineAssembler {
  readonly #partial = new Map<string, LogLine>();

  constructor(private readonly selection: LogSelection = {}) {}

  /** Complete lines the frame finished. */
  push(frame: MonitorFrame): LogLine[] {
    const { stdout, stderr } = this.selection;
    if ((frame.stream === 'stdout' && stdout === false) || (frame.stream === 'stderr' && stderr === false)) return [];
    const lines: LogLine[] = [];
    for (const part of frame.data.toString('utf8').split(/(?<=\n)/)) {
      const open = this.#partial.get(frame.stream);
      const line = open ? { ...open, text: open.text + part } : { stream: frame.stream, timeNs: frame.timeNs, text: part };
      if (part.endsWith('\n')) {
        lines.push(line);
        this.#partial.delete(frame.stream);
      } else this.#partial.set(frame.stream, line);
    }
    return lines;
  }

  /** Unterminated lines, at the end of the output. */
  flush(): LogLine[] {
    const rest = [...this.#partial.values()];
    this.#partial.clear();
    return rest;
  }
}

/** Splits frames into lines, then applies `since` and `tail`. */
export function selectLines(frames: MonitorFrame[], selection: LogSelection = {}): LogLine[] {
  const assembler = new LineAssembler(selection);
  return applySelection([...frames.flatMap((f) => assembler.push(f)), ...assembler.flush()], selection);
}

function applySelection(lines: LogLine[], selection: LogSelection): LogLine[] {
  const sinceNs = sinceToNs(selection.since);
  const chosen = sinceNs === undefined ? lines : lines.filter((l) => l.timeNs >= sinceNs);
  return selection.tail === undefined || selection.tail < 0 ? chosen : chosen.slice(Math.max(chosen.length - selection.tail, 0));
}

/**
 * Lines as `docker logs --follow` gives them: the selection of what is there,
 * then new lines as the monitor appends them, until `ended()` says the
 * container is gone and the file is read to its end.
 */
export async function* followLines(path: string, selection: LogSelection, ended: () => boolean, pollMs = 50): AsyncGenerator<LogLine> {
  const assembler = new LineAssembler(selection);
  const tailer = new FileTailer(path);
  yield* applySelection(
    tailer.frames().flatMap((f) => assembler.push(f)),
    selection,
  );
  const changes = new FileChanges(path);
  try {
    for (;;) {
      const done = ended();
      for (const frame of tailer.frames()) yield* assembler.push(frame);
      if (done) return yield* assembler.flush();
      await changes.next(pollMs);
    }
  } finally {
    changes.close();
  }
}

/**
 * Wakes a follower as soon as the monitor appends to the log (inotify), so
 * a wait for a log line does not lose up to a poll interval; the poll stays
 * as the fallback for what inotify misses (the file not there yet, exit).
 */
class FileChanges {
  #changed = false;
  #wake: (() => void) | undefined;
  readonly #watcher: fs.FSWatcher | undefined;

  constructor(path: string) {
    try {
      this.#watcher = fs.watch(path, { persistent: false }, () => {
        this.#changed = true;
        this.#wake?.();
      });
      // A log removed under the watch ends it; the poll carries on.
      this.#watcher.on('error', () => this.close());
    } catch {
      // No file yet: the poll alone picks up its lines.
    }
  }

  /** Resolves on the next change (or one seen since the last call), or after `ms`. */
  next(ms: number): Promise<void> {
    if (this.#changed) {
      this.#changed = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const wake = (): void => {
        clearTimeout(timer);
        this.#changed = false;
        this.#wake = undefined;
        resolve();
      };
      const timer = setTimeout(wake, ms);
      this.#wake = wake;
    });
  }

  close(): void {
    this.#watcher?.close();
  }
}

/** Reads the frames appended to a log file since the last call. */
class FileTailer {
  #offset = 0;
  #pending = Buffer.alloc(0);

  constructor(private readonly path: string) {}

  frames(): MonitorFrame[] {
    let fd: number;
    try {
      fd = fs.openSync(this.path, 'r');
    } catch {
      return [];
    }
    try {
      const size = fs.fstatSync(fd).size;
      const fresh = Buffer.alloc(size - this.#offset);
      const read = fs.readSync(fd, fresh, 0, fresh.length, this.#offset);
      this.#offset += read;
      this.#pending = Buffer.concat([this.#pending, fresh.subarray(0, read)]);
    } finally {
      fs.closeSync(fd);
    }
    const { frames, consumed } = parseFrames(this.#pending);
    this.#pending = Buffer.from(this.#pending.subarray(consumed));
    return frames;
  }
}

/** A line as the Engine contract hands it out. */
export function toLogFrame(line: LogLine): LogFrame {
  return { stream: line.stream, time: rfc3339Nano(line.timeNs), data: Buffer.from(line.text) };
}

function sinceToNs(since: Date | number | undefined): bigint | undefined {
  if (since === undefined) return undefined;
  const ms = since instanceof Date ? since.getTime() : since * 1000;
  return BigInt(Math.floor(ms)) * 1_000_000n;
}

/** RFC 3339 time with nanoseconds, e.g. 2024-01-02T03:04:05.123456789Z. */
export function rfc3339Nano(ns: bigint): string {
  const iso = new Date(Number(ns / 1_000_000n)).toISOString();
  return `${iso.slice(0, 19)}.${(ns % 1_000_000_000n).toString().padStart(9, '0')}Z`;
}
