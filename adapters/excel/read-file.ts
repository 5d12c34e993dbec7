/**
 * One file's records: each sheet's header is found, its rows mapped by the file kind's layout, and
 * every row that cannot be mapped comes back as a rejection naming its cell. A file in which no
 * sheet has the header stops the read (`HEADER_MISSING`): nothing in it can be trusted to be what
 * the config says.
 */
import type { Source } from '../../src/model/index.ts';
import {
  type AdapterLogger,
  type DateFormat,
  fold,
  type InputLimits,
  PermanentError,
  recordSource,
  VIETNAMESE_DATE_FORMATS,
} from '../../src/sdk/index.ts';
import { columnLetter, rowTexts, type SheetRow } from './cells.ts';
import { SubjectNames } from './codes.ts';
import type { ExcelConfig, FileKind, FileSpec } from './config.ts';
import { findHeader, HEADER_SCAN_ROWS, HeaderIndex, headerMissing } from './header.ts';
import { feesLayout } from './layouts/fees.ts';
import { gradesLayout } from './layouts/grades.ts';
import type { TabularLayout } from './layouts/layout.ts';
import { resultsLayout } from './layouts/results.ts';
import { studentsLayout } from './layouts/students.ts';
import { teachersLayout } from './layouts/teachers.ts';
import { readTimetableSheet } from './layouts/timetable.ts';
import { type Mapped, RowView, type SheetEnv, textDateParser } from './rows.ts';
import { fileEmpty, fileNameOf, openSheets, type Sheet } from './sheets.ts';
import { TableEnd } from './table-end.ts';
import { readTitles } from './titles.ts';

export const TABULAR_LAYOUTS: Record<Exclude<FileKind, 'timetable'>, TabularLayout> = {
  students: studentsLayout,
  teachers: teachersLayout,
  grades: gradesLayout,
  results: resultsLayout,
  fees: feesLayout,
};

/** The header a file of this layout must have, with the school profile's own names. */
export function headerIndexOf(layout: TabularLayout, config: ExcelConfig): HeaderIndex {
  return new HeaderIndex(layout.headerFor?.(config.profile) ?? layout.header, config.profile.columns);
}

/** What reading a file needs besides the file. */
export interface FileReadEnv {
  config: ExcelConfig;
  system: string;
  adapter: { id: string; version: string };
  pulledAt: Date;
  logger: AdapterLogger;
  signal: AbortSignal;
  /** The hub's bounds on what is parsed (`inputLimits(ctx)`). */
  limits: InputLimits;
}

export interface FileSummary {
  sheets: string[];
  /** Sheets whose header was found. */
  read: string[];
  /** Whether any row under a header was a record (or a rejection). */
  records: boolean;
  /** Whether any sheet holds any cell at all. */
  cells: boolean;
}

export function dateFormatsOf(config: ExcelConfig): readonly DateFormat[] {
  const f = config.profile.dateFormat;
  return f ? [f, 'excel-serial'] : VIETNAMESE_DATE_FORMATS;
}

/** Canonical paths of the fields a header maps, for the `excel header` log line. */
const CANONICAL: Record<string, string> = {
  ethnicity: 'ethnicityCode',
  subjects: 'subjectCodes',
  subject: 'subjectCode',
  amount: 'items.amount',
  feeCode: 'items.feeCode',
  feeName: 'items.feeCode',
  familyPhone: 'guardians.phone',
};
export function canonicalField(field: string): string {
  const m = /^(father|mother|guardian)\.(.+)$/.exec(field);
  if (m) return `guardians[${m[1]}].${m[2]}`;
  const r = /^regular\.(\d)$/.exec(field);
  if (r) return `regular.${Number(r[1]) - 1}`;
  // A learning result's subject column: its index in `subjects` differs from row to row.
  const subject = /^subject\.(.+)$/.exec(field);
  if (subject) return `subjects[${subject[1]}]`;
  return CANONICAL[field] ?? field;
}

function sheetWanted(file: FileSpec, sheet: Sheet): boolean {
  if (file.sheet) return fold(sheet.name) === fold(file.sheet);
  return !sheet.hidden;
}

/** A file with a header and no row under it. */
export function fileHasNoRows(file: string, sheets: readonly string[]): PermanentError {
  const where = sheets.join(', ');
  return new PermanentError(
    'FILE_HAS_NO_ROWS',
    `Tệp "${file}" chỉ có dòng tiêu đề, không có dòng dữ liệu nào (trang tính: ${where}); có thể đã xuất nhầm mẫu trống: hãy xuất lại từ phần mềm của trường / "${file}" has the header but no data rows (sheets: ${where}); perhaps an empty template was exported: export it again from the school's software`,
  );
}

