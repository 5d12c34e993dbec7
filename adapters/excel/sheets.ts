/**
 * A spreadsheet file as a sequence of sheets of rows, whatever its format: an `.xlsx` workbook's
 * worksheets, or a `.csv` as the one sheet Excel shows (named after the file), or what school
 * systems export under an Excel name: an HTML table or an Excel 2003 XML spreadsheet saved as
 * `.xls` (markup.ts), a text file saved as `.xls`.
 *
 * The format is told by the file's first bytes, not only its name: a real Excel 97-2003 file
 * (D0 CF 11 E0) is refused with how to resave it, an `.xls` that is a zip is an `.xlsx` renamed.
 */
import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { basename, extname } from 'node:path';
import { type InputLimits, PermanentError } from '../../src/sdk/index.ts';
import type { SheetRow } from './cells.ts';
import { csvEncodingOf, readCsvRows } from './csv.ts';
import { type MarkupKind, markupKindOf, readMarkupSheets } from './markup.ts';
import { readXlsxSheets } from './xlsx.ts';

export interface Sheet {
  name: string;
  hidden: boolean;
  /** Rows in batches, in sheet order. */
  rows: AsyncIterable<SheetRow[]>;
  /** The sheet's last row when cheaply known (an xlsx's `<dimension>`, a CSV's line count). */
  meta: { lastRow?: number };
}

/** Lines of a text file (an upper bound of a CSV's rows), counted without decoding it. */
async function lineCount(path: string): Promise<number> {
  let lines = 0;
  let last = 0x0a;
  for await (const chunk of createReadStream(path)) {
    const buffer = chunk as Buffer;
    for (let i = buffer.indexOf(0x0a); i !== -1; i = buffer.indexOf(0x0a, i + 1)) lines++;
    if (buffer.length > 0) last = buffer[buffer.length - 1]!;
  }
  return last === 0x0a ? lines : lines + 1;
}

export type FileFormat = 'xlsx' | 'csv' | MarkupKind;

/** Bytes read to tell a file's format (an HTML page's start in UTF-16 too). */
const HEAD_BYTES = 8192;

/** Extensions under which an HTML page or an XML spreadsheet is looked for. */
const MARKUP_EXTENSIONS = new Set(['.xls', '.xlsx', '.xlsm', '.htm', '.html', '.xml']);

/** Text, not binary: no NUL byte (UTF-8) or UTF-16 by its bytes, and no control character but tab and line ends. */
function isText(head: Buffer): boolean {
  if (csvEncodingOf(head) !== 'utf-8') return true;
  for (const byte of head) if (byte < 0x20 && byte !== 0x09 && byte !== 0x0a && byte !== 0x0d) return false;
  return true;
}

const OLE = Buffer.from([0xd0, 0xcf, 0x11, 0xe0]);

/** The name people know the file by (no directories): `C1-HocSinh.xlsx`. */
export const fileNameOf = (path: string): string => basename(path);

/** A file with nothing in it: no bytes, or a workbook without a cell holding anything. */
export function fileEmpty(file: string): PermanentError {
  return new PermanentError(
    'FILE_EMPTY',
    `Tệp "${file}" trống: không có ô nào có nội dung; hãy xuất lại tệp từ phần mềm của trường / "${file}" is empty: no cell holds anything; export the file again from the school's software`,
  );
}

/** Checks the file is there, readable and of a format we read; returns the format. */
export async function formatOf(path: string): Promise<FileFormat> {
  return (await sniff(path)).format;
}

