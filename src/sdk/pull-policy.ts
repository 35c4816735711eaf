import type { PullPolicyName } from '../engine/api/index.js';

/**
 * testcontainers' pull policy interface: a policy of your own says whether to
 * pull (`true`: always, as `alwaysPull`; `false`: only when missing).
 */
export interface ImagePullPolicy {
  shouldPull(): boolean;
}

/** When to pull an image before starting a container, as testcontainers has it. */
export class PullPolicy implements ImagePullPolicy {
  private constructor(readonly name: PullPolicyName) {}

  /** Whether the image is pulled even when present (testcontainers' question). */
  shouldPull(): boolean {
    return this.name === 'always';
  }

  /** The engine's policy for any {@link ImagePullPolicy}, Berth's own or a user's. */
  static nameOf(policy: ImagePullPolicy): PullPolicyName {
    if (policy instanceof PullPolicy) return policy.name;
    return policy.shouldPull() ? 'always' : 'missing';
  }

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
