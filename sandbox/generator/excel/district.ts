/**
 * writeDistrictExcel: the synthetic district as the spreadsheets its schools would hand over —
 * per school a C1-HocSinh student list, a CSDL_GiaoVien staff list, a grade book per class, a
 * timetable and a fee list — written from the generator's canonical JSONL (generated first, as
 * usual, into `outDir`), into `outDir/excel/`. The generator's own faults carry over to the cells
 * they sit in, and cell-level faults may be added; `excel/defects.json` lists every one with the
 * file, sheet, row, column, field and code a check must report.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type {
  Assessment,
  FeeItem,
  Receivable,
  School,
  Student,
  Teacher,
  TimetableSlot,
} from '../../../src/model/records.ts';
import { RULES } from '../../../src/model/rule-catalogue.ts';
import { schoolCalendar } from '../calendar.ts';
import type { DefectEntry } from '../defects.ts';
import { type GenerateOptions, type GenerationSummary, generateDistrict } from '../district.ts';
import { DEFECTS_FILE, streamFile } from '../streams.ts';
import { writeFeesWorkbook } from './fees.ts';
import { type GradeCell, writeGradeBook } from './gradebook.ts';
import { Groups, jsonlLines } from './jsonl.ts';
import {
  C1_SHEET,
  CELL_FAULTS,
  type CellFault,
  c1Column,
  cellFaultFor,
  type ExcelDefect,
  fitsC1,
  startC1Sheet,
  writeC1Row,
  writeEthnicityCatalogue,
} from './students.ts';
import { writeTeachersWorkbook } from './teachers.ts';
import { writeTimetableWorkbook } from './timetable.ts';
import { openWorkbook } from './workbook.ts';

export interface ExcelDistrictOptions extends GenerateOptions {
  /** Share of students (0–1) given one cell-level fault in the C1 list; default 0. */
  excelDefects?: number;
}

export interface ExcelDistrictSummary extends GenerationSummary {
  /** Workbooks written, relative to `outDir`. */
  excelFiles: string[];
  /** Faults listed in `excel/defects.json`. */
  excelDefects: number;
}

export const EXCEL_DIR = 'excel';

/** Generator faults whose record is not written to a spreadsheet (learning results). */
const NOT_IN_EXCEL = new Set(['learning-results.jsonl']);

async function readDefects(outDir: string): Promise<Map<string, DefectEntry[]>> {
  const byLine = new Map<string, DefectEntry[]>();
  const entries = JSON.parse(await readFile(join(outDir, DEFECTS_FILE), 'utf8')) as DefectEntry[];
  for (const d of entries) {
    if (NOT_IN_EXCEL.has(d.file)) continue;
    const key = `${d.file}:${d.line}`;
    const list = byLine.get(key) ?? [];
    byLine.set(key, list);
    list.push(d);
  }
  return byLine;
}

/**
 * Generates a district and writes it as spreadsheets.
 *
 * @example
 * const summary = await writeDistrictExcel({ outDir: 'out/district', schools: 1, seed: 1, defects: 0.02, excelDefects: 0.02 });
 * summary.excelFiles // ['excel/79NB0001/C1-HocSinh.xlsx', …]
 */
