import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['packages/*/src/**/*.test.ts', 'packages/*/test/**/*.test.ts', 'test/**/*.test.ts'],
    // Vitest runs one file at a time on a two-core machine (CI's), but most of these tests wait on
    // subprocesses, HTTP and PostgreSQL rather than compute: three at once took the suite from
    // about 10 to about 6 minutes there.
    maxWorkers: 3,
    // One empty migrated embedded store per run, which every throwaway test store starts from.
    globalSetup: ['packages/test-kit/src/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
