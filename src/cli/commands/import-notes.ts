/**
 * What the excel adapter says about a sheet as a whole, for `edubridge import` to print: where a
 * sheet's table was taken to end, when rows under it (a footer: "Nhà Bè, ngày …", "Hiệu trưởng",
 * signatures, "Tổng cộng") were left unread. The adapter logs it as `excel table end` (info).
 */

/** Where a sheet's table ended, and what came after it. */
export interface TableEndNote {
  file: string;
  sheet: string;
  /** The last row read as a record. */
  row: number;
  /** The first footer line after the table, quoted up to its label, and its row. */
  footer?: { row: number; text: string };
  /** Non-blank rows after the table that were not read. */
  rowsAfter: number;
}

/** The note of an `excel table end` log line worth telling (rows after the table went unread). */
export function tableEndNote(msg: string, data: Record<string, unknown> | undefined): TableEndNote | null {
  if (msg !== 'excel table end' || !data) return null;
  const { file, sheet, row, footer, rowsAfter } = data as Partial<TableEndNote>;
  if (typeof row !== 'number' || typeof rowsAfter !== 'number' || rowsAfter === 0) return null;
  return {
    file: String(file),
    sheet: String(sheet),
    row,
    ...(footer && typeof footer.row === 'number'
      ? { footer: { row: footer.row, text: String(footer.text) } }
      : {}),
    rowsAfter,
  };
}

/**
 * One line for people:
 * `Toán HK1: Bảng dữ liệu kết thúc ở dòng 7 (sau đó là phần chân trang từ dòng 9: "Tổng cộng"; 8 dòng không đọc) / …`
 */
export function tableEndLine(note: TableEndNote): string {
  const footer = note.footer;
  const rows = note.rowsAfter === 1 ? 'row' : 'rows';
  const vi = footer
    ? `sau đó là phần chân trang từ dòng ${footer.row}: "${footer.text}"; ${note.rowsAfter} dòng không đọc`
    : `${note.rowsAfter} dòng sau đó không đọc`;
  const en = footer
    ? `what follows is a footer from row ${footer.row}: "${footer.text}"; ${note.rowsAfter} ${rows} not read`
    : `${note.rowsAfter} ${rows} after it not read`;
  return `${note.sheet}: Bảng dữ liệu kết thúc ở dòng ${note.row} (${vi}) / The table was taken to end at row ${note.row} (${en})`;
}

/** Sheets whose table end is told one by one; beyond, the rest are counted (a grade book has 20). */
const TABLE_ENDS_LISTED = 3;

/** The report's lines about where tables ended: the first sheets', then how many more. */
export function tableEndLines(notes: readonly TableEndNote[]): string[] {
  const lines = notes.slice(0, TABLE_ENDS_LISTED).map(tableEndLine);
  const more = notes.length - TABLE_ENDS_LISTED;
  if (more > 0) {
    lines.push(
      `… và ${more} trang tính khác cũng kết thúc trước phần chân trang (dùng --json để xem) / … and ${more} more sheets also end before a footer (use --json to see them)`,
    );
  }
  return lines;
}
