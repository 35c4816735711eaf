import type { Readable } from 'node:stream';
import type { AttachSession, LogFrame, LogRequest, LogSelection } from '../engine/api/index.js';
import { readableOf } from './readable-of.js';

/** Log options of the SDK: the engine's selection, plus how to print it. */
export interface LogOptions extends LogSelection {
  /** Prefix each line with its RFC 3339 timestamp with nanoseconds, as `docker logs --timestamps` does. */
  timestamps?: boolean;
}

/** An engine's {@link AttachSession} with its output as lines of text, as {@link StartedGenericContainer.logs} gives them. */
export interface ContainerAttachment extends Omit<AttachSession, 'output'> {
  /** The container's output from the moment of attaching, one string a line; destroying it detaches. */
  readonly output: Readable;
}

/** A frame as `docker logs` prints it. */
export function formatFrame(frame: LogFrame, timestamps = false): string {
  const text = frame.data.toString('utf8');
  return timestamps ? `${frame.time} ${text}` : text;
}

/** The lines of `frames`, one string each, as an object-mode Readable; `stop` runs when it is destroyed. */
export function linesOf(frames: AsyncIterable<LogFrame>, stop: () => void, timestamps = false): Readable {
  return readableOf(frames, stop, (frame) => formatFrame(frame, timestamps), true);
}

/**
 * Opens an engine's log frames and hands them out as lines of text; destroying
 * the stream aborts the engine's request (a follower stops at once).
 */
export async function logLines(
  open: (request: LogRequest) => Promise<AsyncIterable<LogFrame>>,
  options: LogOptions = {},
): Promise<Readable> {
  const { timestamps, ...selection } = options;
  const controller = new AbortController();
  const frames = await open({ ...selection, signal: controller.signal });
  return linesOf(frames, () => controller.abort(), timestamps);
}

/** Every line selected, as one string (both streams, in the order written). */
export async function logText(frames: AsyncIterable<LogFrame>, timestamps = false): Promise<string> {
  let text = '';
  for await (const frame of frames) text += formatFrame(frame, timestamps);
  return text;
}

/** The session with its output as lines; destroying the output detaches, as `close()` does. */
export function attachmentOf(session: AttachSession): ContainerAttachment {
  return { ...session, output: linesOf(session.output, () => session.close()) };
}
