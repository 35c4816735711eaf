/**
 * One line of a container's output, as the engine recorded it; formatting
 * (timestamps, prefixes, text) is the caller's.
 */
export interface LogFrame {
  stream: 'stdout' | 'stderr';
  /** When the engine read the line's first byte: RFC 3339 UTC with nanoseconds, e.g. `2024-01-02T03:04:05.123456789Z`. */
  time: string;
  /** The line's bytes with its `\n` (the last line of the output may lack it). */
  data: Buffer;
}

/** Which output to read, as `docker logs` selects it. */
export interface LogSelection {
  /** Only output at or after this time (Date, or seconds since the epoch). */
  since?: Date | number;
  /** Only the last N lines. */
  tail?: number;
  /** Include stdout (default true). */
  stdout?: boolean;
  /** Include stderr (default true). */
  stderr?: boolean;
  /** Keep streaming new output until the container exits. */
  follow?: boolean;
}

/** Options of {@link LogService.containerLogs}. */
export interface LogRequest extends LogSelection {
  /** Ends the frames (cleanly, as if the output ended) when aborted: how a follower stops early. */
  signal?: AbortSignal;
}

/** The logs part of the {@link Engine} contract. */
export interface LogService {
  /**
   * Output recorded so far, selected like `docker logs`, one frame a line;
   * with `follow`, new lines until the container exits (or `signal` aborts).
   * `{ follow: true, tail: 0 }` is `docker attach`'s live output.
   */
  containerLogs(id: string, options?: LogRequest): Promise<AsyncIterable<LogFrame>>;
}
