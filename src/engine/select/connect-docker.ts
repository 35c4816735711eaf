import { debug } from '../../debug.js';
import { NoEngineError } from '../../errors.js';
import type { DockerEngine } from '../docker/docker-engine.js';
import { dockerCandidates } from './docker-discovery.js';

/**
 * The first Docker daemon that answers `/_ping`, tried where
 * {@link dockerCandidates} says, in order (as testcontainers-node does).
 * @param whyNotLocal when automatic selection fell back here: why the local engine was not used.
 * @throws NoEngineError naming every place looked and what was found there.
 */
export async function connectDocker(whyNotLocal?: string): Promise<DockerEngine> {
  const { DockerEngine } = await import('../docker/docker-engine.js');
  const looked: string[] = whyNotLocal ? [`local engine: ${whyNotLocal}`] : [];
  for (const { where, options } of dockerCandidates()) {
    if (!options) {
      looked.push(`${where}: not set or not there`);
      continue;
    }
    let engine: DockerEngine | undefined;
    try {
      engine = new DockerEngine(options);
      await engine.apiVersion();
      debug('Docker daemon found at %s', where);
      return engine;
    } catch (error) {
      await engine?.close().catch(() => undefined);
      looked.push(`${where}: ${(error as Error).message.split('\n')[0]}`);
    }
  }
  throw new NoEngineError('no container engine: no Docker daemon answered', looked);
}
