/**
 * The engine conformance suite: behaviours every backend of the Engine
 * contract must have, written once and run against each backend by its own
 * test file (`describeEngine('LocalEngine', …)`, `describeEngine('DockerEngine', …)`),
 * the way containerd runs one snapshotter test suite over every snapshotter.
 * Every case drives the engine over real sockets and processes; none looks
 * at a backend's insides.
 */
import { afterAll, afterEach, beforeAll, describe, it } from 'vitest';
import { containerCases } from './containers.js';
import { fileCases } from './files.js';
import { imageCases } from './images.js';
import { leftoverCases } from './leftovers.js';
import { networkCases } from './networks.js';
import { processIoCases } from './process-io.js';
import { type EngineUnderTest, SuiteContext } from './suite-context.js';
import { volumeCases } from './volumes.js';

/** Registers one case: `it`, or a skip whose title says why the backend cannot have it. */
export type CaseFn = (id: string, title: string, body: () => Promise<void>) => void;

/** Options of {@link describeEngine}. */
export interface DescribeEngineOptions {
  /** Cases (by id) that cannot apply to this backend, with the reason; keep these few. */
  skip?: Record<string, string>;
  /** Set when the whole backend cannot run here (e.g. no dockerd installed): the reason. */
  unavailable?: string;
}

/**
 * Runs the conformance suite against the engine `makeEngine` makes (once,
 * before the first case); `close` runs after the last case, which checks
 * that nothing the suite made is left on the backend.
 */
export function describeEngine(name: string, makeEngine: () => Promise<EngineUnderTest>, options: DescribeEngineOptions = {}): void {
  const title = options.unavailable ? `${name} conformance — skipped: ${options.unavailable}` : `${name} conformance`;
  describe.skipIf(options.unavailable !== undefined)(title, () => {
    const ctx = new SuiteContext();
    let underTest: EngineUnderTest | undefined;
    const skips = new Map(Object.entries(options.skip ?? {}));
    const known = new Set<string>();
    const test: CaseFn = (id, caseTitle, body) => {
      known.add(id);
      const reason = skips.get(id);
      if (reason) it.skip(`${caseTitle} — skipped on ${name}: ${reason}`, body);
      else it(caseTitle, body);
    };

    beforeAll(async () => {
      underTest = await makeEngine();
      ctx.engine = underTest.engine;
    });
    afterEach(() => ctx.cleanup());
    afterAll(async () => {
      await underTest?.close();
    });

    imageCases(ctx, test);
    containerCases(ctx, test);
    processIoCases(ctx, test);
    fileCases(ctx, test);
    networkCases(ctx, test);
    volumeCases(ctx, test);
    // Last: after every other case, nothing of the suite may be left.
    leftoverCases(ctx, test);

    const unknown = [...skips.keys()].filter((id) => !known.has(id));
    if (unknown.length > 0) throw new Error(`describeEngine(${name}): no case has the id ${unknown.join(', ')} to skip`);
  });
}
