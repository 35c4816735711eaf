/**
 * Prunes the store at argv[2] over and over, as another process sharing the
 * store would, until it is killed. Prints "pruning" once it has started.
 */
import { LocalEngine } from '../../src/index.js';

const root = process.argv[2];
if (!root) throw new Error('usage: prune-loop.ts <store root>');
const engine = new LocalEngine({ root });
let started = false;
for (;;) {
  await engine.pruneImages();
  if (!started) process.stdout.write('pruning\n');
  started = true;
  await new Promise((resolve) => setTimeout(resolve, 5)); // Let others take the lock between prunes.
}
