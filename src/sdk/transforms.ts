/**
 * Transforms every adapter needs: Vietnamese dates in their many spellings, Excel serial dates,
 * code lists (a vendor's "Nam"/"Nữ" to `male`/`female`), and matching column headers by their text.
 */
import { RecordError } from './errors.ts';

/**
 * Folds text for comparison: NFC, lower case, no diacritics (đ → d), single spaces, no punctuation.
 *
 * @example
 * ```ts
 * fold('  Số định danh  cá nhân ') // 'so dinh danh ca nhan'
 * ```
 */
export function fold(text: string): string {
  return text
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[đĐ]/g, 'd')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, ' ')
    .trim();
}

/**
 * Finds which canonical field a header names, comparing folded text with each field's aliases.
 * Returns the field, or undefined when no alias matches.
 *
 * @example
 * ```ts
 * const aliases = { personalId: ['Số định danh cá nhân', 'Mã định danh', 'CCCD'] };
 * matchHeader('SO DINH DANH CA NHAN', aliases) // 'personalId'
 * ```
 */
export function matchHeader(
  header: string,
  aliases: Readonly<Record<string, readonly string[]>>,
): string | undefined {
  const folded = fold(header);
  if (!folded) return undefined;
  for (const [field, names] of Object.entries(aliases)) {
    if (names.some((name) => fold(name) === folded)) return field;
  }
  return undefined;
}

/** Excel counts days from 1899-12-30 (its 1900 leap-year bug included). */
const EXCEL_EPOCH_MS = Date.UTC(1899, 11, 30);
const DAY_MS = 86_400_000;

