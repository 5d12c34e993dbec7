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
import { columnLetter, type SheetRow } from './cells.ts';
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
import { fileNameOf, openSheets, type Sheet } from './sheets.ts';
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
): AsyncGenerator<Mapped[], { found: boolean; best: { row: number; columns: Map<string, number> } | null }> {
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
    let skipped = 0;
    const map = (rows: readonly SheetRow[]): Mapped[] => {
      const out: Mapped[] = [];
      for (const row of rows) {
        if (row.n < header.dataRow) continue;
        const view = new RowView(sheetEnv, row);
        if (!view.hasData()) {
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
      });
    }
    return { found: true, best: null };
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
  const summary: FileSummary = { sheets: [], read: [] };
  const layout = file.kind === 'timetable' ? null : TABULAR_LAYOUTS[file.kind];
  const index = layout ? headerIndexOf(layout, env.config) : null;
  let best: { row: number; columns: Map<string, number>; sheet: string } | null = null;
  for await (const sheet of openSheets(file.path, env.signal, env.limits)) {
    summary.sheets.push(sheet.name);
    if (!sheetWanted(file, sheet)) continue;
    if (layout && index) {
      const result = yield* readTabularSheet(layout, index, sheet, fileName, env, subjects);
      if (result.found) summary.read.push(sheet.name);
      else if (result.best && (!best || result.best.columns.size > best.columns.size)) {
        best = { ...result.best, sheet: sheet.name };
      }
    } else {
      const iterator = sheet.rows[Symbol.asyncIterator]();
      try {
        const rows = oneByOne(await head(iterator, undefined), iterator);
        const result = yield* readTimetableSheet(rows, {
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
        if (result.found) summary.read.push(sheet.name);
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
  if (summary.read.length === 0) {
    if (index) throw headerMissing(fileName, best?.sheet ?? file.sheet, index, best);
    throw new PermanentError(
      'HEADER_MISSING',
      `Không tìm thấy bảng thời khóa biểu trong "${fileName}": cần một dòng tiêu đề "Thứ 2 … Thứ 7" (hoặc "Tiết 1 … Tiết 5", hoặc "Thứ | Tiết | 6A1 | 6A2 …") / No timetable grid in "${fileName}": a header row "Thứ 2 … Thứ 7" (or "Tiết 1 … Tiết 5", or "Thứ | Tiết | 6A1 | 6A2 …") is needed`,
    );
  }
  return summary;
}
