/**
 * The Engine contract: types only. Implementations (`../local/`,
 * `../docker/`) and the SDK import from here; this folder imports nothing
 * but the errors module (checked by test/contract.test.ts).
 */
export type * from './build.js';
export type * from './containers.js';
export type * from './engine.js';
export type * from './exec.js';
export type * from './files.js';
export type * from './images.js';
export type * from './logs.js';
export type * from './networks.js';
export type * from './volumes.js';
