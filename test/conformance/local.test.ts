/** The conformance suite on the local, daemonless engine, with a state root of its own under the test store. */
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import { join } from 'node:path';
import { statePaths } from '../../src/engine/paths.js';
import { LocalEngine } from '../../src/index.js';
import { eventually } from '../support/leaks.js';
import { describeEngine } from './describe-engine.js';

describeEngine('LocalEngine', async () => {
  const root = join(statePaths().root, `conformance-${randomBytes(4).toString('hex')}`);
  const engine = new LocalEngine({ root });
  return {
    engine,
    close: async () => {
      // Monitors empty a removed container's directory in the background: wait for them before taking the root.
      const containers = statePaths(root).containers;
      const busy = (): boolean =>
        fs.readdirSync(containers).some((e) => e !== '.trash' && e !== '.names') || fs.readdirSync(join(containers, '.trash')).length > 0;
      await eventually(() => !busy(), 10_000, 50);
      fs.rmSync(root, { recursive: true, force: true });
    },
  };
});
