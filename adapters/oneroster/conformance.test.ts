/**
 * The OneRoster adapter through the conformance kit, against the provider `oneRosterSuite()` starts.
 */
import { expect, it } from 'vitest';
import { runConformance } from '../../src/sdk/conformance/index.ts';
import type { ConformanceSuite as KitSuite } from '../../src/sdk/conformance/suite.ts';
import { oneRosterSuite } from './conformance.ts';
import adapter from './index.ts';

it('passes every check of the conformance kit', async () => {
  const { suite, close } = await oneRosterSuite();
  try {
    const kitSuite = suite as KitSuite;
    const report = await runConformance(adapter, kitSuite, { asOf: new Date('2026-11-27T00:00:00Z') });
    expect(report.checks.filter((c) => c.status !== 'passed').map((c) => `${c.id}: ${c.detail}`)).toEqual([]);
    expect(report.passed).toBeGreaterThanOrEqual(13);
  } finally {
    await close();
  }
}, 120_000);
