/**
 * The validator on a generated district: every injected defect is reported at its file, line and
 * field, a clean district has no error, and the Excel report holds what the terminal shows.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateDistrict } from '../sandbox/generator/index.ts';
import type { DataQualityReport } from '../src/quality/report.ts';
import { writeReportXlsx } from '../src/quality/report-xlsx.ts';
import { validatePath } from '../src/quality/validate-files.ts';

const root = mkdtempSync(join(tmpdir(), 'edubridge-quality-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const asOf = new Date('2026-11-27T00:00:00Z');

describe('validatePath on a generated district', () => {
  let report: DataQualityReport;
  let defects: Array<{ file: string; line: number; field: string; code: string }>;

  beforeAll(async () => {
    const outDir = join(root, 'faulty');
    await generateDistrict({ outDir, schools: 1, seed: 7, defects: 0.1, classesPerGrade: 2 });
    defects = JSON.parse(readFileSync(join(outDir, 'defects.json'), 'utf8'));
    report = await validatePath(outDir, { asOf, maxProblems: 100_000 });
  });

  it('reports every injected defect at its file, line and field with its rule code', () => {
    expect(defects.length).toBeGreaterThan(12);
    for (const d of defects) {
      const hit = report.problems.find(
        (p) => p.file === d.file && p.line === d.line && p.code === d.code && p.field.startsWith(d.field),
      );
      expect(hit, `${d.file}:${d.line} ${d.code}`).toBeDefined();
    }
  });

  it('reports nothing that was not injected', () => {
    const injected = new Set(defects.map((d) => `${d.file}:${d.line}`));
    const stray = report.problems.filter((p) => !injected.has(`${p.file}:${p.line}`));
    expect(stray).toEqual([]);
  });

  it('counts records by type and rule', () => {
    expect(report.byType.student?.records).toBeGreaterThan(300);
    expect(report.byRule.PERSONAL_ID_PROVINCE?.count).toBe(
      defects.filter((d) => d.code === 'PERSONAL_ID_PROVINCE').length,
    );
    expect(report.totals.records).toBe(Object.values(report.byType).reduce((n, t) => n + t.records, 0));
  });

  it('writes the same report as an Excel workbook', async () => {
    const path = join(root, 'report.xlsx');
    await writeReportXlsx(report, path);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.readFile(path);
    expect(workbook.worksheets.map((w) => w.name)).toEqual([
      'Tổng hợp - Summary',
      'Quy tắc - Rules',
      'Chi tiết - Problems',
    ]);
    const problems = workbook.getWorksheet('Chi tiết - Problems')!;
    expect(problems.rowCount).toBe(report.problems.length + 1);
    const first = report.problems[0]!;
    expect(problems.getRow(2).values).toEqual(
      expect.arrayContaining([
        first.file,
        first.line,
        first.code,
        first.field,
        first.message.vi,
        first.message.en,
      ]),
    );
  });
});

describe('validatePath limits', () => {
  it('caps the problem list but keeps complete counts', async () => {
    const outDir = join(root, 'capped');
    await generateDistrict({
      outDir,
      schools: 1,
      seed: 3,
      defects: 0.3,
      classesPerGrade: 1,
      streams: ['students'],
    });
    const report = await validatePath(outDir, { asOf, maxProblems: 5 });
    const counted = Object.values(report.byRule).reduce((n, r) => n + r.count, 0);
    expect(report.problems).toHaveLength(5);
    expect(report.problemsNotListed).toBe(counted - 5);
  });

  it('finds no error in a clean district', async () => {
    const outDir = join(root, 'clean');
    await generateDistrict({ outDir, schools: 2, seed: 11, classesPerGrade: 1 });
    const report = await validatePath(outDir, { asOf });
    expect(report.totals.errors).toBe(0);
    expect(report.totals.warnings).toBe(0);
    expect(report.files.map((f) => f.file)).toContain('students.jsonl');
  });
});
