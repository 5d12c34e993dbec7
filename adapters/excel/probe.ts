/**
 * A quick look at a file, for check() and discover(): is it there, readable, and does a sheet have
 * the header its kind needs? Only each sheet's first rows are read.
 */
import {
  AdapterError,
  type CheckProblem,
  fold,
  type InputLimits,
  type PermanentError,
} from '../../src/sdk/index.ts';
import { rowTexts, type SheetRow } from './cells.ts';
import type { ExcelConfig, FileSpec } from './config.ts';
import { findHeader, HEADER_SCAN_ROWS, headerMissing } from './header.ts';
import { gridOf } from './layouts/timetable.ts';
import { fileHasNoRows, headerIndexOf, TABULAR_LAYOUTS } from './read-file.ts';
import { fileEmpty, fileNameOf, openSheets } from './sheets.ts';
import { readTitles, type TitleFacts } from './titles.ts';

export type Probe = { ok: true; sheet: string; titles: TitleFacts } | { ok: false; problem: CheckProblem };

/** A sheet's rows up to `until`; `whole` when the sheet has no row after them. */
async function firstRows(
  batches: AsyncIterable<SheetRow[]>,
  until: number,
): Promise<{ rows: SheetRow[]; whole: boolean }> {
  const rows: SheetRow[] = [];
  for await (const batch of batches) {
    for (const row of batch) if (row.n <= until) rows.push(row);
    if (batch.length > 0 && batch.at(-1)!.n >= until) return { rows, whole: false };
  }
  return { rows, whole: true };
}

const problemOf = (error: PermanentError): Probe => ({
  ok: false,
  problem: { code: error.code, message: error.message },
});

/**
 * Probes one file of the config.
 *
 * @example
 * const probe = await probeFile({ path: 'C1-HocSinh.xlsx', kind: 'students' }, config, signal, inputLimits(ctx));
 * if (!probe.ok) console.log(probe.problem.message);
 */
export async function probeFile(
  file: FileSpec,
  config: ExcelConfig,
  signal: AbortSignal,
  limits: InputLimits,
): Promise<Probe> {
  const fileName = fileNameOf(file.path);
  const layout = file.kind === 'timetable' ? null : TABULAR_LAYOUTS[file.kind];
  const index = layout ? headerIndexOf(layout, config) : null;
  const headerRow = config.profile.headerRow;
  const sheets: string[] = [];
  /** Whether any sheet looked at holds a cell; sheets whose header has nothing under it. */
  let cells = false;
  const headerOnly: string[] = [];
  let best: { row: number; columns: Map<string, number>; sheet: string } | null = null;
  try {
    for await (const sheet of openSheets(file.path, signal, limits)) {
      sheets.push(sheet.name);
      if (file.sheet ? fold(sheet.name) !== fold(file.sheet) : sheet.hidden) continue;
      const { rows, whole } = await firstRows(
        sheet.rows,
        headerRow !== undefined ? headerRow + 1 : HEADER_SCAN_ROWS,
      );
      if (rows.some((r) => rowTexts(r).length > 0)) cells = true;
      if (index) {
        const search = findHeader(rows, index, headerRow);
        // A sheet read to its end with nothing under its header: another sheet may have rows.
        if (
          search.found &&
          whole &&
          !rows.some((r) => r.n >= search.header.dataRow && rowTexts(r).length > 0)
        ) {
          headerOnly.push(sheet.name);
          continue;
        }
        if (search.found) {
          const titles = readTitles(
            rows.filter((r) => r.n < search.header.row),
            sheet.name,
          );
          return { ok: true, sheet: sheet.name, titles };
        }
        if (search.best && (!best || search.best.columns.size > best.columns.size)) {
          best = { ...search.best, sheet: sheet.name };
        }
      } else {
        const at = rows.findIndex((r) => gridOf(r) !== undefined);
        if (at >= 0)
          return { ok: true, sheet: sheet.name, titles: readTitles(rows.slice(0, at), sheet.name) };
      }
    }
    if (file.sheet && !sheets.some((s) => fold(s) === fold(file.sheet!))) {
      return {
        ok: false,
        problem: {
          code: 'SHEET_NOT_FOUND',
          message: `Tệp "${fileName}" không có trang tính "${file.sheet}" (có: ${sheets.join(', ')}) / "${fileName}" has no sheet "${file.sheet}" (it has: ${sheets.join(', ')})`,
        },
      };
    }
    if (!cells && !file.sheet) return problemOf(fileEmpty(fileName));
    if (headerOnly.length > 0) return problemOf(fileHasNoRows(fileName, headerOnly));
    if (index) {
      const error = headerMissing(fileName, best?.sheet ?? file.sheet, index, best);
      return { ok: false, problem: { code: error.code, message: error.message } };
    }
    return {
      ok: false,
      problem: {
        code: 'HEADER_MISSING',
        message: `Không tìm thấy bảng thời khóa biểu trong ${HEADER_SCAN_ROWS} dòng đầu của "${fileName}" (cần dòng "Thứ 2 … Thứ 7" hoặc "Tiết 1 … Tiết 5") / No timetable grid in the first ${HEADER_SCAN_ROWS} rows of "${fileName}" (a row "Thứ 2 … Thứ 7" or "Tiết 1 … Tiết 5" is needed)`,
      },
    };
  } catch (error) {
    if (error instanceof AdapterError)
      return { ok: false, problem: { code: error.code, message: error.message } };
    throw error;
  }
}
