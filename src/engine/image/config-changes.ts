import { InvalidSpecError } from '../../errors.js';
import type { ImageConfig } from '../api/index.js';

/** The run settings of an image (its config's `config`). */
type RunConfig = NonNullable<ImageConfig['config']>;

/** What `docker commit --change` accepts. */
const INSTRUCTIONS = ['CMD', 'ENTRYPOINT', 'ENV', 'EXPOSE', 'LABEL', 'ONBUILD', 'USER', 'VOLUME', 'WORKDIR', 'STOPSIGNAL'] as const;

/**
 * Applies Dockerfile instructions to an image's run settings, as
 * `docker commit --change` does: CMD, ENTRYPOINT (exec form, or shell form
 * run by `/bin/sh -c`), ENV and LABEL (`k=v …`, or `k v`), EXPOSE, USER,
 * VOLUME, WORKDIR, STOPSIGNAL; ONBUILD is stored for a child image. Anything
 * else is refused with InvalidSpecError, as Docker refuses it.
 */
export function applyConfigChanges(config: RunConfig, changes: string[]): RunConfig & { OnBuild?: string[] } {
  const next: RunConfig & { OnBuild?: string[] } = { ...config };
  for (const change of changes.flatMap((c) => c.split('\n')).map((c) => c.trim())) {
    if (!change) continue;
    const match = /^(\S+)\s*(.*)$/s.exec(change);
    const keyword = (match?.[1] ?? '').toUpperCase();
    const rest = match?.[2]?.trim() ?? '';
    if (!(INSTRUCTIONS as readonly string[]).includes(keyword)) {
      throw new InvalidSpecError(
        `commit change "${change}" is not an instruction docker commit takes`,
        `use one of ${INSTRUCTIONS.join(', ')}`,
      );
    }
    apply(next, keyword as (typeof INSTRUCTIONS)[number], rest, change);
  }
  return next;
}

function apply(config: RunConfig & { OnBuild?: string[] }, keyword: (typeof INSTRUCTIONS)[number], rest: string, change: string): void {
  switch (keyword) {
    case 'CMD':
      config.Cmd = commandForm(rest, change);
      return;
    case 'ENTRYPOINT':
      config.Entrypoint = commandForm(rest, change);
      return;
    case 'ENV': {
      const env = new Map((config.Env ?? []).map((e) => [e.slice(0, e.indexOf('=')), e] as const));
      for (const [k, v] of pairs(rest, change)) env.set(k, `${k}=${v}`);
      config.Env = [...env.values()];
      return;
    }
    case 'LABEL':
      config.Labels = { ...config.Labels, ...Object.fromEntries(pairs(rest, change)) };
      return;
    case 'EXPOSE':
      config.ExposedPorts = {
        ...config.ExposedPorts,
        ...Object.fromEntries(words(rest).map((p) => [p.includes('/') ? p : `${p}/tcp`, {}])),
      };
      return;
    case 'VOLUME':
      config.Volumes = { ...config.Volumes, ...Object.fromEntries(listForm(rest).map((v) => [v, {}])) };
      return;
    case 'USER':
      config.User = required(rest, change);
      return;
    case 'WORKDIR':
      config.WorkingDir = required(rest, change);
      return;
    case 'STOPSIGNAL':
      config.StopSignal = required(rest, change);
      return;
    case 'ONBUILD':
      config.OnBuild = [...(config.OnBuild ?? []), required(rest, change)];
      return;
  }
}

/** `["a", "b"]` as is; a shell line as `/bin/sh -c <line>`. */
function commandForm(rest: string, change: string): string[] {
  const list = jsonList(rest);
  if (list) return list;
  return ['/bin/sh', '-c', required(rest, change)];
}

/** `["/a", "/b"]` or `/a /b`. */
function listForm(rest: string): string[] {
  return jsonList(rest) ?? words(rest);
}

function jsonList(rest: string): string[] | undefined {
  if (!rest.startsWith('[')) return undefined;
  try {
    const parsed: unknown = JSON.parse(rest);
    if (Array.isArray(parsed) && parsed.every((p) => typeof p === 'string')) return parsed;
  } catch {
    // Not JSON: Docker then takes the shell form.
  }
  return undefined;
}

/** `k=v k2="v 2"`, or the old form `k v w` (one pair, the rest is the value). */
function pairs(rest: string, change: string): [string, string][] {
  const tokens = words(required(rest, change));
  if (!tokens[0]?.includes('=')) {
    const [key = '', ...value] = rest.split(/\s+/);
    return [[key, value.join(' ')]];
  }
  return tokens.map((t) => {
    const at = t.indexOf('=');
    if (at <= 0) throw new InvalidSpecError(`commit change "${change}": "${t}" is not key=value`, 'write each pair as key=value');
    return [t.slice(0, at), t.slice(at + 1)];
  });
}

/** Splits on blanks, keeping double- or single-quoted parts together (quotes removed, `\` escapes in double quotes). */
function words(text: string): string[] {
  const out: string[] = [];
  let current = '';
  let quote = '';
  let started = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i] as string;
    if (quote) {
      if (ch === quote) quote = '';
      else if (ch === '\\' && quote === '"' && i + 1 < text.length) current += text[++i];
      else current += ch;
    } else if (ch === '"' || ch === "'") {
      quote = ch;
      started = true;
    } else if (/\s/.test(ch)) {
      if (started) out.push(current);
      current = '';
      started = false;
    } else {
      current += ch;
      started = true;
    }
  }
  if (started) out.push(current);
  return out;
}

function required(rest: string, change: string): string {
  if (!rest) throw new InvalidSpecError(`commit change "${change}" has no argument`, 'give the instruction its value, e.g. "USER app"');
  return rest;
}
