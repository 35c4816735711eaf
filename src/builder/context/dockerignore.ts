import * as fs from 'node:fs';
import { basename, dirname, join, posix } from 'node:path';
import { patternRegex } from './pattern.js';

interface Rule {
  regex: RegExp;
  exception: boolean;
  /** Path components in the pattern: a parent with as many components is tested too. */
  depth: number;
}

/**
 * A `.dockerignore` as Docker reads it: one pattern a line, `#` comments,
 * `!` for exceptions, the last matching line wins; `*` and `?` stay within
 * one path component, `**` spans any number of them, `[…]` is a class, and
 * a pattern that names a directory excludes everything below it.
 */
export class IgnoreRules {
  readonly #rules: Rule[];

  constructor(patterns: string[]) {
    this.#rules = patterns
      .map((p) => p.trim())
      .filter((p) => p !== '' && !p.startsWith('#'))
      .map((p) => {
        const exception = p.startsWith('!');
        const clean = posix
          .normalize((exception ? p.slice(1) : p).trim())
          .replace(/^\/+/, '')
          .replace(/\/+$/, '');
        return { regex: patternRegex(clean), exception, depth: clean.split('/').length };
      })
      .filter((r) => r.regex.source !== '^\\.$');
  }

  /** Whether `path` (relative to the context, `/`-separated) is left out. */
  ignores(path: string): boolean {
    const parts = path.split('/');
    let ignored = false;
    for (const rule of this.#rules) {
      const matches = rule.regex.test(path) || (rule.depth < parts.length && rule.regex.test(parts.slice(0, rule.depth).join('/')));
      if (matches) ignored = !rule.exception;
    }
    return ignored;
  }

  /** Whether some exception could bring back a path below `dir` (so an ignored directory must still be walked). */
  hasExceptions(): boolean {
    return this.#rules.some((r) => r.exception);
  }
}

/**
 * The ignore rules of a build: `<Dockerfile>.dockerignore` beside the
 * Dockerfile if there is one (BuildKit's per-Dockerfile file), else
 * `.dockerignore` at the context's root, else none.
 */
export function loadIgnoreRules(context: string, dockerfilePath: string): IgnoreRules {
  const candidates = [join(dirname(dockerfilePath), `${basename(dockerfilePath)}.dockerignore`), join(context, '.dockerignore')];
  for (const file of candidates) {
    if (fs.existsSync(file)) return new IgnoreRules(fs.readFileSync(file, 'utf8').split(/\r?\n/));
  }
  return new IgnoreRules([]);
}
