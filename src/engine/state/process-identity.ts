import * as fs from 'node:fs';

/** A process named by pid and kernel start time, so a reused pid is never mistaken for it. */
export interface ProcessIdentity {
  pid: number;
  /** Start time in clock ticks since boot (/proc/<pid>/stat field 22). */
  startTime: number;
}

/** The start time of a running process; undefined for none, or for a zombie (it has ended, only its parent has not reaped it). */
function startTimeOf(pid: number): number | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name may contain spaces and parentheses: fields start after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return fields[0] === 'Z' ? undefined : Number(fields[19]);
  } catch {
    return undefined;
  }
}

/** The identity of a live process (this one by default). */
export function identify(pid: number = process.pid): ProcessIdentity | undefined {
  const startTime = startTimeOf(pid);
  return startTime === undefined ? undefined : { pid, startTime };
}

/** Whether that very process still runs. */
export function isAlive(who: ProcessIdentity | undefined): boolean {
  return who !== undefined && startTimeOf(who.pid) === who.startTime;
}

/** Whether some process has this pid (whichever it is: for pids named in file names, where no start time was kept). */
export function pidExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}
