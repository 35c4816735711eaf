/**
 * Spawns argv[2] short-lived children through the addon, lets none of them
 * keep Node alive, and ends at once: their exits land while Node tears down.
 */
import { SpawnedProcess } from '../../src/engine/runtime/spawned-process.js';

const count = Number(process.argv[2] ?? 20);
for (let i = 0; i < count; i++) new SpawnedProcess('/bin/sleep', [`0.00${i % 10}`], ['null', 'null', 'null']).unref();