function iso(y: number, m: number, d: number): string | undefined {
  // Arithmetic, not a Date and its toISOString: three dates a student on every read. Years below
  // 100 are refused, as Date.UTC (which reads them as 19xx) made them before.
  if (y < 100 || m < 1 || m > 12 || d < 1) return undefined;
  const leap = (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
  if (d > (m === 2 && leap ? 29 : DAYS_IN_MONTH[m - 1]!)) return undefined;
  return `${y < 1000 ? String(y).padStart(4, '0') : y}-${m < 10 ? '0' : ''}${m}-${d < 10 ? '0' : ''}${d}`;
}
const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** A date layout `parseDate` understands (`excelSerial`: Excel's day number). */
export type DateFormat =
  | 'dd/MM/yyyy'
  | 'yyyy-MM-dd'
  | 'yyyyMMdd'
  | 'MM/dd/yyyy'
  | 'excel-serial'
  | 'iso-datetime';

/** The formats tried when none is given: how Vietnamese school software writes dates. */
export const VIETNAMESE_DATE_FORMATS: readonly DateFormat[] = [
  'dd/MM/yyyy',
  'yyyy-MM-dd',
  'yyyyMMdd',
  'excel-serial',
  'iso-datetime',
];

function tryFormat(value: string | number | Date, format: DateFormat): string | undefined {
  if (value instanceof Date) {
    return Number.isNaN(value.getTime()) ? undefined : value.toISOString().slice(0, 10);
  }
  if (format === 'excel-serial') {
    const n =
      typeof value === 'number' ? value : /^\d{4,5}(\.\d+)?$/.test(value) ? Number(value) : Number.NaN;
    // 1 Jan 1920 … 31 Dec 2099: a wider range is more likely a misread number than a date.
    if (!(n >= 7306 && n <= 73415)) return undefined;
    return new Date(EXCEL_EPOCH_MS + Math.floor(n) * DAY_MS).toISOString().slice(0, 10);
  }
  const text = String(value).trim();
  let m: RegExpExecArray | null;
  switch (format) {
    case 'dd/MM/yyyy':
      m = /^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$/.exec(text);
      return m ? iso(Number(m[3]), Number(m[2]), Number(m[1])) : undefined;
    case 'MM/dd/yyyy':
      m = /^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$/.exec(text);
      return m ? iso(Number(m[3]), Number(m[1]), Number(m[2])) : undefined;
    case 'yyyy-MM-dd':
      m = /^(\d{4})-(\d{1,2})-(\d{1,2})$/.exec(text);
      return m ? iso(Number(m[1]), Number(m[2]), Number(m[3])) : undefined;
    case 'yyyyMMdd':
      m = /^(\d{4})(\d{2})(\d{2})$/.exec(text);
      return m ? iso(Number(m[1]), Number(m[2]), Number(m[3])) : undefined;
    case 'iso-datetime':
      m = /^(\d{4})-(\d{2})-(\d{2})T/.exec(text);
      return m ? iso(Number(m[1]), Number(m[2]), Number(m[3])) : undefined;
  }
}

/**
 * Parses a date as the source wrote it and returns ISO `YYYY-MM-DD`, or throws a RecordError
 * (`DATE_UNPARSEABLE`, or `DATE_MISSING` when empty) naming the field and place.
 *
 * @example
 * ```ts
 * parseDate('05/09/2013', { field: 'birthDate' })   // '2013-09-05' (day first, as in Viet Nam)
 * parseDate(41526, { field: 'birthDate' })          // '2013-09-08' (Excel serial number)
 * ```
 */
export function parseDate(
  value: unknown,
  options: { field: string; location?: string; formats?: readonly DateFormat[] },
): string {
  if (typeof value === 'string' || typeof value === 'number' || value instanceof Date) {
    for (const format of options.formats ?? VIETNAMESE_DATE_FORMATS) {
      const parsed = tryFormat(value, format);
      if (parsed) return parsed;
    }
  }
  // The value is not quoted: dates of birth are personal data, and the location finds the cell.
  const empty = value === undefined || value === null || value === '';
  throw new RecordError(
    empty ? 'DATE_MISSING' : 'DATE_UNPARSEABLE',
    empty
      ? `${options.field}: thiếu ngày / the date is missing`
      : `${options.field}: không phải ngày hợp lệ (dd/mm/yyyy) / not a valid date (dd/mm/yyyy)`,
    { field: options.field, ...(options.location ? { location: options.location } : {}) },
  );
}

/**
 * A code-list transform: maps a source's values (matched folded, so "NỮ", "nu" and "Nữ" are one) to
 * canonical codes, or throws a RecordError (`CODE_UNKNOWN`) listing what it accepts.
 *
 * @example
 * ```ts
 * const gender = codeList({ male: ['Nam', 'M', '1'], female: ['Nữ', 'F', '2'] }, 'gender');
 * gender('NỮ') // 'female'
 * ```
 */
export function codeList<T extends string>(
  table: Readonly<Record<T, readonly string[]>>,
  field: string,
): (value: unknown, location?: string) => T {
  const index = new Map<string, T>();
  for (const [code, names] of Object.entries(table) as Array<[T, readonly string[]]>) {
    index.set(fold(code), code);
    for (const name of names) index.set(fold(name), code);
  }
  const accepted = Object.values<readonly string[]>(table)
    .map((names) => names[0])
    .join(', ');
  return (value, location) => {
    const code = value === undefined || value === null ? undefined : index.get(fold(String(value)));
    if (code !== undefined) return code;
    throw new RecordError(
      'CODE_UNKNOWN',
      `${field}: giá trị không có trong danh mục (${accepted}) / the value is not in the code list (${accepted})`,
      { field, ...(location ? { location } : {}) },
    );
  };
}

/** Gender as Vietnamese software writes it. */
export const genderCode = codeList(
  { male: ['Nam', 'M', 'Male', '1', 'Trai'], female: ['Nữ', 'F', 'Female', '2', 'Gái'] },
  'gender',
);

/**
 * Reads a value at a JSON pointer (RFC 6901) in a source record: `/hocSinh/ngaySinh`.
 *
 * @example
 * ```ts
 * atPointer({ hs: { ma: 'HS1' } }, '/hs/ma') // 'HS1'
 * ```
 */
export function atPointer(value: unknown, pointer: string): unknown {
  if (pointer === '' || pointer === '/') return value;
  let node = value;
  for (const raw of pointer.replace(/^\//, '').split('/')) {
    const part = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string, unknown>)[part];
  }
  return node;
}
