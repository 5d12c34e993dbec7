/**
 * The district as spreadsheets: what the generator writes is what the excel adapter reads back,
 * and every fault it lists is reported by `edubridge import` at its row and column.
 */
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import excel from '../../../adapters/excel/index.ts';
import { importFile } from '../../../src/cli/commands/import.ts';
import { readContext, silentLogger } from '../../../src/sdk/conformance/index.ts';
import { isSignal, parseAdapterConfig } from '../../../src/sdk/index.ts';
import { generateDistrict } from '../index.ts';
import { type ExcelDefect, type ExcelDistrictSummary, writeDistrictExcel } from './index.ts';

const OPTIONS = { schools: 1, seed: 11, defects: 0.06, classesPerGrade: 2, classSize: 18 };
const SCHOOL = '79NB0001';
let root: string;
let summary: ExcelDistrictSummary;
let defects: ExcelDefect[];

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'edubridge-excel-district-'));
  summary = await writeDistrictExcel({ outDir: join(root, 'district'), ...OPTIONS, excelDefects: 0.06 });
  defects = JSON.parse(
    await readFile(join(root, 'district', 'excel', 'defects.json'), 'utf8'),
  ) as ExcelDefect[];
}, 60_000);
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

const KIND_OF: Record<string, string> = {
  'C1-HocSinh.xlsx': 'students',
  'CSDL_GiaoVien.xlsx': 'teachers',
  'TKB.xlsx': 'timetable',
  'KhoanThu.xlsx': 'fees',
};
const STREAM_OF: Record<string, Parameters<typeof excel.read>[0]> = {
  students: 'students',
  teachers: 'teachers',
  grades: 'assessments',
  timetable: 'timetable',
  fees: 'fees',
};
const kindOf = (file: string) => KIND_OF[file] ?? 'grades';

async function jsonl(name: string): Promise<Array<Record<string, unknown>>> {
  return (await readFile(join(root, 'district', name), 'utf8'))
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

const withoutSource = (r: Record<string, unknown>) => {
  const { key, source: _source, ...rest } = r as { key: string; source: unknown };
  return [key.replace(/^[^:]+:/, ''), rest] as const;
};

describe('writeDistrictExcel', () => {
  it('leaves the JSONL district exactly as generateDistrict writes it', async () => {
    await generateDistrict({ outDir: join(root, 'plain'), ...OPTIONS });
    for (const file of ['students.jsonl', 'assessments.jsonl', 'fees.jsonl', 'defects.json']) {
      expect(await readFile(join(root, 'district', file), 'utf8')).toBe(
        await readFile(join(root, 'plain', file), 'utf8'),
      );
    }
  });

  it('writes each school’s C1 list, staff list, a grade book per class, a timetable and a fee list', async () => {
    const files = await readdir(join(root, 'district', 'excel', SCHOOL));
    expect(files.sort()).toEqual(
      [
        'C1-HocSinh.xlsx',
        'CSDL_GiaoVien.xlsx',
        'KhoanThu.xlsx',
        'TKB.xlsx',
        ...['6A1', '6A2', '7A1', '7A2', '8A1', '8A2', '9A1', '9A2'].map((c) => `SoDiem-${c}.xlsx`),
      ].sort(),
    );
    expect(summary.excelFiles).toHaveLength(files.length);
    expect(summary.excelDefects).toBe(defects.length);
  });

  it('writes records the adapter reads back unchanged, but for the rows given a cell fault', async () => {
    const expected = new Map<string, unknown>();
    for (const file of ['students', 'teachers', 'assessments', 'timetable', 'fees']) {
      for (const r of await jsonl(`${file}.jsonl`))
        if (r.type !== 'feeItem') expected.set(...withoutSource(r));
    }
    const dir = join(root, 'district', 'excel', SCHOOL);
    const files = await readdir(dir);
    const config = parseAdapterConfig(
      excel.configSchema,
      { schoolCode: SCHOOL, files: files.map((f) => ({ path: join(dir, f), kind: kindOf(f) })) },
      'excel',
    );
    // An ID typed as a number comes back as the 11 digits Excel kept (the rules restore the zero).
    for (const d of defects.filter((x) => x.type === 'personal_id_as_number')) {
      const id = d.key.replace(/^[^:]+:/, '');
      const student = expected.get(id) as { personalId: string };
      expected.set(id, { ...student, personalId: student.personalId.slice(1) });
    }
    const rejected: string[] = [];
    let read = 0;
    for (const stream of Object.values(STREAM_OF)) {
      const ctx = readContext(
        { logger: silentLogger, signal: new AbortController().signal, now: () => new Date() },
        config,
        undefined,
      );
      for await (const item of excel.read(stream, ctx)) {
        if (isSignal(item)) {
          if (item.kind === 'rejected') rejected.push(`${item.error.code} ${item.error.location}`);
          continue;
        }
        const [id, content] = withoutSource(item as unknown as Record<string, unknown>);
        expect(content, id).toEqual(expected.get(id));
        read++;
      }
    }
    const cellFaults = defects.filter((d) =>
      ['DATE_UNPARSEABLE', 'CODE_UNKNOWN', 'FIELD_MISSING'].includes(d.code),
    );
    expect(cellFaults.length).toBeGreaterThan(0);
    expect(rejected).toHaveLength(cellFaults.length);
    expect(read + rejected.length).toBe(expected.size);
  });

  it('lists every fault where `edubridge import` reports it: row, column, field and code, and nothing else', async () => {
    const asOf = new Date(`${summary.checkAsOf}T00:00:00Z`);
    const byFile = new Map<string, ExcelDefect[]>();
    for (const d of defects) byFile.set(d.file, [...(byFile.get(d.file) ?? []), d]);
    expect([...byFile.keys()]).toContain(`excel/${SCHOOL}/C1-HocSinh.xlsx`);
    const dir = join(root, 'district', 'excel', SCHOOL);
    for (const file of await readdir(dir)) {
      const result = await importFile(excel, {
        file: join(dir, file),
        kind: kindOf(file) as 'students',
        schoolCode: SCHOOL,
        asOf,
      });
      const got = result.issues.map((i) => `${i.row} ${i.column} ${i.field} ${i.code} ${i.level}`).sort();
      const want = (byFile.get(`excel/${SCHOOL}/${file}`) ?? [])
        .map((d) => `${d.row} ${d.column} ${d.field} ${d.code} ${d.level}`)
        .sort();
      expect(got, file).toEqual(want);
    }
  }, 60_000);
});
