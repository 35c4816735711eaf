import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

/** `key=value` lines of `~/.testcontainers.properties` (`#` and `!` comments), empty when there is none. */
export function testcontainersProperties(file = join(homedir(), '.testcontainers.properties')): Map<string, string> {
  const properties = new Map<string, string>();
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return properties;
  }
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || line.startsWith('#') || line.startsWith('!')) continue;
    const at = line.search(/[=:]/);
    if (at > 0) properties.set(line.slice(0, at).trim(), line.slice(at + 1).trim());
  }
  return properties;
}
