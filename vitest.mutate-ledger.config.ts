import { defineConfig } from 'vitest/config';

// The test files that judge the ledger diff's mutants (stryker.ledger.config.mjs).
export default defineConfig({
  test: {
    include: ['src/store/store.test.ts', 'test/planner-statistics.test.ts'],
    setupFiles: ['test/support/fixed-seed.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
