import type { ImageConfig } from '../engine/api/index.js';
import type { HistoryEntry } from '../engine/image/commit.js';
import type { ImageRecord } from '../engine/image/image-store.js';
import { DockerfileError } from '../errors.js';
import { expandWord, SubstitutionError } from './dockerfile/substitute.js';

/** The run settings of an image (its config's `config`), with the ONBUILD triggers Docker keeps there. */
export type RunConfig = NonNullable<ImageConfig['config']> & { OnBuild?: string[] };

/** Where a stage's build stands: the image so far, the settings and history not yet written, ARGs in scope. */
export class BuildState {
  /** The last image a layer step made (or the base); undefined on `scratch` before the first layer. */
  image: ImageRecord | undefined;
  config: RunConfig;
  /** History of metadata steps since the last image (written with the next one). */
  pending: HistoryEntry[] = [];
  shell = ['/bin/sh', '-c'];
  author: string | undefined;
  readonly args = new Map<string, string>();
  /** Cache key of everything so far. */
  key: string;

  constructor(
    readonly file: string,
    readonly escapeChar: string,
    base: ImageRecord | undefined,
    key: string,
  ) {
    this.image = base;
    const { OnBuild: _triggers, ...config } = (base?.config.config ?? {}) as RunConfig;
    this.config = config;
    this.author = undefined;
    this.key = key;
  }

  /** The image's environment as a map (ENV wins over an ARG of the same name when expanding). */
  env(): Map<string, string> {
    return new Map((this.config.Env ?? []).map((e) => [e.slice(0, e.indexOf('=')), e.slice(e.indexOf('=') + 1)] as const));
  }

  /** Expands one word of the instruction at `line` with the variables in scope. */
  expand(word: string, line: number): string {
    const env = this.env();
    try {
      return expandWord(word, (name) => env.get(name) ?? this.args.get(name), this.escapeChar);
    } catch (error) {
      if (error instanceof SubstitutionError) throw new DockerfileError(this.file, line, 'a valid variable substitution', error.message);
      throw error;
    }
  }

  /** What a RUN sees: the image's environment plus the ARGs in scope (ENV wins). */
  runEnv(): Record<string, string> {
    return { ...Object.fromEntries(this.args), ...Object.fromEntries(this.env()) };
  }
}
