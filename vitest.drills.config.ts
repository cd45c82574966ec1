import { defineConfig } from 'vitest/config';

/**
 * `npm run test:drills`: the long drills (thousands of tenants, processes killed), one file at a
 * time so that each has the machine to itself. `npm test` runs a small version of each.
 */
export default defineConfig({
  test: {
    include: ['test/drills/**/*.drill.ts'],
    maxWorkers: 1,
    testTimeout: 1_800_000,
    hookTimeout: 120_000,
  },
});
