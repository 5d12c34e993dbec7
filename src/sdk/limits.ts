/**
 * Bounds on what an adapter parses from a school's side. A school's file or a vendor's service is
 * input the hub does not control: a 1.3 MB `.xlsx` can inflate to gigabytes of XML, a WSDL address
 * can point at anything. The hub passes its bounds (its settings, `src/config/schema.ts`) in every
 * context as `ctx.limits`; an adapter takes them with `inputLimits(ctx)`, checks them while the
 * bytes flow (never after reading everything), and refuses with an `InputLimitError` naming what
 * went over, by how much, and the setting that raises the bound.
 *
 * The defaults are the hub's; the reasons for each are beside it.
 */
import type { ErrorValue } from '../model/error-catalogue.ts';
import { bilingualLine, errorText } from '../model/error-catalogue.ts';
import { PermanentError } from './errors.ts';

const MIB = 1024 * 1024;

/** The hub's bounds on what an adapter parses from a school's file or a vendor's answer. */
export interface InputLimits {
  /** Bytes inflated out of one `.xlsx`, every part read counted together. */
  maxInflatedBytes: number;
  /** Entries in an `.xlsx`'s zip directory. */
  maxZipEntries: number;
  /** Inflated bytes of an `.xlsx`'s workbook part (`xl/workbook.xml`) and of its relationships, each. */
  maxWorkbookPartBytes: number;
  /** Inflated bytes per compressed byte of one zip entry (checked once the entry passes 100 KiB). */
  maxCompressionRatio: number;
  /** Strings in an `.xlsx`'s shared-string table. */
  maxSharedStrings: number;
  /** Inflated bytes of an `.xlsx`'s shared-string table (`xl/sharedStrings.xml`). */
  maxSharedStringsBytes: number;
  /** Bytes between two tags of an `.xlsx`'s XML: a cell's text, or one tag. */
  maxXmlTextBytes: number;
  /** Cells in one row of a sheet or one CSV record (the highest column number counts as its width). */
  maxCellsPerRow: number;
  /** Characters of one `.xlsx` row's texts together (a row is held whole until it is mapped). */
  maxRowCharacters: number;
  /** Bytes of one CSV record, delimiters and quotes included. */
  maxCsvRecordBytes: number;
  /** Bytes of a SOAP service's WSDL (each document, an imported schema too). */
  maxWsdlBytes: number;
  /** Bytes of one SOAP answer. */
  maxSoapResponseBytes: number;
}

/** The name of one bound, e.g. `maxInflatedBytes`. */
export type InputLimitName = keyof InputLimits;

/** The hub's default bounds, used for any the context leaves out. */
export const DEFAULT_INPUT_LIMITS: Readonly<InputLimits> = {
  // Issue 14 asked for 200 MB. A 200,000-row C1-HocSinh workbook (a whole district in one sheet,
  // far beyond any one school) inflates to 176 MB: the bound passes it and stops a bomb early.
  maxInflatedBytes: 200 * MIB,
  // Apache POI's default (ZipSecureFile.MAX_FILE_COUNT). A workbook has a dozen parts, a few more
  // per sheet (drawings, printer settings); the directory is read whole, so its size is bounded first.
  maxZipEntries: 1_000,
  // The sheet list and its relationships are parsed whole into objects before any sheet is read:
  // 3 million sheets declared in 170 MB (a 21 MB file) took 560 MB. A 26-sheet grade book's are
  // 2.4 and 4 KB; 8 MiB holds tens of thousands of sheets and defined names.
  maxWorkbookPartBytes: 8 * MIB,
  // Apache POI's default (MIN_INFLATE_RATIO 0.01). Real sheets deflate 3–10 to 1 (the repo's
  // fixtures and the 200,000-row workbook: at most 10.3); a deflate bomb reaches 1,000 to 1.
  maxCompressionRatio: 100,
  // The 200,000-row workbook holds 1.23 million strings (exceljs writes one per text cell).
  maxSharedStrings: 2_000_000,
  // The table is kept whole for the sheets to look up (as UTF-8 off the heap). The 200,000-row
  // workbook's is 34 MB; 184 MB of strings in a 1.8 MB file, just under the ratio's bound, took an
  // import to 335 MB.
  maxSharedStringsBytes: 100 * MIB,
  // A cell of Excel holds at most 32,767 characters: 229 KiB even if each were written as the
  // 7-byte `_x000D_`. The XML parser holds a text whole, and one text of 190 MB (which deflates under
  // the ratio bound if mixed with noise) took the import to 3.2 GB.
  maxXmlTextBytes: MIB,
  // Excel's own width, A to XFD: no sheet Excel saved is wider.
  maxCellsPerRow: 16_384,
  // A C1-HocSinh row holds a few hundred characters. Without this bound, rows of a hundred
  // texts just under maxXmlTextBytes each took an import of a 1.8 MB file to 450 MB.
  maxRowCharacters: MIB,
  // A student's row is about 300 bytes; a cell of Excel holds at most 32,767 characters.
  maxCsvRecordBytes: MIB,
  // Real WSDLs, inline schemas included, weigh tens to hundreds of KiB.
  maxWsdlBytes: 5 * MIB,
  // A page of 5,000 students of the sandbox SOAP school (the adapter's largest pageSize) is under
  // 4 MB; 20 MiB leaves room for records five times as rich. The soap package holds an answer whole,
  // as text and then as objects several times its size, in a worker whose heap is 256 MB.
  maxSoapResponseBytes: 20 * MIB,
};

