import { DockerfileError } from '../../errors.js';
import { takeFlags } from './flags.js';
import type {
  ArgInstruction,
  CopyInstruction,
  Dockerfile,
  FromInstruction,
  HealthcheckInstruction,
  Instruction,
  RawPair,
  Stage,
} from './instructions.js';
import { type LogicalLine, logicalLines, readDirectives } from './lines.js';
import { commandForm, jsonList, splitWords } from './words.js';

/** Instructions a Dockerfile may hold. */
export const KEYWORDS = [
  'FROM',
  'RUN',
  'CMD',
  'LABEL',
  'MAINTAINER',
  'EXPOSE',
  'ENV',
  'ADD',
  'COPY',
  'ENTRYPOINT',
  'VOLUME',
  'USER',
  'WORKDIR',
  'ARG',
  'ONBUILD',
  'STOPSIGNAL',
  'HEALTHCHECK',
  'SHELL',
] as const;

const FLAGS: Record<string, readonly string[]> = {
  FROM: ['platform'],
  RUN: ['mount', 'network', 'security'],
  COPY: ['from', 'chown', 'chmod', 'link', 'parents', 'exclude'],
  ADD: ['chown', 'chmod', 'link', 'checksum', 'keep-git-dir'],
  HEALTHCHECK: ['interval', 'timeout', 'start-period', 'start-interval', 'retries'],
};

/**
 * Parses a Dockerfile's text into its global ARGs and stages. Anything
 * malformed is a DockerfileError naming `file`, the line and what was
 * expected there.
 */
export function parseDockerfile(text: string, file = 'Dockerfile'): Dockerfile {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  const { directives, consumed } = readDirectives(lines);
  const fail = (line: number, expected: string, detail?: string): never => {
    throw new DockerfileError(file, line, expected, detail);
  };
  const logical = logicalLines(lines, consumed, directives.escapeChar, (line, name) => fail(line, `a line "${name}" ending the heredoc`));
  const parser = new InstructionParser(directives.escapeChar, fail);
  const globalArgs: ArgInstruction[] = [];
  const stages: Stage[] = [];
  for (const entry of logical) {
    const instruction = parser.parse(entry);
    if (instruction.kind === 'FROM') {
      if (instruction.alias && stages.some((s) => s.from.alias === instruction.alias)) {
        fail(entry.line, 'a stage name used once', `stage "${instruction.alias}" is named twice`);
      }
      stages.push({ index: stages.length, from: instruction, instructions: [] });
    } else if (stages.length === 0) {
      if (instruction.kind !== 'ARG') fail(entry.line, 'FROM (only ARG may come before the first FROM)', `${instruction.kind} before FROM`);
      else globalArgs.push(instruction);
    } else {
      (stages.at(-1) as Stage).instructions.push(instruction);
    }
  }
  if (stages.length === 0) fail(Math.max(1, lines.length), 'a FROM instruction', 'the Dockerfile has no stage');
  return {
    file,
    escapeChar: directives.escapeChar,
    ...(directives.syntax !== undefined ? { syntax: directives.syntax } : {}),
    globalArgs,
    stages,
  };
}

/** Parses one instruction (an ONBUILD trigger of a base image), errors placed at `line` of `file`. */
export function parseInstruction(text: string, line: number, file: Pick<Dockerfile, 'file' | 'escapeChar'>): Instruction {
  const fail = (at: number, expected: string, detail?: string): never => {
    throw new DockerfileError(file.file, at, expected, detail);
  };
  return new InstructionParser(file.escapeChar, fail).parse({ line, text, heredocs: [] });
}

type Fail = (line: number, expected: string, detail?: string) => never;

/** Turns one logical line into an instruction. */
class InstructionParser {
  constructor(
    readonly escapeChar: string,
    readonly fail: Fail,
  ) {}

