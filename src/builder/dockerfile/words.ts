/**
 * Splits an argument text on blanks outside quotes, keeping the quotes and
 * escapes in each word: they are resolved when the word is expanded (see
 * expandWord), as Docker's parser leaves them to its shell lexer.
 * `unclosed` is called when a quote never closes.
 */
export function splitWords(text: string, escapeChar: string, unclosed?: () => never): string[] {
  const out: string[] = [];
  let current = '';
  let quote = '';
  for (let i = 0; i < text.length; i++) {
    const ch = text[i] as string;
    if (ch === escapeChar && quote !== "'" && i + 1 < text.length) {
      current += ch + (text[++i] as string);
    } else if (quote) {
      if (ch === quote) quote = '';
      current += ch;
    } else if (ch === '"' || ch === "'") {
      quote = ch;
      current += ch;
    } else if (/\s/.test(ch)) {
      if (current) out.push(current);
      current = '';
    } else {
      current += ch;
    }
  }
  if (quote && unclosed) unclosed();
  if (current) out.push(current);
  return out;
}

/** A command as a Dockerfile gives it: a JSON array (exec form), or a line for the shell. */
export type CommandForm = { exec: string[] } | { shell: string };

/** `["a", "b"]` as the exec form; anything else (also JSON that is not a string array) as the shell form, as Docker does. */
export function commandForm(text: string): CommandForm {
  const list = jsonList(text);
  return list ? { exec: list } : { shell: text };
}

/** The string array a JSON text holds, if it is one. */
export function jsonList(text: string): string[] | undefined {
  const trimmed = text.trim();
  if (!trimmed.startsWith('[')) return undefined;
  try {
    const parsed: unknown = JSON.parse(trimmed);
    if (Array.isArray(parsed) && parsed.every((p) => typeof p === 'string')) return parsed;
  } catch {
    // Not JSON: the shell form.
  }
  return undefined;
}
