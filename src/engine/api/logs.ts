import type { Readable } from 'node:stream';

/** Options to select log output, as `docker logs` has them. */
export interface LogSelection {
  /** Only output at or after this time (Date, or seconds since the epoch). */
  since?: Date | number;
  /** Only the last N lines. */
  tail?: number;
  /** Prefix each line with an RFC 3339 timestamp with nanoseconds. */
  timestamps?: boolean;
  stdout?: boolean;
  stderr?: boolean;
  /** Keep streaming new output until the container exits. */
  follow?: boolean;
}

/** The logs part of the {@link Engine} contract. */
export interface LogService {
  /** Output recorded so far, selected like `docker logs`; `{ follow: true, tail: 0 }` is `docker attach`'s live output. */
  containerLogs(id: string, options?: LogSelection): Promise<Readable>;
}