  parse(entry: LogicalLine): Instruction {
    const match = /^(\S+)\s*(.*)$/s.exec(entry.text);
    const keyword = (match?.[1] ?? '').toUpperCase();
    const args = (match?.[2] ?? '').trim();
    const base = { line: entry.line, text: entry.text };
    if (!(KEYWORDS as readonly string[]).includes(keyword)) {
      this.fail(entry.line, `an instruction (${KEYWORDS.join(', ')})`, `unknown instruction "${match?.[1] ?? entry.text}"`);
    }
    const { flags, rest } = takeFlags(args, FLAGS[keyword] ?? [], (flag) =>
      this.fail(
        entry.line,
        `one of the flags ${(FLAGS[keyword] ?? []).map((f) => `--${f}`).join(', ') || '(none)'}`,
        `unknown flag --${flag} for ${keyword}`,
      ),
    );
    const one = (name: string): string | undefined => flags.get(name)?.at(-1);
    const need = (what: string): string => rest || this.fail(entry.line, what, `${keyword} has no arguments`);
    switch (keyword) {
      case 'FROM':
        return this.#from(entry.line, base, rest, one('platform'));
      case 'RUN': {
        const network = one('network');
        return {
          ...base,
          kind: 'RUN',
          command: commandForm(need('a command')),
          heredocs: entry.heredocs,
          mounts: flags.get('mount') ?? [],
          ...(network ? { network } : {}),
        };
      }
      case 'CMD':
      case 'ENTRYPOINT':
        return { ...base, kind: keyword, command: commandForm(need('a command (["exe", "arg"] or a shell line)')) };
      case 'ENV':
      case 'LABEL':
        return { ...base, kind: keyword, pairs: this.#pairs(entry.line, keyword, need('key=value pairs')) };
      case 'EXPOSE':
        return { ...base, kind: 'EXPOSE', words: this.#words(entry.line, need('ports, e.g. 8080 or 53/udp')) };
      case 'VOLUME':
        return { ...base, kind: 'VOLUME', words: jsonList(need('paths')) ?? this.#words(entry.line, rest) };
      case 'MAINTAINER':
      case 'USER':
      case 'WORKDIR':
      case 'STOPSIGNAL':
        return { ...base, kind: keyword, value: need(keyword === 'USER' ? 'a user[:group]' : 'a value') };
      case 'ADD':
      case 'COPY':
        return this.#copy(entry, base, keyword, rest, flags);
      case 'ARG':
        return { ...base, kind: 'ARG', args: this.#args(entry.line, need('a name, e.g. ARG VERSION=1.0')) };
      case 'ONBUILD':
        return this.#onbuild(entry, base, need('an instruction to run in child builds'));
      case 'HEALTHCHECK':
        return this.#healthcheck(entry.line, base, rest, one);
      default: {
        const shell = jsonList(need('a JSON array, e.g. ["/bin/bash", "-c"]'));
        if (!shell || shell.length === 0)
          this.fail(entry.line, 'a JSON array of strings, e.g. ["/bin/bash", "-c"]', 'SHELL takes only the exec form');
        return { ...base, kind: 'SHELL', shell: shell as string[] };
      }
    }
  }

  #words(line: number, text: string): string[] {
    return splitWords(text, this.escapeChar, () => this.fail(line, 'a closing quote'));
  }

  #from(line: number, base: { line: number; text: string }, rest: string, platform: string | undefined): FromInstruction {
    const words = this.#words(line, rest);
    const [image, as, alias] = words;
    if (!image) this.fail(line, 'an image after FROM, e.g. FROM debian:bookworm', 'FROM has no image');
    if (words.length !== 1 && (words.length !== 3 || as?.toUpperCase() !== 'AS')) this.fail(line, 'FROM <image> [AS <name>]');
    if (alias !== undefined && !/^[a-zA-Z][a-zA-Z0-9_.-]*$/.test(alias))
      this.fail(line, 'a stage name of letters, digits, _ . -', `bad stage name "${alias}"`);
    return {
      ...base,
      kind: 'FROM',
      image: image as string,
      ...(platform ? { platform } : {}),
      ...(alias ? { alias: alias.toLowerCase() } : {}),
    };
  }

  /** `k=v k2="v 2"`, or the old one-pair form `k v w` (ENV and LABEL: the rest of the line is the value). */
  #pairs(line: number, keyword: string, text: string): RawPair[] {
    const words = this.#words(line, text);
    if (!words[0]?.includes('=')) {
      const key = words[0] as string;
      const value = text.slice(text.indexOf(key) + key.length).trim();
      if (!value) this.fail(line, `${keyword} key=value (or "${keyword} key value")`, `${keyword} ${key} has no value`);
      return [{ key, value }];
    }
    return words.map((word) => {
      const at = word.indexOf('=');
      if (at <= 0) this.fail(line, `key=value pairs after ${keyword}`, `"${word}" is not key=value`);
      return { key: word.slice(0, at), value: word.slice(at + 1) };
    });
  }

  #args(line: number, text: string): ArgInstruction['args'] {
    return this.#words(line, text).map((word) => {
      const at = word.indexOf('=');
      const name = at < 0 ? word : word.slice(0, at);
      if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) this.fail(line, 'ARG <name>[=<default>]', `"${name}" is not a variable name`);
      return at < 0 ? { name } : { name, default: word.slice(at + 1) };
    });
  }

  #copy(
    entry: LogicalLine,
    base: { line: number; text: string },
    keyword: 'COPY' | 'ADD',
    rest: string,
    flags: Map<string, string[]>,
  ): CopyInstruction {
    const words = jsonList(rest) ?? this.#words(entry.line, rest);
    if (words.length < 2) this.fail(entry.line, `${keyword} <source>... <destination>`, `${keyword} needs a source and a destination`);
    const one = (name: string): string | undefined => flags.get(name)?.at(-1);
    const from = one('from');
    const chown = one('chown');
    const chmod = one('chmod');
    const checksum = one('checksum');
    if (chmod !== undefined && !/^[0-7]{3,4}$/.test(chmod))
      this.fail(entry.line, 'an octal mode for --chmod, e.g. 0755', `bad --chmod "${chmod}"`);
    const sources = words.slice(0, -1);
    for (const source of sources) {
      const name = /^<<-?(["']?)(.+)\1$/.exec(source)?.[2];
      if (name !== undefined && !entry.heredocs.some((h) => h.name === name)) this.fail(entry.line, `a heredoc body for <<${name}`);
    }
    return {
      ...base,
      kind: keyword,
      sources,
      dest: words.at(-1) as string,
      heredocs: entry.heredocs,
      link: one('link') !== undefined && one('link') !== 'false',
      ...(from !== undefined ? { from } : {}),
      ...(chown !== undefined ? { chown } : {}),
      ...(chmod !== undefined ? { chmod } : {}),
      ...(checksum !== undefined ? { checksum } : {}),
    };
  }

  #onbuild(entry: LogicalLine, base: { line: number; text: string }, trigger: string): Instruction {
    const inner = /^(\S+)/.exec(trigger)?.[1]?.toUpperCase() ?? '';
    if (inner === 'ONBUILD' || inner === 'FROM' || inner === 'MAINTAINER') {
      this.fail(entry.line, 'an instruction other than ONBUILD, FROM or MAINTAINER after ONBUILD', `ONBUILD ${inner} is not allowed`);
    }
    const instruction = this.parse({ line: entry.line, text: trigger, heredocs: entry.heredocs });
    return { ...base, kind: 'ONBUILD', trigger, instruction };
  }

  #healthcheck(
    line: number,
    base: { line: number; text: string },
    rest: string,
    one: (n: string) => string | undefined,
  ): HealthcheckInstruction {
    const match = /^(\S+)\s*(.*)$/s.exec(rest);
    const type = match?.[1]?.toUpperCase();
    if (type === 'NONE') {
      if (match?.[2]) this.fail(line, 'nothing after HEALTHCHECK NONE');
      return { ...base, kind: 'HEALTHCHECK' };
    }
    if (type !== 'CMD' || !match?.[2]) this.fail(line, 'HEALTHCHECK [options] CMD <command>, or HEALTHCHECK NONE');
    const retries = one('retries');
    if (retries !== undefined && !/^\d+$/.test(retries)) this.fail(line, 'a whole number for --retries', `bad --retries "${retries}"`);
    const times: Record<string, string | undefined> = {
      interval: one('interval'),
      timeout: one('timeout'),
      startPeriod: one('start-period'),
      startInterval: one('start-interval'),
    };
    for (const [name, value] of Object.entries(times)) {
      if (value !== undefined && parseDuration(value) === undefined)
        this.fail(line, `a duration like 30s or 1m30s for ${name}`, `bad duration "${value}"`);
    }
    const defined = Object.fromEntries(Object.entries(times).filter(([, v]) => v !== undefined)) as Record<string, string>;
    return {
      ...base,
      kind: 'HEALTHCHECK',
      command: commandForm(match?.[2] as string),
      ...defined,
      ...(retries !== undefined ? { retries: Number(retries) } : {}),
    };
  }
}

const UNIT_NS: Record<string, number> = { ns: 1, us: 1e3, µs: 1e3, ms: 1e6, s: 1e9, m: 60e9, h: 3600e9 };

/** A Go duration (`30s`, `1m30s`, `500ms`) in nanoseconds, as HEALTHCHECK takes them; undefined if it is not one. */
export function parseDuration(text: string): number | undefined {
  if (text === '0') return 0;
  const parts = [...text.matchAll(/(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join('') !== text) return undefined;
  return parts.reduce((sum, p) => sum + Number(p[1]) * (UNIT_NS[p[2] as string] as number), 0);
}
