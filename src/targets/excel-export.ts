/**
 * The city Education DB's Excel upload: one school's canonical records (JSONL, as `edubridge
 * import --out` or the sandbox generator writes them, a district in one file or several) written
 * as a MOET template (`C1-HocSinh`, `CSDL_GiaoVien`, `KetQuaHocTap`) ready to upload.
 *
 * The JSONL is read line by line; only the chosen school's records of the types the template
 * needs are kept (a student's row needs their enrollment and guardians, which may come anywhere in
 * the files). Rows are written through exceljs's streaming WorkbookWriter and committed one by
 * one, into a temporary file renamed into place at the end, so a failed export leaves no half file.
 * A record that cannot become a row is returned with its key, field and reason, never dropped.
 *
 * After the data sheet come the code-list sheets the template carries (`DM_DanToc`, `DM_TinhThanh`,
 * the statuses, the school's classes …, `templates/code-lists.ts`), and the data sheet's columns
 * that take a listed value get a dropdown pointing at their list (a score column a 0–10 check),
 * on the rows written and VALIDATED_SPARE_ROWS more for rows a school adds in Excel.
 */
import { createReadStream } from 'node:fs';
import { readdir, rename, rm, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { createInterface } from 'node:readline';
import ExcelJS from 'exceljs';
import {
  type CodeListSheet,
  type ResultPeriod,
  SchoolRecords,
  type SkippedRecord,
  TEMPLATES,
  type TemplateColumn,
  type TemplateContext,
  type TemplateId,
} from '../../mappings/city-edudb/v1/templates/index.ts';
import {
  type CanonicalRecord,
  type ErrorCode,
  errorText,
  RECORD_SCHEMAS,
  type RecordType,
  type ValuesOf,
} from '../model/index.ts';

/** An input the export cannot use as given (no such file, no such school or year, nothing to write). */
export class ExportInputError extends Error {
  readonly code: string;
  readonly vi: string;
  readonly en: string;
  constructor(code: string, vi: string, en: string) {
    super(`${vi} / ${en}`);
    this.name = 'ExportInputError';
    this.code = code;
    this.vi = vi;
    this.en = en;
  }
}

/** The export's error of a catalogued code, its text the catalogue's. */
function inputError<C extends ErrorCode>(code: C, values: ValuesOf<C>): ExportInputError {
  const text = errorText(code, values);
  return new ExportInputError(code, text.vi, text.en);
}

export interface ExcelExportOptions {
  template: TemplateId;
  schoolCode: string;
  /** Canonical JSONL files (see `listJsonlFiles` for a directory). */
  inputs: readonly string[];
  /** The `.xlsx` to write. */
  out: string;
  /** Default: the latest school year the school's records name. */
  schoolYear?: string;
  /** KetQuaHocTap: the period (default the whole year). */
  period?: ResultPeriod;
  /** The workbook's creation date (default now). */
  created?: Date;
  onProgress?: (progress: { bytes: number; totalBytes: number }) => void;
}

export interface ExcelExportResult {
  template: TemplateId;
  schoolCode: string;
  schoolYear: string | undefined;
  /** Data rows written. */
  rows: number;
  /** Records that could not be written, with where to fix them. */
  skipped: SkippedRecord[];
  /** The school's records read for the template. */
  records: number;
}

/** The record type a template's rows are made of: without any, there is nothing to export. */
const ROWS_FROM: Record<TemplateId, RecordType> = {
  'C1-HocSinh': 'student',
  CSDL_GiaoVien: 'teacher',
  KetQuaHocTap: 'assessment',
};

const SCHOOL_YEAR = /^\d{4}-\d{4}$/;
/** The type a line written by JSON.stringify starts with, read without parsing the line. */
const LEADING_TYPE = /^\{"type":"([A-Za-z]+)"/;
const SCHOOL_YEAR_FIELD = /"schoolYear":"(\d{4}-\d{4})"/;

/** The JSONL files a path names: the file itself, or every `*.jsonl` under a directory, sorted. */
export async function listJsonlFiles(path: string): Promise<string[]> {
  let info: Awaited<ReturnType<typeof stat>>;
  try {
    info = await stat(path);
  } catch {
    throw inputError('FILE_NOT_FOUND', { path });
  }
  if (info.isFile()) return [path];
  const entries = await readdir(path, { recursive: true, withFileTypes: true });
  const files = entries
    .filter((e) => e.isFile() && e.name.endsWith('.jsonl'))
    .map((e) => join(e.parentPath, e.name))
    .sort();
  if (files.length === 0) {
    throw inputError('INPUT_EMPTY', { path });
  }
  return files;
}

interface Collected {
  school: SchoolRecords;
  skipped: SkippedRecord[];
  /** Lines of the school, of any type. */
  seen: number;
  /** Lines of the school by wanted type, readable or not. */
  counts: Map<RecordType, number>;
  /** School years named by the school's records of other types (a staff list has none of its own). */
  otherYears: Set<string>;
}

/** The record parsed by its type's schema (defaults applied), or the first problem with it. */
function parseRecord(
  input: unknown,
  type: RecordType,
): { record: CanonicalRecord } | { field: string; message: string } {
  const parsed = RECORD_SCHEMAS[type].safeParse(input);
  if (parsed.success) return { record: parsed.data as CanonicalRecord };
  const issue = parsed.error.issues[0]!;
  return { field: issue.path.map(String).join('.'), message: issue.message };
}

/** Reads the inputs once, keeping the school's records of the wanted types. */
async function collect(options: ExcelExportOptions, wanted: ReadonlySet<RecordType>): Promise<Collected> {
  const school = new SchoolRecords(options.schoolCode);
  const skipped: SkippedRecord[] = [];
  // A record of the school holds its code as a JSON string: other lines are passed over unparsed.
  const needle = JSON.stringify(options.schoolCode);
  const schoolField = `"schoolCode":${needle}`;
  const sizes = await Promise.all(options.inputs.map(async (f) => (await stat(f)).size));
  const totalBytes = sizes.reduce((a, b) => a + b, 0);
  let done = 0;
  let seen = 0;
  const counts = new Map<RecordType, number>();
  const otherYears = new Set<string>();
  for (const [i, file] of options.inputs.entries()) {
    const input = createReadStream(file, { encoding: 'utf8' });
    let line = 0;
    for await (const text of createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY })) {
      line++;
      if (line % 4096 === 0) options.onProgress?.({ bytes: done + input.bytesRead, totalBytes });
      if (!text.includes(needle)) continue;
      const leading = LEADING_TYPE.exec(text);
      if (leading && !wanted.has(leading[1] as RecordType)) {
        // A record the template does not read (most of a district's lines are assessments): only
        // its school year counts, for the title and the default year.
        if (text.includes(schoolField)) {
          seen++;
          const year = SCHOOL_YEAR_FIELD.exec(text);
          if (year) otherYears.add(year[1]!);
        }
        continue;
      }
      let value: Record<string, unknown>;
      try {
        value = JSON.parse(text) as Record<string, unknown>;
      } catch (cause) {
        skipped.push({
          key: `${basename(file)}:${line}`,
          field: '',
          reason: `Dòng không phải JSON hợp lệ (${(cause as Error).message}) / The line is not valid JSON (${(cause as Error).message})`,
        });
        continue;
      }
      if (value === null || typeof value !== 'object' || value.schoolCode !== options.schoolCode) continue;
      seen++;
      const type = value.type as RecordType;
      if (!wanted.has(type)) {
        if (typeof value.schoolYear === 'string' && SCHOOL_YEAR.test(value.schoolYear)) {
          otherYears.add(value.schoolYear);
        }
        continue;
      }
      counts.set(type, (counts.get(type) ?? 0) + 1);
      const parsed = parseRecord(value, type);
      if ('field' in parsed) {
        skipped.push({
          key: typeof value.key === 'string' ? value.key : `${basename(file)}:${line}`,
          field: parsed.field,
          reason: `Bản ghi ${type} không đúng mô hình chuẩn: ${parsed.message} / The ${type} record does not fit the canonical model: ${parsed.message}`,
        });
        continue;
      }
      school.add(parsed.record);
    }
    done += sizes[i]!;
    options.onProgress?.({ bytes: done, totalBytes });
  }
  return { school, skipped, seen, counts, otherYears };
}

