import type { Socket } from 'node:net';
import type { StdinSource } from '../api/index.js';

/** The bytes of a stdin source, chunk by chunk (a string or Buffer is one chunk). */
export async function* stdinChunks(source: StdinSource): AsyncIterable<Buffer> {
  if (typeof source === 'string' || Buffer.isBuffer(source)) {
    yield Buffer.from(source);
    return;
  }
  for await (const chunk of source as AsyncIterable<Buffer | string>) {
    yield typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
  }
}

/**
 * Writes a source into a child's stdin pipe at the pace it reads, then
 * closes the pipe (its EOF). A child that stops reading (EPIPE) just ends
 * the feeding; a failing source is handed to `fail` (which kills the
 * child, so nothing waits on a source that never ends).
 */
export async function feedStdin(pipe: Socket, source: StdinSource, fail: (error: Error) => void): Promise<void> {
  pipe.on('error', () => undefined); // EPIPE: the command closed its stdin or ended.
  try {
    for await (const chunk of stdinChunks(source)) {
      if (pipe.destroyed) return;
      if (!pipe.write(chunk)) await writable(pipe);
    }
  } catch (error) {
    fail(error instanceof Error ? error : new Error(String(error)));
    return;
  }
  pipe.destroySoon();
}

function writable(pipe: Socket): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      pipe.off('drain', done);
      pipe.off('close', done);
      resolve();
    };
    pipe.once('drain', done);
    pipe.once('close', done);
  });
}
