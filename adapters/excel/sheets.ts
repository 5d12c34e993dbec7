/**
 * A spreadsheet file as a sequence of sheets of rows, whatever its format: an `.xlsx` workbook's
 * worksheets, or a `.csv` as the one sheet Excel shows (named after the file).
 */
import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { basename, extname } from 'node:path';
import { type InputLimits, PermanentError } from '../../src/sdk/index.ts';
import type { SheetRow } from './cells.ts';
import { readCsvRows } from './csv.ts';
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

export type FileFormat = 'xlsx' | 'csv';

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
      const buffer = Buffer.alloc(4);
      const { bytesRead } = await handle.read(buffer, 0, 4, 0);
      head = buffer.subarray(0, bytesRead);
    } finally {
      await handle.close();
    }
  } catch (cause) {
    throw new PermanentError('FILE_UNREADABLE', `Không đọc được tệp "${file}" / Cannot read "${file}"`, {
      cause,
    });
  }
  if (ext === '.xls' || head.equals(OLE)) {
    throw new PermanentError(
      'FORMAT_UNSUPPORTED',
      `"${file}" là tệp Excel 97-2003 (.xls); hãy mở bằng Excel và lưu thành .xlsx / "${file}" is an Excel 97-2003 file (.xls); open it in Excel and save it as .xlsx`,
    );
  }
  if (ext === '.xlsx' || ext === '.xlsm') {
    if (head.length > 0 && !(head[0] === 0x50 && head[1] === 0x4b)) {
      throw new PermanentError(
        'FILE_UNREADABLE',
        `"${file}" không phải tệp .xlsx hợp lệ (có thể là CSV hoặc HTML đổi đuôi) / "${file}" is not a valid .xlsx (perhaps a CSV or HTML file renamed)`,
      );
    }
    return 'xlsx';
  }
  if (ext === '.csv' || ext === '.txt') return 'csv';
  throw new PermanentError(
    'FORMAT_UNSUPPORTED',
    `"${file}": chỉ đọc được .xlsx và .csv / only .xlsx and .csv files are read`,
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
  const format = await formatOf(path);
  const file = fileNameOf(path);
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
