import type { Engine } from '../engine/api/index.js';
import { LocalEngine } from '../engine/local/local-engine.js';

let current: Engine | undefined;

/**
 * The engine the SDK uses: the local daemonless engine unless
 * {@link setEngine} chose another. Created on first use.
 */
export function getEngine(): Engine {
  current ??= new LocalEngine();
  return current;
}

/** Replaces the engine the SDK uses (e.g. a remote backend, or one with another state root). */
export function setEngine(engine: Engine): void {
  current = engine;
}