/** School codes the inputs hold, for the message when the asked one is not there. */
async function schoolCodesIn(inputs: readonly string[], max = 20): Promise<string[]> {
  const codes = new Set<string>();
  const pattern = /"schoolCode":"([^"\\]{1,50})"/;
  for (const file of inputs) {
    const input = createReadStream(file, { encoding: 'utf8' });
    for await (const text of createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY })) {
      const m = pattern.exec(text);
      if (m) codes.add(m[1]!);
      if (codes.size >= max) {
        input.destroy();
        return [...codes];
      }
    }
  }
  return [...codes].sort();
}

/** The year asked for, else the latest the template's own records name, else the latest of any. */
function schoolYearOf(
  options: ExcelExportOptions,
  school: SchoolRecords,
  otherYears: ReadonlySet<string>,
): string | undefined {
  const years = [...new Set([...school.schoolYears, ...otherYears])].sort();
  if (options.schoolYear === undefined) {
    return school.schoolYears.size > 0 ? [...school.schoolYears].sort().at(-1) : years.at(-1);
  }
  if (years.length > 0 && !years.includes(options.schoolYear)) {
    throw inputError('SCHOOL_YEAR_NOT_FOUND', {
      school: options.schoolCode,
      year: options.schoolYear,
      found: years.join(', '),
    });
  }
  return options.schoolYear;
}

