import type { StdinSource } from './attach-options.js';

/** What {@link Engine.execContainer} runs. */
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
