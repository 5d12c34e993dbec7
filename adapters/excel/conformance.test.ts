/**
 * The project's conformance kit, run against the excel adapter with its suite.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { runConformance } from '../../src/sdk/conformance/index.ts';
import { excelSuite } from './conformance.ts';
import excel from './index.ts';

let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'edubridge-excel-conformance-'));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

it('passes every conformance check that applies (it has no secrets to check)', async () => {
  const report = await runConformance(excel, await excelSuite(tmp), {
    asOf: new Date('2026-11-27T00:00:00Z'),
  });
  const failed = report.checks.filter((c) => c.status === 'failed').map((c) => `${c.id}: ${c.detail}`);
  expect(failed).toEqual([]);
  expect(report.checks.filter((c) => c.status === 'skipped').map((c) => c.id)).toEqual(['secrets']);
  expect(report.checks.find((c) => c.id === 'incremental')?.detail).toBe('2 changed, 1 deleted of 4');
}, 60_000);
