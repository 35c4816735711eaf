import { constants } from 'node:os';

/** The name of signal number `n` on this platform (`9` → `SIGKILL`), or undefined for none. */
export function signalName(n: number): NodeJS.Signals | undefined {
  return Object.entries(constants.signals).find(([, number]) => number === n)?.[0] as NodeJS.Signals | undefined;
}
