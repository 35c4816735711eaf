import type { PullPolicyName } from '../engine/engine.js';

/** When to pull an image before starting a container, as testcontainers has it. */
export class PullPolicy {
  private constructor(readonly name: PullPolicyName) {}

  /** Pull only when the image is not in the local store (the default). */
  static defaultPolicy(): PullPolicy {
    return new PullPolicy('missing');
  }

  /** Pull every time, to pick up a moved tag. */
  static alwaysPull(): PullPolicy {
    return new PullPolicy('always');
  }

  /** Never pull; fail if the image is not in the local store. */
  static neverPull(): PullPolicy {
    return new PullPolicy('never');
  }
}
