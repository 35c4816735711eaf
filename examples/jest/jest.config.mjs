// The examples' own config. Native ESM (run with NODE_OPTIONS=--experimental-vm-modules):
// no transform, the test files are plain JavaScript modules.
import { fileURLToPath } from 'node:url';

/** @type {import('jest').Config} */
export default {
  rootDir: fileURLToPath(new URL('.', import.meta.url)),
  testMatch: ['<rootDir>/*.test.mjs'],
  transform: {},
  testEnvironment: 'node',
  testTimeout: 60_000,
};
