// @ts-check
// `npm run mutate`, second part: the ledger diff (which records a target lacks or holds in another
// version), against the store's tests on PGlite and PostgreSQL. Apart from stryker.config.mjs
// because these tests open databases: run together, every model mutant they touch would pay for it.
import base from './stryker.config.mjs';

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
const config = {
  ...base,
  vitest: { configFile: 'vitest.mutate-ledger.config.ts', related: true },
  mutate: ['src/store/ledger.ts:21-66'],
  htmlReporter: { fileName: 'reports/mutation/ledger.html' },
  jsonReporter: { fileName: 'reports/mutation/ledger.json' },
};
export default config;
