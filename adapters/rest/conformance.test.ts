/**
 * The REST adapter through the conformance kit, against the sandboxes `restSuite()` starts.
 */
import { expect, it } from 'vitest';
import { runConformance } from '../../src/sdk/conformance/index.ts';
import type { ConformanceSuite as KitSuite } from '../../src/sdk/conformance/suite.ts';
import { restSuite } from './conformance.ts';
import adapter from './index.ts';
import { TEST_NOW } from './testing.ts';

it('passes every check of the conformance kit', async () => {
  const { suite, close } = await restSuite();
  try {
    const kitSuite: KitSuite = suite;
    const report = await runConformance(adapter, kitSuite, { asOf: TEST_NOW });
    expect(report.checks.filter((c) => c.status !== 'passed').map((c) => `${c.id}: ${c.detail}`)).toEqual([]);
    expect(report.passed).toBeGreaterThanOrEqual(13);
  } finally {
    await close();
  }
});
