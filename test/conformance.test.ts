/**
 * The conformance kit against every adapter that ships with EduBridge, each with its suite
 * (sandbox sources started, reference inputs with their known problems). What a vendor runs with
 * `edubridge adapter test`, run here on ours.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { excelSuite } from '../adapters/excel/conformance.ts';
import { BUILT_IN_ADAPTERS, type BuiltInAdapterId, loadBuiltInAdapter } from '../adapters/index.ts';
import { oneRosterSuite } from '../adapters/oneroster/conformance.ts';
import { restSuite } from '../adapters/rest/conformance.ts';
import { soapSuite } from '../adapters/soap/conformance.ts';
import { type ConformanceSuite, runConformance } from '../src/sdk/conformance/index.ts';

const tmp = await mkdtemp(join(tmpdir(), 'edubridge-conformance-'));
afterAll(() => rm(tmp, { recursive: true, force: true }));

const SUITES: Record<BuiltInAdapterId, () => Promise<{ suite: ConformanceSuite; close(): Promise<void> }>> = {
  excel: async () => ({ suite: await excelSuite(tmp), close: async () => {} }),
  rest: restSuite,
  soap: soapSuite,
  oneroster: oneRosterSuite,
};

// Checks a suite cannot exercise: the Excel adapter has no secret in its config.
const NOT_APPLICABLE: Partial<Record<BuiltInAdapterId, string[]>> = { excel: ['secrets'] };

describe('conformance of the built-in adapters', () => {
  it('has a suite for every built-in adapter', () => {
    expect(Object.keys(SUITES).sort()).toEqual([...BUILT_IN_ADAPTERS].sort());
  });

  for (const id of BUILT_IN_ADAPTERS) {
    it(`${id} passes every check of the kit`, async () => {
      const adapter = await loadBuiltInAdapter(id);
      const { suite, close } = await SUITES[id]();
      try {
        const report = await runConformance(adapter, suite, { asOf: new Date('2026-11-27T00:00:00Z') });
        expect(report.checks.filter((c) => c.status === 'failed').map((c) => `${c.id}: ${c.detail}`)).toEqual(
          [],
        );
        expect(report.checks.filter((c) => c.status === 'skipped').map((c) => c.id)).toEqual(
          NOT_APPLICABLE[id] ?? [],
        );
      } finally {
        await close();
      }
    }, 120_000);
  }
});
