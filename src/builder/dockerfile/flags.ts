/** Leading `--name=value` (or `--name` alone) flags of an instruction, and the words after them. */
export interface Flagged {
  flags: Map<string, string[]>;
  rest: string;
}

/**
 * Takes the flags off the front of an instruction's arguments. Only the
 * names in `allowed` are accepted; `refuse` is called with the first other.
 */
export function takeFlags(args: string, allowed: readonly string[], refuse: (flag: string) => never): Flagged {
  const flags = new Map<string, string[]>();
  let rest = args.trimStart();
  for (;;) {
    const match = /^--([A-Za-z][A-Za-z0-9-]*)(?:=(\S*))?(?:\s+|$)/.exec(rest);
    if (!match) break;
    const name = match[1] as string;
    if (!allowed.includes(name)) refuse(name);
    flags.set(name, [...(flags.get(name) ?? []), unquote(match[2] ?? 'true')]);
    rest = rest.slice(match[0].length);
  }
  return { flags, rest: rest.trim() };
}

function unquote(value: string): string {
  return /^(["']).*\1$/.test(value) ? value.slice(1, -1) : value;
}
