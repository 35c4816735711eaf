import type { Readable } from 'node:stream';

/** What may be sent to a container's or an exec's stdin: written whole, then stdin is closed (EOF). */
export type StdinSource = Readable | AsyncIterable<Buffer | string> | string | Buffer;

/** Options of {@link Engine.attachContainer}. */
export interface AttachOptions {
  /**
   * Written to the container's stdin, then stdin is closed (the command
   * reads EOF; on a TTY it reads the terminal's EOF, ^D), like piping into
   * `docker attach`. Without it, write with {@link AttachSession.write}.
   */
  stdin?: StdinSource;
}

/**
 * A connection to a running container's stdin and terminal, like
 * `docker attach`. Any process may attach, and several at once; the
 * container keeps running when the session closes.
 */
export interface AttachSession {
  /** The container's output from the moment of attaching, one chunk per line (as `containerLogs` with `follow`). */
  readonly output: Readable;
  /** Settles when {@link AttachOptions.stdin} was written and stdin closed (at once without it). */
  readonly input: Promise<void>;
  /** Writes to the container's stdin; resolves once the bytes are in its stdin pipe (or terminal). */
  write(data: string | Buffer): Promise<void>;
  /** Closes the container's stdin: the command reads EOF (^D on a TTY). Stdin stays closed for every client. */
  end(): Promise<void>;
  /** Sets the terminal's size (the command gets SIGWINCH); only for a container with a TTY. */
  resize(cols: number, rows: number): Promise<void>;
  /** Detaches: ends the output stream and the connection, leaving the container and its stdin as they are. */
  close(): void;
}
