import type { Heredoc } from './lines.js';
import type { CommandForm } from './words.js';

/** What every parsed instruction has: where it is and its text, for messages and history. */
export interface InstructionBase {
  /** 1-based line where the instruction starts. */
  line: number;
  /** The instruction as written (continuations joined), e.g. `RUN make all`. */
  text: string;
}

/** A `key=value` pair as written (quotes and variables still in, resolved at build time). */
export interface RawPair {
  key: string;
  value: string;
}

export interface FromInstruction extends InstructionBase {
  kind: 'FROM';
  /** The image (or `scratch`, or an earlier stage's name), unexpanded. */
  image: string;
  platform?: string;
  /** The stage's name from `AS name`, lower-cased. */
  alias?: string;
}

export interface RunInstruction extends InstructionBase {
  kind: 'RUN';
  command: CommandForm;
  heredocs: Heredoc[];
  /** `--mount=…` values as written. */
  mounts: string[];
  /** `--network=default|none|host`. */
  network?: string;
}

export interface CommandInstruction extends InstructionBase {
  kind: 'CMD' | 'ENTRYPOINT';
  command: CommandForm;
}

export interface PairsInstruction extends InstructionBase {
  kind: 'ENV' | 'LABEL';
  pairs: RawPair[];
}

export interface WordsInstruction extends InstructionBase {
  kind: 'EXPOSE' | 'VOLUME';
  /** Unexpanded words (VOLUME's JSON form already split). */
  words: string[];
}

export interface ValueInstruction extends InstructionBase {
  kind: 'MAINTAINER' | 'USER' | 'WORKDIR' | 'STOPSIGNAL';
  value: string;
}

export interface CopyInstruction extends InstructionBase {
  kind: 'COPY' | 'ADD';
  /** Sources as written; `<<NAME` names a heredoc. */
  sources: string[];
  dest: string;
  heredocs: Heredoc[];
  /** Stage name, stage index or image reference of `--from`. */
  from?: string;
  chown?: string;
  chmod?: string;
  link: boolean;
  /** `--checksum=sha256:…` of ADD of a URL. */
  checksum?: string;
}

export interface ArgInstruction extends InstructionBase {
  kind: 'ARG';
  args: { name: string; default?: string }[];
}

export interface OnbuildInstruction extends InstructionBase {
  kind: 'ONBUILD';
  /** The trigger as written, stored in the image's `OnBuild`. */
  trigger: string;
  instruction: Instruction;
}

export interface HealthcheckInstruction extends InstructionBase {
  kind: 'HEALTHCHECK';
  /** Undefined for `HEALTHCHECK NONE`. */
  command?: CommandForm;
  interval?: string;
  timeout?: string;
  startPeriod?: string;
  startInterval?: string;
  retries?: number;
}

export interface ShellInstruction extends InstructionBase {
  kind: 'SHELL';
  shell: string[];
}

/** One parsed Dockerfile instruction. */
export type Instruction =
  | FromInstruction
  | RunInstruction
  | CommandInstruction
  | PairsInstruction
  | WordsInstruction
  | ValueInstruction
  | CopyInstruction
  | ArgInstruction
  | OnbuildInstruction
  | HealthcheckInstruction
  | ShellInstruction;

/** A build stage: its FROM and the instructions after it. */
export interface Stage {
  /** Position among the stages, from 0. */
  index: number;
  from: FromInstruction;
  instructions: Instruction[];
}

/** A parsed Dockerfile. */
export interface Dockerfile {
  file: string;
  escapeChar: string;
  /** The `# syntax=` directive, if any (noted; Berth builds itself). */
  syntax?: string;
  /** ARGs before the first FROM: usable in FROM lines, and in stages that declare them again. */
  globalArgs: ArgInstruction[];
  stages: Stage[];
}
