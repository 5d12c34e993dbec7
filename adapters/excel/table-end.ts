/**
 * Where a sheet's table ends. Under a grade book or a student list, schools print a footer: the
 * place and date ("Nhà Bè, ngày 20 tháng 12 năm 2025"), who signs ("Giáo viên bộ môn", "Hiệu
 * trưởng", "Người lập biểu", "(Ký, ghi rõ họ tên)"), the signatures' names, totals ("Tổng cộng",
 * "Sĩ số: 42"). Those lines sit in the table's columns, so "a recognised column holds something"
 * is not enough to tell a record from them.
 *
 * How a row is told (decided here, documented in the README):
 * - a row is data-like when its key columns are filled the way data fills them: the row number
 *   (STT) is a whole number, or the person's code (Mã học sinh, Mã cán bộ) is a number or one
 *   word holding a digit ("7900000101", "GV001"). A data-like row is always a record, wherever it
 *   is: after a blank row, after a subtotal, after a footer (a second block of rows);
 * - a row that is not data-like and matches a footer pattern ends the table (titles are above the
 *   header, so none is taken for a footer). From there on, rows that are not data-like are the
 *   footer (names under signatures, notes) and are not read; a data-like row starts the table
 *   again, and the footer seen before it was a subtotal;
 * - a row that is neither is a record, as before (a student row whose code is missing is reported
 *   FIELD_MISSING, not dropped), unless it comes after a footer line;
 * - blank rows decide nothing by themselves: a blank row followed by more data is the same table.
 *
 * The table is taken to end at the last record; the first footer line after it (quoted up to its
 * label, so no signer's name is repeated) and how many non-blank rows after it were not read are
 * what the `excel table end` log line says.
 */
import { fold } from '../../src/sdk/index.ts';
import { type CellValue, cellAt, rowTexts } from './cells.ts';
import type { HeaderMap } from './header.ts';
import type { RowView } from './rows.ts';

/** Header texts of the row-number column ("STT", "TT", "Số TT"), folded. */
const ROW_NUMBER_HEADERS = new Set(['stt', 'tt', 'so tt', 'so thu tu', 'thu tu']);

/** Fields whose column holds the person's code: what a data row fills first. */
const CODE_FIELDS = ['studentCode', 'teacherCode'] as const;

/** The place-and-date line, on the folded text of one cell: "Nhà Bè, ngày 20 tháng 12 năm 2025". */
const DATE_LINES: readonly RegExp[] = [
  // "ngày … tháng … năm 20…" (a blank template) folds to "ngay thang nam 20"
  /(?:^| )ngay(?: \d{1,2})? thang(?: \d{1,2})? nam(?: \d{2,4})?(?: |$)/,
  // "Ngày 20/12/2025"
  /(?:^| )ngay \d{1,2} \d{1,2} \d{4}$/,
];

/**
 * Footer labels, on the folded text of one cell, at its start. Each names a label, never a value:
 * a name or a number after the label does not matter.
 */
const FOOTER_LABELS: readonly RegExp[] = [
  // Who signs: "Hiệu trưởng", "KT. HIỆU TRƯỞNG / PHÓ HIỆU TRƯỞNG", "TM. BAN GIÁM HIỆU"
  /^(?:kt |tm |q |ql )?(?:hieu truong|pho hieu truong|ban giam hieu|thu truong(?: don vi)?|giam doc)(?: |$)/,
  /^(?:giao vien|gv) ?(?:bo mon|chu nhiem)(?: |$)/,
  /^(?:gvbm|gvcn)(?: |$)/,
  /^nguoi (?:lap|ghi|kiem tra|duyet|nhan|nop|thu)(?: |$)/,
  /^(?:ke toan|thu quy|to truong|xac nhan|duyet)(?: |$)/,
  // "(Ký, ghi rõ họ tên)", "(Ký tên, đóng dấu)", "Ký và ghi rõ họ tên"
  /^ky(?: va)?(?: ghi ro)?(?: ho)?(?: ten| dong dau)(?: |$)/,
  // Totals and notes: "Tổng cộng", "Tổng số: 42", "Sĩ số: 42", "Cộng: 12.345.000", "Ghi chú: …"
  /^(?:tong cong|tong so|tong hop|si so|so hoc sinh|ghi chu|trong do|danh sach (?:nay )?(?:co|gom))(?: |$)/,
  /^cong(?: \d|$)/,
];

/** Characters of a cell looked at for a footer: a label is at its start. */
const FOOTER_SCAN_CHARS = 200;
/** Characters of a footer line quoted at most. */
const QUOTE_CHARS = 40;

