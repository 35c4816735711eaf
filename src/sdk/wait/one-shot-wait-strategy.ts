import type { Engine } from '../../engine/api/index.js';
import { StartupCheckStrategy, type StartupStatus } from './startup-check-strategy.js';

/** Ready once the container ran to completion with exit code 0 (setup jobs, migrations); any other exit fails. */
export class OneShotStartupWaitStrategy extends StartupCheckStrategy {
  override readonly description: string = 'one-shot startup (exit code 0)';

  async checkStartupState(engine: Engine, containerId: string): Promise<StartupStatus> {
    const { State } = await engine.inspectContainer(containerId);
    if (State.Running || State.Status === 'created') return 'PENDING';
    return State.ExitCode === 0 ? 'SUCCESS' : 'FAIL';
  }

  protected override async failureReason(engine: Engine, containerId: string): Promise<string> {
    const { State } = await engine.inspectContainer(containerId);
    return `the container exited with code ${State.ExitCode}`;
  }
}

/** The most a wait may take: setTimeout's limit (about 24.8 days). */
const NO_DEADLINE_MS = 2 ** 31 - 1;

/**
 * A one-shot check without a deadline of its own, as testcontainers-java's
 * `IndefiniteWaitOneShotStartupCheckStrategy`: for jobs whose length is not
 * known. A container's `withStartupTimeout` still bounds it.
 */
export class IndefiniteWaitOneShotStartupWaitStrategy extends OneShotStartupWaitStrategy {
  override readonly description: string = 'one-shot startup (exit code 0, no deadline)';

  constructor() {
    super();
    this.startupTimeoutMs = NO_DEADLINE_MS;
  }
}