export async function writeDistrictExcel(options: ExcelDistrictOptions): Promise<ExcelDistrictSummary> {
  const summary = await generateDistrict(options);
  const { outDir } = options;
  const calendar = schoolCalendar(summary.schoolYear);
  const created = new Date(calendar.pulledAt);
  const excelRate = options.excelDefects ?? 0;
  const defects = await readDefects(outDir);
  const listed: ExcelDefect[] = [];
  const files: string[] = [];
  const path = (s: string) => join(outDir, streamFile(s as never));

  const schools = jsonlLines<School>(path('schools'));
  const students = new Groups(
    jsonlLines<Student>(path('students'))[Symbol.asyncIterator](),
    (s) => s.schoolCode,
  );
  const teachers = new Groups(
    jsonlLines<Teacher>(path('teachers'))[Symbol.asyncIterator](),
    (t) => t.schoolCode,
  );
  const assessments = new Groups(
    jsonlLines<Assessment>(path('assessments'))[Symbol.asyncIterator](),
    (a) => `${a.schoolCode}|${a.className}`,
  );
  const timetable = new Groups(
    jsonlLines<TimetableSlot>(path('timetable'))[Symbol.asyncIterator](),
    (t) => t.schoolCode,
  );
  const fees = new Groups(
    jsonlLines<FeeItem | Receivable>(path('fees'))[Symbol.asyncIterator](),
    (f) => f.schoolCode,
  );

  for await (const { record: school } of schools) {
    const code = school.schoolCode;
    const dir = join(outDir, EXCEL_DIR, code);
    await mkdir(dir, { recursive: true });
    const rel = (name: string) => `${EXCEL_DIR}/${code}/${name}`;

    // Students: the C1 list, and names and classes for the other sheets.
    const known = new Map<string, { fullName: string; className?: string }>();
    const studentLines = await students.take(code);
    if (studentLines.length > 0) {
      const name = 'C1-HocSinh.xlsx';
      const wb = openWorkbook(join(dir, name), { created });
      const sheet = startC1Sheet(wb, { schoolName: school.name, schoolYear: summary.schoolYear });
      for (const { line, record: s } of studentLines) {
        known.set(s.studentCode, {
          fullName: s.fullName,
          ...(s.className ? { className: s.className } : {}),
        });
        const carried = defects.get(`students.jsonl:${line}`) ?? [];
        if (!fitsC1(s)) continue;
        const fault: CellFault | undefined =
          carried.length === 0 ? cellFaultFor(options.seed, line, excelRate) : undefined;
        const row = writeC1Row(sheet, s, calendar.start, fault);
        const at = { file: rel(name), sheet: C1_SHEET, row };
        for (const d of carried) {
          listed.push({
            ...at,
            column: c1Column(d.field, s),
            field: d.field,
            code: d.code,
            level: levelOf(d.code),
            type: d.type,
            key: d.key,
          });
        }
        if (fault) {
          const f = CELL_FAULTS[fault];
          listed.push({
            ...at,
            column: c1Column(f.field),
            field: f.field,
            code: f.code,
            level: f.level,
            type: fault,
            key: s.key,
          });
        }
      }
      sheet.ws.commit();
      writeEthnicityCatalogue(wb);
      await wb.commit();
      files.push(rel(name));
    }

    const staff = (await teachers.take(code)).map((l) => l.record);
    if (staff.length > 0) {
      const name = 'CSDL_GiaoVien.xlsx';
      await writeTeachersWorkbook({
        teachers: staff,
        output: join(dir, name),
        schoolName: school.name,
        schoolYear: summary.schoolYear,
        created,
      });
      files.push(rel(name));
    }

    // Grade books, class by class, in the order the students came.
    const classes = [
      ...new Set(studentLines.flatMap((l) => (l.record.className ? [l.record.className] : []))),
    ];
    for (const className of classes) {
      const group = await assessments.take(`${code}|${className}`);
      if (group.length === 0) continue;
      const name = `SoDiem-${className}.xlsx`;
      const lineOf = new Map<Assessment, number>(group.map((l) => [l.record, l.line]));
      await writeGradeBook({
        assessments: group.map(({ record }) => ({
          a: record,
          fullName: known.get(record.studentCode)?.fullName ?? '',
        })),
        output: join(dir, name),
        created,
        onRow: (a: Assessment, cell: GradeCell) => {
          for (const d of defects.get(`assessments.jsonl:${lineOf.get(a)}`) ?? []) {
            listed.push({
              file: rel(name),
              sheet: cell.sheet,
              row: cell.row,
              column: cell.columns[d.field] ?? null,
              field: d.field,
              code: d.code,
              level: levelOf(d.code),
              type: d.type,
              key: d.key,
            });
          }
        },
      });
      files.push(rel(name));
    }

    const slots = (await timetable.take(code)).map((l) => l.record);
    if (slots.length > 0) {
      const name = 'TKB.xlsx';
      await writeTimetableWorkbook({ slots, output: join(dir, name), schoolName: school.name, created });
      files.push(rel(name));
    }

    const feeRecords = (await fees.take(code)).map((l) => l.record);
    const receivables = feeRecords.filter((f): f is Receivable => f.type === 'receivable');
    if (receivables.length > 0) {
      const name = 'KhoanThu.xlsx';
      await writeFeesWorkbook({
        items: feeRecords.filter((f): f is FeeItem => f.type === 'feeItem'),
        receivables,
        students: known,
        output: join(dir, name),
        schoolName: school.name,
        schoolYear: summary.schoolYear,
        created,
      });
      files.push(rel(name));
    }
  }

  await writeFile(join(outDir, EXCEL_DIR, 'defects.json'), `${JSON.stringify(listed, null, 2)}\n`);
  return { ...summary, excelFiles: files, excelDefects: listed.length };
}

const levelOf = (code: string): 'error' | 'warning' =>
  (RULES as Record<string, { severity: 'error' | 'warning' }>)[code]?.severity ?? 'error';