/** The format of a file, and its first bytes. */
async function sniff(path: string): Promise<{ format: FileFormat; head: Buffer }> {
  const file = fileNameOf(path);
  let size: number;
  try {
    const info = await stat(path);
    if (!info.isFile()) throw new Error('not a file');
    size = info.size;
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException)?.code;
    if (code === 'EACCES' || code === 'EPERM') {
      throw new PermanentError(
        'FILE_UNREADABLE',
        `Không có quyền đọc tệp "${file}" / No permission to read "${file}"`,
        {
          cause,
        },
      );
    }
    throw new PermanentError('FILE_NOT_FOUND', `Không tìm thấy tệp "${path}" / File "${path}" not found`, {
      cause,
    });
  }
  if (size === 0) throw fileEmpty(file);
  const ext = extname(path).toLowerCase();
  let head = Buffer.alloc(0);
  try {
    const handle = await open(path, 'r');
    try {
      const buffer = Buffer.alloc(HEAD_BYTES);
      const { bytesRead } = await handle.read(buffer, 0, HEAD_BYTES, 0);
      head = buffer.subarray(0, bytesRead);
    } finally {
      await handle.close();
    }
  } catch (cause) {
    throw new PermanentError('FILE_UNREADABLE', `Không đọc được tệp "${file}" / Cannot read "${file}"`, {
      cause,
    });
  }
  const zip = head[0] === 0x50 && head[1] === 0x4b;
  if (head.subarray(0, 4).equals(OLE)) {
    throw new PermanentError(
      'FORMAT_UNSUPPORTED',
      `"${file}" là tệp Excel 97-2003 (.xls); hãy mở bằng Excel và lưu thành .xlsx / "${file}" is an Excel 97-2003 file (.xls); open it in Excel and save it as .xlsx`,
    );
  }
  // "Export to Excel" of many school systems: an HTML table, or Excel 2003's XML, named .xls.
  const markup = MARKUP_EXTENSIONS.has(ext) ? markupKindOf(head) : undefined;
  if (markup) return { format: markup, head };
  if (ext === '.xls') {
    if (zip) return { format: 'xlsx', head }; // an .xlsx renamed .xls
    if (isText(head)) return { format: 'csv', head }; // tab-separated text named .xls
    throw new PermanentError(
      'FORMAT_UNSUPPORTED',
      `"${file}" mang đuôi .xls nhưng không phải tệp Excel, trang HTML hay văn bản đọc được; hãy mở bằng Excel và lưu thành .xlsx / "${file}" has an .xls extension but is not an Excel file, an HTML page or readable text; open it in Excel and save it as .xlsx`,
    );
  }
  if (ext === '.xlsx' || ext === '.xlsm') {
    if (head.length > 0 && !zip) {
      throw new PermanentError(
        'FILE_UNREADABLE',
        `"${file}" không phải tệp .xlsx hợp lệ (có thể là CSV đổi đuôi) / "${file}" is not a valid .xlsx (perhaps a CSV file renamed)`,
      );
    }
    return { format: 'xlsx', head };
  }
  if (ext === '.csv' || ext === '.txt') return { format: 'csv', head };
  throw new PermanentError(
    'FORMAT_UNSUPPORTED',
    `"${file}": chỉ đọc được .xlsx, .csv (hoặc .txt) và trang HTML hay XML mà phần mềm xuất ra dưới tên .xls / only .xlsx, .csv (or .txt) and the HTML or XML pages school software exports as .xls are read`,
  );
}

/**
 * The sheets of a file, in order, read within the hub's bounds (`inputLimits(ctx)`).
 *
 * @example
 * for await (const sheet of openSheets('hs.csv', signal, inputLimits(ctx))) for await (const rows of sheet.rows) …
 */
export async function* openSheets(
  path: string,
  signal: AbortSignal,
  limits: InputLimits,
): AsyncGenerator<Sheet> {
  const { format, head } = await sniff(path);
  const file = fileNameOf(path);
  if (format === 'html' || format === 'spreadsheetml') {
    yield* readMarkupSheets(path, format, file, signal, limits, head);
    return;
  }
  if (format === 'csv') {
    yield {
      name: basename(path, extname(path)),
      hidden: false,
      rows: readCsvRows(path, file, signal, limits),
      meta: { lastRow: await lineCount(path) },
    };
    return;
  }
  yield* readXlsxSheets(path, file, signal, limits);
}
