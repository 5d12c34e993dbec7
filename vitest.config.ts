import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: [
      'src/**/*.test.ts',
      'test/**/*.test.ts',
      'sandbox/**/*.test.ts',
      'adapters/**/*.test.ts',
      'mappings/**/*.test.ts',
    ],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
    // Most test files wait on something outside their process (a spawned CLI, a simulator, a
    // browser, PostgreSQL, Redis), so one file more than the machine has cores keeps the cores busy;
    // vitest's own default (cores - 1) ran one file at a time on the two-core CI machine.
    maxWorkers: availableParallelism() + 1,
    // A worker keeps its loaded modules from one test file to the next instead of importing the hub
    // again for each file (122 s of 714 on the two-core machine). Safe because no test mocks a
    // module, stubs the environment or fakes timers: each file builds its own world (database,
    // key prefix, ports) and tears it down.
    isolate: false,
  },
});
