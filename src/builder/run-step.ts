import type { Engine } from '../engine/api/index.js';
import { BuildStepError } from '../errors.js';
import type { BuildState } from './build-state.js';
import type { RunInstruction } from './dockerfile/instructions.js';

const TAIL_LINES = 20;

/** What a RUN container needs from the engine beyond its contract. */
export interface RunHost {
  engine: Engine;
  /** The overlay upper dir of a container, whose content becomes the step's layer. */
  upperDir(id: string): string;
}

/**
 * Runs a RUN step in a Berth container on the stage's image so far, then
 * calls `commit` with the container's upper dir; the container goes
 * whatever happens. A non-zero exit is a BuildStepError with the step,
 * the exit code and the last lines of output.
 */
export async function runStep<T>(
  host: RunHost,
  state: BuildState,
  instruction: RunInstruction,
  step: string,
  onLine: (line: string) => void,
  commit: (upper: string) => Promise<T>,
): Promise<T> {
  if (!state.image)
    throw new BuildStepError(step, undefined, [], 'RUN needs a base image with a shell; this stage is FROM scratch with no layer yet');
  const network = instruction.network ?? 'default';
  const id = await host.engine.createContainer({
    image: state.image.id,
    entrypoint: runArgv(state, instruction),
    env: state.runEnv(),
    workingDir: state.config.WorkingDir || '/',
    ...(state.config.User ? { user: state.config.User } : {}),
    ...(network === 'none' ? { networkMode: 'none' } : {}),
    labels: { 'berth.build': 'run' },
  });
  try {
    await host.engine.startContainer(id);
    const tail: string[] = [];
    const logs = await host.engine.containerLogs(id, { follow: true });
    for await (const frame of logs) {
      for (const line of frame.data.toString('utf8').replace(/\n$/, '').split('\n')) {
        onLine(line);
        tail.push(line);
        if (tail.length > TAIL_LINES) tail.shift();
      }
    }
    const exit = await host.engine.waitContainer(id);
    if (exit.exitCode !== 0) {
      throw new BuildStepError(
        step,
        exit.exitCode,
        tail,
        `the command exited with code ${exit.exitCode}${exit.signal ? ` (${exit.signal})` : ''}`,
      );
    }
    return await commit(host.upperDir(id));
  } finally {
    await host.engine.removeContainer(id, { force: true });
  }
}

/** The command of a RUN: the exec form as is, the shell form (heredocs included) through SHELL. */
export function runArgv(state: BuildState, instruction: RunInstruction): string[] {
  if ('exec' in instruction.command) return instruction.command.exec;
  const text = instruction.command.shell;
  const [only] = instruction.heredocs;
  // `RUN <<EOF` alone: the heredoc is the script.
  if (only && instruction.heredocs.length === 1 && /^<<-?(["']?)[A-Za-z0-9_./-]+\1$/.test(text.trim()))
    return [...state.shell, only.content];
  // Otherwise the shell reads the heredocs itself, as written.
  const bodies = instruction.heredocs.map((h) => `${h.content}${h.name}\n`).join('');
  return [...state.shell, bodies ? `${text}\n${bodies}` : text];
}

/** The history line docker writes for a RUN. */
export function runHistory(state: BuildState, instruction: RunInstruction): string {
  const argv = runArgv(state, instruction);
  return 'exec' in instruction.command ? `RUN ${JSON.stringify(argv)}` : `RUN ${argv.join(' ')}`;
}
