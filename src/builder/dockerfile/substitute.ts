/** Looks a build variable up (ARG or ENV in scope); undefined when unset. */
export type Lookup = (name: string) => string | undefined;

/** A substitution the builder cannot read (`${` without `}`, an unknown modifier, `${X:?}` of an unset X). */
export class SubstitutionError extends Error {}

const NAME_START = /[A-Za-z_]/;
const NAME_CHAR = /[A-Za-z0-9_]/;

/**
 * Resolves one word as Docker's shell lexer does for ADD, COPY, ENV,
 * EXPOSE, FROM, LABEL, STOPSIGNAL, USER, VOLUME and WORKDIR: quotes go
 * (nothing inside single quotes is touched), the escapeChar character makes the
 * next character literal, and `$VAR`, `${VAR}`, `${VAR:-default}`,
 * `${VAR-default}`, `${VAR:+alt}`, `${VAR+alt}` and `${VAR:?message}` are
 * replaced from `lookup`.
 */
export function expandWord(word: string, lookup: Lookup, escapeChar = '\\'): string {
  return new Lexer(word, lookup, escapeChar).word();
}

class Lexer {
  #at = 0;

  constructor(
    readonly text: string,
    readonly lookup: Lookup,
    readonly escapeChar: string,
  ) {}

  /** Everything up to `stop` (for a modifier's word inside `${…}`) or the end. */
  word(stop?: string): string {
    let out = '';
    while (this.#at < this.text.length) {
      const ch = this.text[this.#at] as string;
      if (stop !== undefined && ch === stop) return out;
      this.#at++;
      if (ch === this.escapeChar) out += this.#escaped();
      else if (ch === "'") out += this.#until("'");
      else if (ch === '"') out += this.#doubleQuoted();
      else if (ch === '$') out += this.#variable();
      else out += ch;
    }
    if (stop !== undefined) throw new SubstitutionError(`missing "${stop}" in "${this.text}"`);
    return out;
  }

  #escaped(): string {
    if (this.#at >= this.text.length) return this.escapeChar;
    return this.text[this.#at++] as string;
  }

  #until(quote: string): string {
    const end = this.text.indexOf(quote, this.#at);
    if (end < 0) throw new SubstitutionError(`unclosed ${quote} in "${this.text}"`);
    const body = this.text.slice(this.#at, end);
    this.#at = end + 1;
    return body;
  }

  #doubleQuoted(): string {
    let out = '';
    while (this.#at < this.text.length) {
      const ch = this.text[this.#at++] as string;
      if (ch === '"') return out;
      if (ch === this.escapeChar) {
        const next = this.text[this.#at];
        if (next === '"' || next === '$' || next === this.escapeChar) {
          out += next;
          this.#at++;
        } else out += ch;
      } else if (ch === '$') out += this.#variable();
      else out += ch;
    }
    throw new SubstitutionError(`unclosed " in "${this.text}"`);
  }

  #variable(): string {
    const ch = this.text[this.#at];
    if (ch === '{') {
      this.#at++;
      return this.#braced();
    }
    if (ch === undefined || !NAME_START.test(ch)) return '$';
    return this.lookup(this.#name()) ?? '';
  }

  #name(): string {
    const start = this.#at;
    while (this.#at < this.text.length && NAME_CHAR.test(this.text[this.#at] as string)) this.#at++;
    return this.text.slice(start, this.#at);
  }

  #braced(): string {
    const name = this.#name();
    if (!name) throw new SubstitutionError(`a variable name must follow "\${" in "${this.text}"`);
    const value = this.lookup(name);
    if (this.#at >= this.text.length) throw new SubstitutionError(`missing "}" in "${this.text}"`);
    if (this.text[this.#at] === '}') {
      this.#at++;
      return value ?? '';
    }
    const colon = this.text[this.#at] === ':';
    if (colon) this.#at++;
    const modifier = this.text[this.#at++];
    if (modifier !== '-' && modifier !== '+' && modifier !== '?') {
      throw new SubstitutionError(`unknown modifier after "\${${name}" in "${this.text}" (use :-, -, :+, + or :?)`);
    }
    const alternative = this.word('}');
    this.#at++;
    const set = colon ? value !== undefined && value !== '' : value !== undefined;
    if (modifier === '-') return set ? (value as string) : alternative;
    if (modifier === '+') return set ? alternative : '';
    if (!set) throw new SubstitutionError(`${name}: ${alternative || 'is not set'}`);
    return value as string;
  }
}
