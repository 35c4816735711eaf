import type { LogFrame } from './logs.js';

/**
 * What may be sent to a container's or an exec's stdin: written whole, then
 * stdin is closed (EOF). A Node `Readable` is an async iterable, so it fits.
 */
export type StdinSource = AsyncIterable<Buffer | string> | string | Buffer;

/** What {@link ExecService.execContainer} runs. */
export interface ExecOptions {
  /** argv; `cmd[0]` without a `/` is looked up in the container's PATH. */
  cmd: string[];
  /** Added to (and overriding) the container's environment. */
  env?: Record<string, string>;
  /** `name`, `uid`, `name:group` or `uid:gid`; default: the container's user. */
  user?: string;
  /** Absolute directory inside the container; default: the container's working directory. */
  workingDir?: string;
  /** Runs the command on a new pseudo-terminal: stdout and stderr arrive merged in `stdout`. */
  tty?: boolean;
  /** Every capability and no seccomp for this command, whatever the container has. */
  privileged?: boolean;
  /** Called with each chunk of output as it arrives (the result still holds all of it). */
  onOutput?: (stream: 'stdout' | 'stderr', chunk: Buffer) => void;
  /**
   * Written to the command's stdin, then stdin is closed (EOF; with `tty`
   * the terminal's EOF, ^D), like `docker exec -i`. Without it stdin is
   * `/dev/null`.
   */
  stdin?: StdinSource;
  /** Called once the command runs, with a handle to resize its terminal (`tty` only). */
  onStart?: (exec: ExecControl) => void;
  /** Kills the command when aborted (its helper dies, and the command with it); the exec then rejects. */
  signal?: AbortSignal;
}

/** How an exec'd command ended and what it wrote. */
export interface ExecResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/** A running exec, handed to {@link ExecOptions.onStart}. */
export interface ExecControl {
  /** Sets the size of the exec's terminal (the command gets SIGWINCH); resolves once it took effect. */
  resize(cols: number, rows: number): Promise<void>;
}

/** Options of {@link ExecService.attachContainer}. */
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
  /** The container's output from the moment of attaching, one frame a line (as `containerLogs` with `follow`); it ends at {@link close}. */
  readonly output: AsyncIterable<LogFrame>;
  /** Settles when {@link AttachOptions.stdin} was written and stdin closed (at once without it). */
  readonly input: Promise<void>;
  /** Writes to the container's stdin; resolves once the bytes are in its stdin pipe (or terminal). */
  write(data: string | Buffer): Promise<void>;
  /** Closes the container's stdin: the command reads EOF (^D on a TTY). Stdin stays closed for every client. */
  end(): Promise<void>;
  /** Sets the terminal's size (the command gets SIGWINCH); only for a container with a TTY. */
  resize(cols: number, rows: number): Promise<void>;
  /** Detaches: ends the output and the connection, leaving the container and its stdin as they are. */
  close(): void;
}

/** The exec and attach part of the {@link Engine} contract: processes and stdin of a running container. */
export interface ExecService {
  /** Runs one more command in a running container (all its namespaces and cgroups), like `docker exec`. */
  execContainer(id: string, options: ExecOptions): Promise<ExecResult>;
  /**
   * Attaches to a running container's stdin and terminal, like `docker
   * attach`: from any process, even one that did not start it.
   * @throws ContainerStateError when it is not running, or has neither
   *   `openStdin` nor `tty` (nothing to attach to).
   */
  attachContainer(id: string, options?: AttachOptions): Promise<AttachSession>;
}
