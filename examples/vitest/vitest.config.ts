import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// The examples' own config: the project's config runs test/ only.
export default defineConfig({
  test: {
    root: fileURLToPath(new URL('.', import.meta.url)),
    include: ['*.test.ts'],
    pool: 'forks',
    testTimeout: 60_000,
  },
});