/** The sheet, noting in `seen` once any of its rows holds a cell with something in it. */
function withCells(sheet: Sheet, seen: { cells: boolean }): Sheet {
  if (seen.cells) return sheet;
  const rows = sheet.rows;
  return {
    ...sheet,
    rows: {
      async *[Symbol.asyncIterator]() {
        for await (const batch of rows) {
          if (!seen.cells && batch.some((row) => rowTexts(row).length > 0)) seen.cells = true;
          yield batch;
        }
      },
    },
  };
}

/** Reads a sheet's first batches, enough to find its header; returns every row they hold. */
async function head(iterator: AsyncIterator<SheetRow[]>, headerRow: number | undefined): Promise<SheetRow[]> {
  const rows: SheetRow[] = [];
  const last = headerRow !== undefined ? headerRow + 1 : HEADER_SCAN_ROWS;
  while (rows.length === 0 || rows.at(-1)!.n < last) {
    const next = await iterator.next();
    if (next.done) break;
    rows.push(...next.value);
  }
  return rows;
}

/** The rows of a sheet one by one: those already read, then the rest. */
async function* oneByOne(
  first: readonly SheetRow[],
  iterator: AsyncIterator<SheetRow[]>,
): AsyncGenerator<SheetRow> {
  yield* first;
  for (;;) {
    const next = await iterator.next();
    if (next.done) return;
    yield* next.value;
  }
}

function sourceFactory(env: FileReadEnv): (location: string) => Source {
  const pulledAt = env.pulledAt;
  return (location) => recordSource(env.adapter, env.config.schoolCode, pulledAt, location);
}

async function* readTabularSheet(
  layout: TabularLayout,
  index: HeaderIndex,
  sheet: Sheet,
  fileName: string,
  env: FileReadEnv,
  subjects: SubjectNames,
): AsyncGenerator<
  Mapped[],
  { found: boolean; best: { row: number; columns: Map<string, number> } | null; records?: boolean }
> {
  const iterator = sheet.rows[Symbol.asyncIterator]();
  try {
    const first = await head(iterator, env.config.profile.headerRow);
    const last =
      env.config.profile.headerRow !== undefined ? env.config.profile.headerRow + 1 : HEADER_SCAN_ROWS;
    const search = findHeader(
      first.filter((r) => r.n <= last),
      index,
      env.config.profile.headerRow,
    );
    if (!search.found) return { found: false, best: search.best };
    const { header } = search;
    const sheetEnv: SheetEnv = {
      fileName,
      sheet: sheet.name,
      header,
      titles: readTitles(
        first.filter((r) => r.n < header.row),
        sheet.name,
      ),
      config: env.config,
      system: env.system,
      subjects,
      dateFormats: dateFormatsOf(env.config),
      parseText: textDateParser(dateFormatsOf(env.config)),
      source: sourceFactory(env),
    };
    env.logger.info('excel header', {
      file: fileName,
      sheet: sheet.name,
      row: header.row,
      ...(sheet.meta.lastRow !== undefined ? { lastRow: sheet.meta.lastRow } : {}),
      columns: Object.fromEntries(
        [...header.columns].map(([field, col]) => [canonicalField(field), columnLetter(col)]),
      ),
      headers: Object.fromEntries(
        [...header.columns].map(([field, col]) => [canonicalField(field), header.texts.get(col)]),
      ),
    });
    const mapper = layout.start(sheetEnv);
    const end = new TableEnd(header);
    let skipped = 0;
    const map = (rows: readonly SheetRow[]): Mapped[] => {
      const out: Mapped[] = [];
      for (const row of rows) {
        if (row.n < header.dataRow) continue;
        const view = new RowView(sheetEnv, row);
        if (end.classify(view) !== 'record') {
          skipped++;
          continue;
        }
        const mapped = mapper.row(view);
        if (mapped === undefined) continue;
        if (Array.isArray(mapped)) out.push(...(mapped as readonly Mapped[]));
        else out.push(mapped as Mapped);
      }
      return out;
    };
    const firstOut = map(first);
    if (firstOut.length > 0) yield firstOut;
    for (;;) {
      const next = await iterator.next();
      if (next.done) break;
      const out = map(next.value);
      if (out.length > 0) yield out;
    }
    if (mapper.end) {
      const rest = mapper.end();
      if (rest.length > 0) yield [...rest];
    }
    if (skipped > 0) {
      env.logger.debug('excel rows without data skipped', {
        file: fileName,
        sheet: sheet.name,
        rows: skipped,
        ...(end.interior > 0 ? { subtotals: end.interior } : {}),
      });
    }
    const facts = end.facts();
    // Where the table was taken to end, and the footer after it: `edubridge import` prints it
    // when rows after the table were left unread.
    if (facts) env.logger.info('excel table end', { file: fileName, sheet: sheet.name, ...facts });
    return { found: true, best: null, records: facts !== undefined };
  } finally {
    await iterator.return?.();
  }
}

