import { InvalidSpecError } from '../../errors.js';

const SHOWN_CHARS = 60;

/** A value as a message shows it: strings quoted with NULs escaped, long ones cut. */
export function show(value: unknown): string {
  if (typeof value !== 'string') return String(value);
  const quoted = JSON.stringify(value);
  return quoted.length > SHOWN_CHARS ? `${quoted.slice(0, SHOWN_CHARS)}…" (${value.length} characters)` : quoted;
}

/**
 * Throws the {@link InvalidSpecError} for one field: the message names the
 * field, the value and what is allowed; the hint says what to do.
 */
export function refuse(field: string, value: unknown, allowed: string, hint = `give ${field} as ${allowed}`): never {
  throw new InvalidSpecError(`invalid ${field} ${show(value)}: ${allowed}`, hint, field);
}

/** A string without NUL bytes (the helper's records and the kernel's paths end at one). */
export function checkText(field: string, value: unknown): void {
  if (typeof value !== 'string') refuse(field, value, 'must be a string');
  if (value.includes('\0')) refuse(field, value, 'must not contain a NUL byte', `remove the NUL byte (\\0) from ${field}`);
}

/** An array of NUL-free strings. */
export function checkTextList(field: string, value: unknown): void {
  if (!Array.isArray(value)) refuse(field, value, 'must be an array of strings', `give ${field} as an array, e.g. ['sh', '-c', 'echo hi']`);
  for (const [i, item] of value.entries()) checkText(`${field}[${i}]`, item);
}

/** A whole number from `min` to `max` (both included); `range` says so in the message. */
export function checkWhole(field: string, value: number, min: number, max: number, range: string, hint?: string): void {
  if (!Number.isSafeInteger(value) || value < min || value > max)
    refuse(field, value, `must be ${range}`, hint ?? `give ${field} as ${range}`);
}
