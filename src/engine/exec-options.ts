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
  /** Kills the command when aborted (its helper dies, and the command with it); the exec then rejects. */
  signal?: AbortSignal;
}

/** How an exec'd command ended and what it wrote. */
export interface ExecResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}