/**
 * The records and rejections of one file, sheet by sheet.
 *
 * @example
 * for await (const batch of readFileRecords({ path: 'C1-HocSinh.xlsx', kind: 'students' }, env))
 *   for (const m of batch) console.log('record' in m ? m.record.key : m.error.location);
 */
export async function* readFileRecords(
  file: FileSpec,
  env: FileReadEnv,
): AsyncGenerator<Mapped[], FileSummary> {
  const fileName = fileNameOf(file.path);
  const subjects = new SubjectNames(env.config.profile.subjects);
  const summary: FileSummary = { sheets: [], read: [], records: false, cells: false };
  const layout = file.kind === 'timetable' ? null : TABULAR_LAYOUTS[file.kind];
  const index = layout ? headerIndexOf(layout, env.config) : null;
  let best: { row: number; columns: Map<string, number>; sheet: string } | null = null;
  for await (const sheet of openSheets(file.path, env.signal, env.limits)) {
    summary.sheets.push(sheet.name);
    if (!sheetWanted(file, sheet)) continue;
    const rows = withCells(sheet, summary);
    if (layout && index) {
      const result = yield* readTabularSheet(layout, index, rows, fileName, env, subjects);
      if (result.found) summary.read.push(sheet.name);
      if (result.records) summary.records = true;
      if (!result.found && result.best && (!best || result.best.columns.size > best.columns.size)) {
        best = { ...result.best, sheet: sheet.name };
      }
    } else {
      const iterator = rows.rows[Symbol.asyncIterator]();
      try {
        const lessons = readTimetableSheet(oneByOne(await head(iterator, undefined), iterator), {
          fileName,
          sheet: sheet.name,
          titles: readTitles([], sheet.name),
          config: env.config,
          system: env.system,
          subjects,
          dateFormats: dateFormatsOf(env.config),
          parseText: textDateParser(dateFormatsOf(env.config)),
          source: sourceFactory(env),
        });
        let next = await lessons.next();
        for (; !next.done; next = await lessons.next()) {
          if (next.value.length > 0) summary.records = true;
          yield next.value;
        }
        if (next.value.found) summary.read.push(sheet.name);
      } finally {
        await iterator.return?.();
      }
    }
  }
  if (file.sheet && !summary.sheets.some((s) => fold(s) === fold(file.sheet!))) {
    throw new PermanentError(
      'SHEET_NOT_FOUND',
      `Tệp "${fileName}" không có trang tính "${file.sheet}" (có: ${summary.sheets.join(', ')}) / "${fileName}" has no sheet "${file.sheet}" (it has: ${summary.sheets.join(', ')})`,
    );
  }
  // A file with nothing in it is said as such, not as a file without the columns.
  if (!summary.cells && !file.sheet) throw fileEmpty(fileName);
  if (summary.read.length === 0) {
    if (index) throw headerMissing(fileName, best?.sheet ?? file.sheet, index, best);
    throw new PermanentError(
      'HEADER_MISSING',
      `Không tìm thấy bảng thời khóa biểu trong "${fileName}": cần một dòng tiêu đề "Thứ 2 … Thứ 7" (hoặc "Tiết 1 … Tiết 5", hoặc "Thứ | Tiết | 6A1 | 6A2 …") / No timetable grid in "${fileName}": a header row "Thứ 2 … Thứ 7" (or "Tiết 1 … Tiết 5", or "Thứ | Tiết | 6A1 | 6A2 …") is needed`,
    );
  }
  // A header with no row under it: most often the wrong export (a template, a filter left on).
  // Reading it as "no records" would have a sync delete every record the file fed before.
  if (!summary.records) throw fileHasNoRows(fileName, summary.read);
  return summary;
}
