import type { Socket } from 'node:net';
import type { StdinSource } from '../api/index.js';
import { stdinChunks } from '../runtime/stdin-source.js';

/** The terminal's end-of-file character (^D): how a TTY's reader is told that input ended. */
const TTY_EOF = Buffer.from([4]);

/** Writes to a hijacked connection, resolving once the bytes are handed to the socket (drained when it is full). */
export function writeTo(socket: Socket, data: Buffer): Promise<void> {
  return new Promise((resolve, reject) => {
    if (socket.destroyed || socket.writableEnded) {
      reject(new Error('the connection to the Docker daemon is closed'));
      return;
    }
    socket.write(data, (error) => (error ? reject(error) : resolve()));
  });
}

/**
 * Ends the input of a hijacked connection: ^D on a TTY, else a half-close
 * of the socket, which the daemon passes on as EOF on the command's stdin;
 * the output keeps coming either way.
 */
export async function endInput(socket: Socket, tty: boolean): Promise<void> {
  if (tty) await writeTo(socket, TTY_EOF);
  else if (!socket.writableEnded) await new Promise<void>((resolve) => socket.end(resolve));
}

/** Writes a whole stdin source to a hijacked connection, then ends the input. */
export async function feedHijacked(socket: Socket, source: StdinSource, tty: boolean): Promise<void> {
  for await (const chunk of stdinChunks(source)) await writeTo(socket, chunk);
  await endInput(socket, tty);
}
