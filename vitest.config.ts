import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts', 'e2e/**/*.test.ts'],
    // Builds web/dist for the browser tests (e2e/).
    globalSetup: ['e2e/support/build-web.ts'],
    testTimeout: 60_000,
    // Browser tests poll the page; a loaded 2-core machine needs more than the 1 s default.
    expect: { poll: { timeout: 15_000 } },
    hookTimeout: 120_000,
    // PGlite instances are memory-heavy WASM; two forks match the two cores.
    pool: 'forks',
    maxWorkers: 2,
  },
});