/** The hub setting behind each bound: what an operator sets to raise it. */
export const INPUT_LIMIT_SETTINGS: Readonly<Record<InputLimitName, string>> = {
  maxInflatedBytes: 'XLSX_MAX_INFLATED_BYTES',
  maxZipEntries: 'XLSX_MAX_ZIP_ENTRIES',
  maxWorkbookPartBytes: 'XLSX_MAX_WORKBOOK_PART_BYTES',
  maxCompressionRatio: 'XLSX_MAX_COMPRESSION_RATIO',
  maxSharedStrings: 'XLSX_MAX_SHARED_STRINGS',
  maxSharedStringsBytes: 'XLSX_MAX_SHARED_STRINGS_BYTES',
  maxXmlTextBytes: 'XLSX_MAX_TEXT_BYTES',
  maxCellsPerRow: 'SHEET_MAX_CELLS_PER_ROW',
  maxRowCharacters: 'XLSX_MAX_ROW_CHARACTERS',
  maxCsvRecordBytes: 'CSV_MAX_RECORD_BYTES',
  maxWsdlBytes: 'SOAP_MAX_WSDL_BYTES',
  maxSoapResponseBytes: 'SOAP_MAX_RESPONSE_BYTES',
};

/**
 * The bounds a context carries, each one it leaves out at its default.
 *
 * @example
 * ```ts
 * const { maxInflatedBytes } = inputLimits(ctx);
 * ```
 */
export function inputLimits(ctx: { limits?: Partial<InputLimits> | undefined }): InputLimits {
  return { ...DEFAULT_INPUT_LIMITS, ...ctx.limits };
}

/** What went over a bound, as an `InputLimitError` carries it. */
export interface InputLimitBreach {
  /** Which bound. */
  limit: InputLimitName;
  /** What was counted when the read stopped; absent when the other side's client only says "more". */
  measured?: number;
  /** The bound. */
  max: number;
}

/**
 * A read stopped at one of the hub's bounds (`FILE_LIMIT_EXCEEDED`, `WSDL_TOO_LARGE`,
 * `SOAP_RESPONSE_TOO_LARGE`): permanent, since the same input meets the same bound again. Its
 * fields say which bound, the value counted, and the setting that raises it.
 *
 * @example
 * ```ts
 * throw fileLimitError('C1-HocSinh.xlsx', { limit: 'maxInflatedBytes', measured: 209_731_584, max: 209_715_200 });
 * ```
 */
export class InputLimitError extends PermanentError {
  /** Which bound. */
  readonly limit: InputLimitName;
  /** What was counted, when known. */
  readonly measured: number | undefined;
  /** The bound. */
  readonly max: number;
  /** The hub setting that raises the bound (`XLSX_MAX_INFLATED_BYTES`). */
  readonly setting: string;

