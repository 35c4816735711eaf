import type { Readable } from 'node:stream';
import type { ContainerExit, ContainerInfo, ContainerSpec, Engine } from '../engine/engine.js';
import type { ExecOptions, ExecResult } from '../engine/exec-options.js';
import type { LogSelection } from '../engine/runtime/log-frames.js';

/** Options of {@link StartedGenericContainer.exec}. */
export type ExecCommandOptions = Pick<ExecOptions, 'env' | 'user' | 'workingDir' | 'tty' | 'privileged'>;

/** What {@link StartedGenericContainer.exec} returns. */
export interface ExecCommandResult extends ExecResult {
  /** stdout and stderr interleaved as they arrived. */
  output: string;
}

/** Options of {@link StartedGenericContainer.stop}. */
export interface StopOptions {
  /**
   * Milliseconds to wait after the stop signal before SIGKILL. Default 0, as
   * in testcontainers: a throwaway container needs no graceful shutdown.
   */
  timeout?: number;
  /** Remove the container afterwards (default true). */
  remove?: boolean;
}

/** A container that {@link GenericContainer.start} started. */
export class StartedGenericContainer implements AsyncDisposable {
  #stopped = false;

  constructor(
    private readonly engine: Engine,
    private readonly id: string,
    private readonly name: string,
    private readonly spec: ContainerSpec,
  ) {}

  /** The container's 64-hex id. */
  getId(): string {
    return this.id;
  }

  /** The container's unique name. */
  getName(): string {
    return this.name;
  }

  /** Labels given with `withLabels`. */
  getLabels(): Record<string, string> {
    return { ...this.spec.labels };
  }

  /** Host to reach the container's published ports from this process. */
  getHost(): string {
    return '127.0.0.1';
  }

  /** Current state, shaped like `docker inspect`. */
  inspect(): Promise<ContainerInfo> {
    return this.engine.inspectContainer(this.id);
  }

  /** Output so far, one chunk per line (`since`, `tail`, `timestamps` as in `docker logs`). */
  logs(options: LogSelection = {}): Promise<Readable> {
    return this.engine.containerLogs(this.id, options);
  }

  /** Output so far as one string (both streams, in order). */
  async output(options: LogSelection = {}): Promise<string> {
    let text = '';
    for await (const chunk of await this.logs(options)) text += String(chunk);
    return text;
  }

  /**
   * Runs a command in the container, as testcontainers' `exec`: a string is
   * split on spaces (no shell). `output` holds stdout and stderr in the order
   * they arrived. A missing executable throws ContainerExecError; a stopped
   * container, ContainerStateError.
   */
  async exec(command: string | string[], options: ExecCommandOptions = {}): Promise<ExecCommandResult> {
    const cmd = Array.isArray(command) ? command : command.split(' ').filter(Boolean);
    let output = '';
    const result = await this.engine.execContainer(this.id, {
      cmd,
      ...options,
      onOutput: (_stream, chunk) => {
        output += chunk.toString('utf8');
      },
    });
    return { output, ...result };
  }

  /**
   * The container's live output from now on (`docker attach`): one chunk per
   * line, ending when the container does. Same as `logs({ follow: true, tail: 0 })`.
   */
  attach(): Promise<Readable> {
    return this.engine.containerLogs(this.id, { follow: true, tail: 0 });
  }

  /** Waits for the container's command to end and returns its exit code. */
  wait(): Promise<ContainerExit> {
    return this.engine.waitContainer(this.id);
  }

  /** Stops the container (stop signal, then SIGKILL after `timeout`) and removes it. */
  async stop(options: StopOptions = {}): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    await this.engine.stopContainer(this.id, { timeoutMs: options.timeout ?? 0 });
    if (options.remove ?? true) await this.engine.removeContainer(this.id, { force: true });
  }

  /** Lets `await using container = await …start()` stop and remove it at scope end. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.stop();
  }
}
