/**
 * Workbooks written the way school software writes them, through exceljs's streaming
 * WorkbookWriter: title rows merged across the table, a bold header (one or two rows), then data
 * rows committed as they are made, so a sheet of any length stays in bounded memory.
 */
import ExcelJS from 'exceljs';

export type CellInput = string | number | Date | null | undefined;

export interface WorkbookOptions {
  /** Excel's own files keep every text in one shared table; exceljs writes inline text otherwise. */
  sharedStrings?: boolean;
  /** Document dates (fixed, so the same data gives the same sheets). */
  created: Date;
}

export function openWorkbook(path: string, options: WorkbookOptions): ExcelJS.stream.xlsx.WorkbookWriter {
  return new ExcelJS.stream.xlsx.WorkbookWriter({
    filename: path,
    useStyles: true,
    useSharedStrings: options.sharedStrings ?? false,
    // Not in the typings of 4.4.0, but honoured: docProps/core.xml gets these dates, not the clock.
    ...({ created: options.created, modified: options.created, creator: 'EduBridge sandbox' } as object),
  });
}

/** `1` → `A`. */
export function letter(col: number): string {
  let n = col;
  let s = '';
  while (n > 0) {
    const r = (n - 1) % 26;
    s = String.fromCharCode(65 + r) + s;
    n = Math.floor((n - 1) / 26);
  }
  return s;
}

/** Title lines above the table, each merged across its width and bold. Returns the next row number. */
export function writeTitles(
  ws: ExcelJS.Worksheet,
  titles: readonly string[],
  width: number,
  firstRow = 1,
): number {
  let row = firstRow;
  for (const title of titles) {
    const r = ws.addRow([title]);
    r.font = { bold: true };
    if (width > 1) ws.mergeCells(row, 1, row, width);
    r.commit();
    row++;
  }
  return row;
}

/** One header row, bold. */
export function writeHeader(ws: ExcelJS.Worksheet, headers: readonly string[]): void {
  const r = ws.addRow([...headers]);
  r.font = { bold: true };
  r.commit();
}

/** `2014-09-05` → `05/09/2014`, as the MOET templates write dates (text). */
export const dmy = (iso: string): string => `${iso.slice(8, 10)}/${iso.slice(5, 7)}/${iso.slice(0, 4)}`;

/** A date cell (Excel serial with a dd/mm/yyyy format), as a person typing a date gets. */
export const dateCell = (iso: string): Date => new Date(`${iso}T00:00:00Z`);

/** Excel sheet names: at most 31 characters, none of []:*?/\. */
export const sheetName = (name: string): string => name.replace(/[[\]:*?/\\]/g, '-').slice(0, 31);
