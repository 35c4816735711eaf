import type { Engine } from '../engine/api/index.js';
import { lazyEngine } from '../engine/select/lazy-engine.js';
import { chooseBackend, loadBackend } from '../engine/select/select-engine.js';

let current: Engine | undefined;

/**
 * The engine the SDK uses, unless {@link setEngine} chose another:
 * `BERTH_ENGINE=local|docker`, else the local daemonless engine where it can
 * run (Linux, root, overlayfs, the native parts built), else a Docker daemon
 * found as testcontainers finds one (`DOCKER_HOST`, `~/.testcontainers.properties`,
 * `/var/run/docker.sock`, the rootless and Docker Desktop sockets). The
 * backend is loaded at the first call; when none can be, that call fails
 * with `NoEngineError` naming every place looked.
 */
export function getEngine(): Engine {
  if (current) return current;
  const choice = chooseBackend();
  current = lazyEngine(choice.name, () => loadBackend(choice));
  return current;
}

/** Replaces the engine the SDK uses (e.g. a remote backend, or one with another state root). */
export function setEngine(engine: Engine): void {
  current = engine;
}