  constructor(code: string, message: string, breach: InputLimitBreach) {
    super(code, message);
    this.limit = breach.limit;
    this.measured = breach.measured;
    this.max = breach.max;
    this.setting = INPUT_LIMIT_SETTINGS[breach.limit];
  }
}

const WHAT: Record<InputLimitName, { vi: string; en: string }> = {
  maxInflatedBytes: { vi: 'dung lượng sau giải nén', en: 'the inflated size' },
  maxZipEntries: { vi: 'số mục trong tệp nén', en: 'the number of zip entries' },
  maxWorkbookPartBytes: {
    vi: 'dung lượng danh sách trang tính (xl/workbook.xml hoặc quan hệ của nó)',
    en: 'the size of the sheet list (xl/workbook.xml or its relationships)',
  },
  maxCompressionRatio: { vi: 'tỉ lệ nén', en: 'the compression ratio' },
  maxSharedStrings: { vi: 'số chuỗi dùng chung', en: 'the number of shared strings' },
  maxSharedStringsBytes: {
    vi: 'dung lượng bảng chuỗi dùng chung (xl/sharedStrings.xml)',
    en: 'the size of the shared-string table (xl/sharedStrings.xml)',
  },
  maxXmlTextBytes: { vi: 'dung lượng một đoạn XML giữa hai thẻ', en: 'the size of one XML text or tag' },
  maxCellsPerRow: { vi: 'số ô trên một dòng', en: 'the number of cells in a row' },
  maxRowCharacters: { vi: 'số ký tự trên một dòng', en: 'the number of characters in a row' },
  maxCsvRecordBytes: { vi: 'dung lượng một dòng CSV', en: 'the size of one CSV record' },
  maxWsdlBytes: { vi: 'dung lượng WSDL', en: 'the WSDL size' },
  maxSoapResponseBytes: { vi: 'dung lượng câu trả lời SOAP', en: 'the SOAP answer size' },
};

const BYTES: ReadonlySet<InputLimitName> = new Set([
  'maxInflatedBytes',
  'maxWorkbookPartBytes',
  'maxSharedStringsBytes',
  'maxXmlTextBytes',
  'maxCsvRecordBytes',
  'maxWsdlBytes',
  'maxSoapResponseBytes',
]);

/** A bound's value as people read it, in each language: `209.715.200 byte` / `209,715,200 bytes`, `100:1`. */
export function formatLimitValue(limit: InputLimitName, value: number): ErrorValue {
  // Vietnamese groups digits with dots, English with commas; a ratio keeps a decimal, so that one
  // just over its bound does not read as equal to it.
  const digits = { maximumFractionDigits: limit === 'maxCompressionRatio' ? 2 : 0 };
  const vi = value.toLocaleString('vi-VN', digits);
  const en = value.toLocaleString('en-US', digits);
  if (BYTES.has(limit)) return { vi: `${vi} byte`, en: `${en} bytes` };
  if (limit === 'maxCompressionRatio') return { vi: `${vi}:1`, en: `${en}:1` };
  return { vi, en };
}

/**
 * The `FILE_LIMIT_EXCEEDED` error of a school's file: its message names the file, what went over
 * (`where` adds the sheet and row), the value counted, the bound, and the setting.
 *
 * @example
 * ```ts
 * throw fileLimitError('hs.csv', { limit: 'maxCellsPerRow', measured: 20_000, max: 16_384 }, { vi: 'dòng 7', en: 'row 7' });
 * ```
 */
export function fileLimitError(
  file: string,
  breach: InputLimitBreach & { measured: number },
  where?: { vi: string; en: string },
): InputLimitError {
  const what = WHAT[breach.limit];
  const text = errorText('FILE_LIMIT_EXCEEDED', {
    file,
    what: where ? { vi: `${what.vi} (${where.vi})`, en: `${what.en} (${where.en})` } : what,
    measured: formatLimitValue(breach.limit, breach.measured),
    limit: formatLimitValue(breach.limit, breach.max),
    setting: INPUT_LIMIT_SETTINGS[breach.limit],
  });
  return new InputLimitError('FILE_LIMIT_EXCEEDED', bilingualLine(text), breach);
}
