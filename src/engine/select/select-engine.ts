import { NoEngineError } from '../../errors.js';
import type { Engine } from '../api/index.js';
import { localEngineUnusable } from './local-support.js';

/** The backends `BERTH_ENGINE` may name. */
export type BackendName = 'local' | 'docker';

/** The backend to use and, when automatic selection passed the local engine over, why. */
export interface BackendChoice {
  name: BackendName;
  whyNotLocal?: string;
}

/**
 * Which backend to use: `BERTH_ENGINE` (`local` or `docker`) when set;
 * otherwise the local engine where it can run, else Docker. Decided without
 * loading either engine.
 * @throws NoEngineError for any other value of `BERTH_ENGINE`.
 */
export function chooseBackend(env: NodeJS.ProcessEnv = process.env): BackendChoice {
  const asked = env.BERTH_ENGINE?.trim().toLowerCase();
  if (asked === 'local' || asked === 'docker') return { name: asked };
  if (asked) {
    throw new NoEngineError(
      `BERTH_ENGINE=${env.BERTH_ENGINE} names no backend`,
      [],
      'set BERTH_ENGINE to local or docker, or unset it to choose automatically',
    );
  }
  const whyNotLocal = localEngineUnusable();
  return whyNotLocal ? { name: 'docker', whyNotLocal } : { name: 'local' };
}

/** Loads the chosen backend: only its modules are imported (the local engine never loads the Docker client, nor the other way round). */
export async function loadBackend(choice: BackendChoice): Promise<Engine> {
  if (choice.name === 'docker') return (await import('./connect-docker.js')).connectDocker(choice.whyNotLocal);
  const { LocalEngine } = await import('../local/local-engine.js');
  return new LocalEngine();
}
