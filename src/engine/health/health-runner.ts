import * as fs from 'node:fs';
import type { ExecOptions, ExecResult, HealthResult, HealthState } from '../api/index.js';
import type { ResolvedHealthCheck } from './health-check.js';

/** Docker keeps this much of a check's output and this many results. */
const MAX_OUTPUT = 4096;
const MAX_RESULTS = 5;

/** What the runner needs of the running container. */
export interface HealthTarget {
  check: ResolvedHealthCheck;
  /** Where the state goes, so inspect in any process sees it. */
  file: string;
  exec(options: ExecOptions): Promise<ExecResult>;
  /** Whether the container is paused (frozen) now: as in Docker, no check runs then. */
  paused(): boolean;
  /** Settles when the container exits: checks stop then. */
  exited: Promise<void>;
}

/**
 * Runs a container's health check on its interval, as Docker's daemon
 * does, in the process that started the container (Berth has no daemon).
 * The state is written after every check; checks stop with the container
 * and skip while it is paused.
 */
export function runHealthChecks(target: HealthTarget): void {
  const { check, file } = target;
  const startedMs = Date.now();
  let state: HealthState = { Status: 'starting', FailingStreak: 0, Log: [] };
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  writeState(file, state);
  const probe = async (): Promise<void> => {
    if (target.paused()) return schedule(); // Nothing recorded: a paused container is neither healthy nor not.
    const result = await runCheck(target);
    if (stopped) return;
    state = nextState(state, result, Date.now() - startedMs < check.startPeriodMs, check.retries);
    writeState(file, state);
    schedule();
  };
  // Unref'd: health checks alone never keep the process alive.
  const schedule = (): void => {
    timer = setTimeout(() => void probe(), check.intervalMs).unref();
  };
  void target.exited.finally(() => {
    stopped = true;
    clearTimeout(timer);
  });
  schedule();
}

/** Docker's rules: a success is healthy at once; failures count once the start period is over. */
export function nextState(state: HealthState, result: HealthResult, inStartPeriod: boolean, retries: number): HealthState {
  const Log = [...state.Log, result].slice(-MAX_RESULTS);
  if (result.ExitCode === 0) return { Status: 'healthy', FailingStreak: 0, Log };
  if (inStartPeriod && state.Status === 'starting') return { ...state, Log };
  const FailingStreak = state.FailingStreak + 1;
  return { Status: FailingStreak >= retries ? 'unhealthy' : state.Status, FailingStreak, Log };
}

async function runCheck({ check, exec }: HealthTarget): Promise<HealthResult> {
  const Start = new Date().toISOString();
  const signal = AbortSignal.timeout(check.timeoutMs);
  const outcome = await exec({ cmd: check.argv, signal }).then(
    (r) => ({ ExitCode: r.exitCode, Output: r.stdout + r.stderr }),
    (error: unknown) => ({
      ExitCode: -1,
      Output: signal.aborted ? `Health check exceeded timeout (${check.timeoutMs} ms)` : (error as Error).message,
    }),
  );
  return { Start, End: new Date().toISOString(), ExitCode: outcome.ExitCode, Output: outcome.Output.slice(0, MAX_OUTPUT) };
}

function writeState(file: string, state: HealthState): void {
  try {
    fs.writeFileSync(`${file}.tmp`, JSON.stringify(state));
    fs.renameSync(`${file}.tmp`, file);
  } catch {
    // The container was removed meanwhile: nobody can inspect it any more.
  }
}

/** The state another process wrote, if any. */
export function readHealthState(file: string): HealthState | undefined {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as HealthState;
  } catch {
    return undefined;
  }
}