const BOLD = { bold: true } as const;
const HEADER_FILL = { type: 'pattern' as const, pattern: 'solid' as const, fgColor: { argb: 'FFDDEBF7' } };
const THIN = { style: 'thin' as const };
const BORDER = { top: THIN, left: THIN, bottom: THIN, right: THIN };

/** Rows below the last written one that keep the dropdowns, for rows a school adds in Excel. */
export const VALIDATED_SPARE_ROWS = 200;

/** `1` → `A`, `27` → `AA`. */
function columnLetter(col: number): string {
  let n = col;
  let s = '';
  while (n > 0) {
    s = String.fromCharCode(65 + ((n - 1) % 26)) + s;
    n = Math.floor((n - 1) / 26);
  }
  return s;
}

/** A dropdown of a code-list sheet's values. Excel bounds the title to 32 characters, the text to 255. */
function listValidation(list: CodeListSheet): ExcelJS.DataValidation {
  const col = columnLetter(list.valueColumn);
  return {
    type: 'list',
    allowBlank: true,
    formulae: [`${list.sheet}!$${col}$2:$${col}$${list.rows.length + 1}`],
    showErrorMessage: true,
    errorStyle: list.errorStyle ?? 'stop',
    errorTitle: 'Không có trong danh mục',
    error: `Chọn ${list.title.vi} trong danh sách (trang ${list.sheet}) / Choose a ${list.title.en} from the list (sheet ${list.sheet})`,
  };
}

function scoreValidation({ min, max }: { min: number; max: number }): ExcelJS.DataValidation {
  return {
    type: 'decimal',
    operator: 'between',
    allowBlank: true,
    formulae: [min, max],
    showErrorMessage: true,
    errorStyle: 'stop',
    errorTitle: 'Điểm không hợp lệ',
    error: `Điểm là số từ ${min} đến ${max}, ví dụ 7,5 / A score is a number from ${min} to ${max}, e.g. 7.5`,
  };
}

/** The dropdowns (and score checks) of the data rows, and of spare rows below them. */
function addValidations(
  ws: ExcelJS.Worksheet,
  columns: readonly TemplateColumn[],
  firstRow: number,
  lastRow: number,
): void {
  // The sheet's data validations, which exceljs 4.4 has but its typings do not declare.
  const { dataValidations } = ws as unknown as {
    dataValidations: { add(range: string, validation: ExcelJS.DataValidation): void };
  };
  columns.forEach((c, i) => {
    const letter = columnLetter(i + 1);
    const range = `${letter}${firstRow}:${letter}${lastRow}`;
    if (c.list) dataValidations.add(range, listValidation(c.list));
    else if (c.between) dataValidations.add(range, scoreValidation(c.between));
  });
}

/** A code-list sheet: its header (bold, frozen), then a row per value. */
function writeCodeList(workbook: ExcelJS.stream.xlsx.WorkbookWriter, list: CodeListSheet): void {
  const ws = workbook.addWorksheet(list.sheet, { views: [{ state: 'frozen', ySplit: 1 }] });
  ws.columns = list.header.map((h, i) => ({
    width: Math.min(60, Math.max(h.length, ...list.rows.map((r) => (r[i] ?? '').length)) + 2),
  }));
  const header = ws.addRow([...list.header]);
  header.eachCell((cell) => {
    cell.font = BOLD;
    cell.fill = HEADER_FILL;
    cell.border = BORDER;
  });
  header.commit();
  for (const row of list.rows) ws.addRow([...row]).commit();
  ws.commit();
}

/**
 * Writes the workbook: title rows merged across the table, a blank row, the bold header (frozen),
 * then the rows as they come, with dropdowns on the columns a code list fills; then the code-list
 * sheets. Returns the rows written and the records skipped on the way.
 */
