import { defineConfig } from 'vitest/config';

// The test files `npm run mutate` runs against each mutant (stryker.config.mjs): the unit tests of
// the mutated modules, without the CLI and end-to-end files that reach the same code through a
// child process (a mutant in a child process is invisible to Stryker's per-test coverage).
export default defineConfig({
  test: {
    include: [
      'src/model/personal-id.test.ts',
      'src/model/grading.test.ts',
      'src/model/names.test.ts',
      'src/model/rules.test.ts',
      'src/model/phone.test.ts',
      'src/model/text-limits.test.ts',
      'src/model/vietqr.test.ts',
      'src/identity/names.test.ts',
      'src/identity/compare.test.ts',
      'src/identity/offline/*.test.ts',
      'mappings/ssc/v1/mapping.test.ts',
    ],
    // Each mutant re-runs the tests that cover it; a worker that keeps its modules saves loading
    // the model again each time (Stryker switches mutants at run time, not by reloading).
    isolate: false,
    setupFiles: ['test/support/fixed-seed.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