/** The folded start of a footer cell, up to the end of its label (a date line: up to "ngày"). */
function footerMatch(text: string): string | undefined {
  const folded = fold(text.slice(0, FOOTER_SCAN_CHARS));
  if (folded === '') return undefined;
  if (DATE_LINES.some((p) => p.test(folded))) {
    const at = /(?:^| )ngay(?= |$)/.exec(folded)!;
    return folded.slice(0, at.index + at[0].length);
  }
  for (const pattern of FOOTER_LABELS) {
    const m = pattern.exec(folded);
    if (m) return m[0].trimEnd();
  }
  return undefined;
}

/**
 * A footer cell quoted up to the end of its label ("Nhà Bè, ngày…", "Giáo viên bộ môn…"): the
 * words after it may be a signer's name.
 */
function quote(text: string, label: string): string {
  const words = text.replace(/\s+/g, ' ').trim().split(' ');
  let out = '';
  for (const word of words) {
    out = out ? `${out} ${word}` : word;
    if (fold(out).length >= label.length) break;
  }
  const cut = out.length > QUOTE_CHARS ? out.slice(0, QUOTE_CHARS) : out;
  return cut.length < text.trim().length ? `${cut.replace(/[\s:;,.\-–]+$/, '')}…` : cut;
}

/** The first footer cell of a row, quoted; undefined when the row is not a footer line. */
export function footerOf(row: Parameters<typeof rowTexts>[0]): string | undefined {
  for (const { text } of rowTexts(row)) {
    const label = footerMatch(text);
    if (label !== undefined) return quote(text, label);
  }
  return undefined;
}

const isRowNumber = (v: CellValue): boolean =>
  typeof v === 'number'
    ? Number.isInteger(v) && v > 0 && v < 1e7
    : typeof v === 'string' && /^\d{1,6}\.?$/.test(v.trim());

/** A code as data fills it: a number, or one word of letters and digits holding a digit. */
const isCodeLike = (v: CellValue): boolean =>
  typeof v === 'number'
    ? Number.isFinite(v)
    : typeof v === 'string' && /^[\p{L}\d][\p{L}\d._/-]*$/u.test(v.trim()) && /\d/.test(v);

/** What became of a row. */
export type RowFate = 'record' | 'blank' | 'footer';

/** What the end of the table was taken to be, once the sheet is read. */
export interface TableEndFacts {
  /** The last row read as a record. */
  row: number;
  /** The first footer line after it, and its row. */
  footer?: { row: number; text: string };
  /** Non-blank rows after the last record that were not read (footer lines, names, notes). */
  rowsAfter: number;
}

/** Follows a sheet's rows and tells a record from a footer line. */
export class TableEnd {
  private readonly rowNumberCol: number | undefined;
  private readonly codeCols: number[];
  private lastRecord: number | undefined;
  private footer: { row: number; text: string } | undefined;
  private rowsAfter = 0;
  /** Footer-like lines between two blocks of records (subtotals), for the debug log. */
  interior = 0;

  constructor(header: HeaderMap) {
    this.rowNumberCol = [...header.texts].find(([, text]) => ROW_NUMBER_HEADERS.has(fold(text)))?.[0];
    this.codeCols = CODE_FIELDS.map((f) => header.columns.get(f)).filter((c) => c !== undefined);
  }

  private dataLike(view: RowView): boolean {
    for (const col of this.codeCols) if (isCodeLike(cellAt(view.row, col))) return true;
    return this.rowNumberCol !== undefined && isRowNumber(cellAt(view.row, this.rowNumberCol));
  }

  private record(n: number): 'record' {
    if (this.footer) this.interior += this.rowsAfter;
    this.footer = undefined;
    this.rowsAfter = 0;
    this.lastRecord = n;
    return 'record';
  }

  /**
   * The fate of a data row (one below the header): a record, a row without data, or a line of the
   * footer (or after it).
   */
  classify(view: RowView): RowFate {
    if (!view.hasData()) {
      // Not a record either way; a footer line in columns no field maps still says where the
      // table ended ("Nhà Bè, ngày …" under the last scores).
      if (this.footer) {
        if (rowTexts(view.row).length > 0) this.rowsAfter++;
        return 'blank';
      }
      const text = footerOf(view.row);
      if (text === undefined) return 'blank';
      this.footer = { row: view.row.n, text };
      this.rowsAfter++;
      return 'blank';
    }
    if (this.dataLike(view)) return this.record(view.row.n);
    if (this.footer) {
      this.rowsAfter++;
      return 'footer';
    }
    const text = footerOf(view.row);
    if (text !== undefined) {
      this.footer = { row: view.row.n, text };
      this.rowsAfter++;
      return 'footer';
    }
    return this.record(view.row.n);
  }

  /** Where the table ended; undefined when no row was a record. */
  facts(): TableEndFacts | undefined {
    if (this.lastRecord === undefined) return undefined;
    return {
      row: this.lastRecord,
      ...(this.footer ? { footer: this.footer } : {}),
      rowsAfter: this.rowsAfter,
    };
  }
}