async function writeWorkbook(
  path: string,
  sheet: string,
  titles: readonly string[],
  columns: readonly TemplateColumn[],
  rows: Iterable<{ cells: ReadonlyArray<string | number | null> } | { skipped: SkippedRecord }>,
  codeLists: readonly CodeListSheet[],
  created: Date,
): Promise<{ rows: number; skipped: SkippedRecord[] }> {
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({
    filename: path,
    useStyles: true,
    // Excel's own files keep text in one shared table; some upload parsers read nothing else.
    useSharedStrings: true,
  });
  workbook.creator = 'EduBridge';
  workbook.created = created;
  workbook.modified = created;
  const width = columns.length;
  const headerRow = titles.length + 2;
  const ws = workbook.addWorksheet(sheet, { views: [{ state: 'frozen', ySplit: headerRow }] });
  ws.columns = columns.map((c) => ({ width: c.width ?? 12 }));
  for (const [i, title] of titles.entries()) {
    const r = ws.addRow([title]);
    r.font = BOLD;
    if (width > 1) ws.mergeCells(i + 1, 1, i + 1, width);
    r.commit();
  }
  ws.addRow([]).commit();
  const header = ws.addRow(columns.map((c) => c.header));
  header.eachCell((cell) => {
    cell.font = BOLD;
    cell.fill = HEADER_FILL;
    cell.border = BORDER;
    cell.alignment = { vertical: 'middle', horizontal: 'center', wrapText: true };
  });
  header.commit();
  const formats = columns.map((c) => c.numFmt);
  let written = 0;
  const skipped: SkippedRecord[] = [];
  for (const row of rows) {
    if ('skipped' in row) {
      skipped.push(row.skipped);
      continue;
    }
    const r = ws.addRow([...row.cells]);
    formats.forEach((numFmt, i) => {
      if (numFmt && typeof row.cells[i] === 'number') r.getCell(i + 1).numFmt = numFmt;
    });
    r.commit();
    written++;
  }
  addValidations(ws, columns, headerRow + 1, headerRow + written + VALIDATED_SPARE_ROWS);
  ws.commit();
  for (const list of codeLists) writeCodeList(workbook, list);
  await workbook.commit();
  return { rows: written, skipped };
}

/**
 * Exports one school's records as a MOET template.
 *
 * @example
 * const result = await exportExcelTemplate({
 *   template: 'C1-HocSinh', schoolCode: '79NB0001', inputs: ['out/district/students.jsonl', …], out: 'C1-HocSinh.xlsx',
 * });
 * result.rows; // students written
 * result.skipped; // [{ key: 'sandbox-79nb0001:student-…', field: 'className', reason: '… / …' }]
 */
export async function exportExcelTemplate(options: ExcelExportOptions): Promise<ExcelExportResult> {
  const template = TEMPLATES[options.template];
  const wanted = new Set<RecordType>(['school', ...template.recordTypes]);
  const { school, skipped: unreadable, seen, counts, otherYears } = await collect(options, wanted);
  if (seen === 0) {
    const codes = await schoolCodesIn(options.inputs);
    const list = codes.length > 0 ? codes.join(', ') : '—';
    throw inputError('SCHOOL_NOT_FOUND', { school: options.schoolCode, found: list });
  }
  const rowsFrom = ROWS_FROM[options.template];
  if (!counts.get(rowsFrom)) {
    throw inputError('NOTHING_TO_EXPORT', {
      kind: rowsFrom,
      school: options.schoolCode,
      template: options.template,
    });
  }
  const schoolYear = schoolYearOf(options, school, otherYears);
  const ctx: TemplateContext = {
    schoolCode: options.schoolCode,
    ...(school.school ? { school: school.school } : {}),
    ...(schoolYear ? { schoolYear } : {}),
    period: options.period ?? 'year',
  };
  const partial = `${options.out}.partial`;
  try {
    const result = await writeWorkbook(
      partial,
      template.sheet,
      template.titles(ctx),
      template.columns(school, ctx),
      template.rows(school, ctx),
      template.codeLists(school, ctx),
      options.created ?? new Date(),
    );
    await rename(partial, options.out);
    return {
      template: options.template,
      schoolCode: options.schoolCode,
      schoolYear,
      rows: result.rows,
      skipped: [...unreadable, ...result.skipped],
      records: school.count(),
    };
  } catch (error) {
    await rm(partial, { force: true });
    throw error;
  }
}
