// Setup of the mutation runs (vitest.mutate*.config.ts). Stryker picks the tests that cover a
// mutant by their names, and @fast-check/vitest puts the property's seed in the name: with a new
// random seed each run no name matched, no property ran, and every mutant only a property catches
// "survived". One fixed seed keeps the names, and the properties run on the same cases each time.
import { fc } from '@fast-check/vitest';

fc.configureGlobal({ ...fc.readConfigureGlobal(), seed: 20_261_207 });
