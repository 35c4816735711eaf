/** Parser directives of a Dockerfile (`# escape=`, `# syntax=`), read only at its top. */
export interface Directives {
  /** The escape character: `\` by default, or `` ` `` (Windows style). */
  escapeChar: string;
  /** The frontend image `# syntax=` names; noted, not used (Berth is the frontend). */
  syntax?: string;
}

/** A heredoc body attached to an instruction (`<<EOF` … `EOF`). */
export interface Heredoc {
  /** The delimiter word, e.g. `EOF` (or a file name for COPY). */
  name: string;
  /** The body, each line ending in a newline; leading tabs gone for `<<-`. */
  content: string;
  /** Whether variables in the body are expanded (the delimiter was not quoted). */
  expand: boolean;
}

/** One instruction's text, continuations joined, comments gone. */
export interface LogicalLine {
  /** Line number (1-based) where the instruction starts. */
  line: number;
  text: string;
  heredocs: Heredoc[];
}

const DIRECTIVE = /^#\s*([a-zA-Z][a-zA-Z0-9]*)\s*=\s*(.*?)\s*$/;
const HEREDOC = /<<(-?)(["']?)([A-Za-z0-9_./-]+)\2/g;
/** Instructions whose arguments may carry heredocs. */
const HEREDOC_INSTRUCTIONS = new Set(['RUN', 'COPY', 'ADD']);

/**
 * Reads the directives at the top, as Docker does: only `#` lines before
 * any other line, each directive once; an unknown one ends the directives.
 */
export function readDirectives(lines: string[]): { directives: Directives; consumed: number } {
  const directives: Directives = { escapeChar: '\\' };
  const seen = new Set<string>();
  let consumed = 0;
  for (const raw of lines) {
    const match = DIRECTIVE.exec(raw.trim());
    const name = match?.[1]?.toLowerCase();
    if (!match || (name !== 'escape' && name !== 'syntax') || seen.has(name)) break;
    seen.add(name);
    if (name === 'escape') directives.escapeChar = match[2] ?? '\\';
    else directives.syntax = match[2] ?? '';
    consumed++;
  }
  return { directives, consumed };
}

/**
 * Joins continuation lines (a line ending in the escape character goes on
 * on the next), drops comment and blank lines (also inside a continuation,
 * as Docker does) and reads the heredoc bodies of RUN, COPY and ADD.
 * `unterminated` is called with the line of a heredoc that never ends.
 */
export function logicalLines(
  lines: string[],
  first: number,
  escapeChar: string,
  unterminated: (line: number, name: string) => never,
): LogicalLine[] {
  const out: LogicalLine[] = [];
  let i = first;
  while (i < lines.length) {
    const start = i;
    let text = '';
    let done = false;
    while (i < lines.length && !done) {
      const raw = lines[i++] as string;
      const trimmed = raw.trim();
      if (trimmed === '' || trimmed.startsWith('#')) continue;
      const end = raw.trimEnd();
      if (end.endsWith(escapeChar)) {
        text += end.slice(0, -escapeChar.length);
      } else {
        text += raw;
        done = true;
      }
    }
    if (text.trim() === '') continue;
    const line = firstContentLine(lines, start);
    const heredocs: Heredoc[] = [];
    const keyword = /^\s*(\S+)/.exec(text)?.[1]?.toUpperCase() ?? '';
    const onbuildKeyword = keyword === 'ONBUILD' ? (/^\s*\S+\s+(\S+)/.exec(text)?.[1]?.toUpperCase() ?? '') : keyword;
    if (HEREDOC_INSTRUCTIONS.has(onbuildKeyword)) {
      for (const marker of text.matchAll(HEREDOC)) {
        const [, dash, quote, name] = marker as unknown as [string, string, string, string];
        const body: string[] = [];
        for (;;) {
          if (i >= lines.length) unterminated(line, name);
          const raw = lines[i++] as string;
          const candidate = dash ? raw.replace(/^\t+/, '') : raw;
          if (candidate === name) break;
          body.push(candidate);
        }
        heredocs.push({ name, content: body.map((b) => `${b}\n`).join(''), expand: quote === '' });
      }
    }
    out.push({ line, text: text.trim(), heredocs });
  }
  return out;
}

function firstContentLine(lines: string[], from: number): number {
  for (let i = from; i < lines.length; i++) {
    const trimmed = (lines[i] as string).trim();
    if (trimmed !== '' && !trimmed.startsWith('#')) return i + 1;
  }
  return from + 1;
}
