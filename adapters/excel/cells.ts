/**
 * Cells as both file formats give them, reduced to what a mapping needs: text, a number, a date,
 * or nothing. A row keeps the reader's raw values and resolves a cell only when it is read, so the
 * columns nobody maps cost nothing.
 */

/** A resolved cell: Excel's number, text, boolean or date, or undefined for an empty cell. */
export type CellValue = string | number | boolean | Date | undefined;

/** Shared strings of an `.xlsx`, looked up by index. */
export interface StringTable {
  get(index: number): string;
}

/** One row of a sheet: its own 1-based number, and raw values by 1-based column number. */
export interface SheetRow {
  n: number;
  raw: readonly unknown[];
  strings: StringTable | null;
}

function resolve(value: unknown, strings: StringTable | null): CellValue {
  if (value === null || value === undefined) return undefined;
  switch (typeof value) {
    case 'string':
    case 'number':
    case 'boolean':
      return value;
    case 'object': {
      if (value instanceof Date) return value;
      const v = value as {
        sharedString?: number;
        richText?: Array<{ text?: string }>;
        formula?: string;
        sharedFormula?: string;
        result?: unknown;
        text?: unknown;
        error?: string;
      };
      if (typeof v.sharedString === 'number') return strings ? strings.get(v.sharedString) : undefined;
      if (Array.isArray(v.richText)) return v.richText.map((r) => r.text ?? '').join('');
      if (v.formula !== undefined || v.sharedFormula !== undefined) return resolve(v.result, strings);
      if (v.error !== undefined) return undefined;
      if (v.text !== undefined) return resolve(v.text, strings);
      return undefined;
    }
    default:
      return undefined;
  }
}

/** The value of column `col` (1-based) of a row. */
export function cellAt(row: SheetRow, col: number): CellValue {
  return resolve(row.raw[col], row.strings);
}

/** A cell as trimmed text ('' when empty); numbers as Excel shows them without grouping. */
export function textOf(value: CellValue): string {
  if (value === undefined) return '';
  if (typeof value === 'string') return value.trim();
  if (typeof value === 'number') return Number.isInteger(value) ? String(value) : String(value);
  if (typeof value === 'boolean') return value ? 'TRUE' : 'FALSE';
  return value.toISOString().slice(0, 10);
}

export const isBlank = (value: CellValue): boolean =>
  value === undefined || (typeof value === 'string' && value.trim() === '');

/**
 * Every non-blank cell of a row as text, in column order, with its column. Only the cells present
 * are visited: a row holding one cell in column XFD costs one cell, not 16,384 (an array's index
 * keys come in ascending order).
 */
export function rowTexts(row: SheetRow): Array<{ col: number; text: string }> {
  const out: Array<{ col: number; text: string }> = [];
  for (const key in row.raw) {
    const c = Number(key);
    if (!(c >= 1)) continue;
    const text = textOf(cellAt(row, c));
    if (text !== '') out.push({ col: c, text });
  }
  return out;
}

/** `1` → `A`, `28` → `AB`. */
export function columnLetter(col: number): string {
  let n = col;
  let s = '';
  while (n > 0) {
    const r = (n - 1) % 26;
    s = String.fromCharCode(65 + r) + s;
    n = Math.floor((n - 1) / 26);
  }
  return s;
}

/**
 * An identifier cell (student code, ID number) as text. Excel stores a code typed as digits as a
 * number: 79206012345 comes back as the number, which must not become `7.92e10` or lose digits.
 */
export function idText(value: CellValue): string {
  if (typeof value === 'number') {
    return Number.isSafeInteger(value)
      ? String(value)
      : value.toLocaleString('en-US', { useGrouping: false });
  }
  return textOf(value);
}

/**
 * A number written the Vietnamese way or Excel's: `7,5`, `7.5`, 7.5. Returns undefined for an
 * empty cell and NaN for text that is not a number.
 */
export function decimalOf(value: CellValue): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'number') return value;
  const text = textOf(value);
  if (text === '') return undefined;
  if (!/^-?\d+(?:[.,]\d+)?$/.test(text)) return Number.NaN;
  return Number(text.replace(',', '.'));
}

/**
 * An amount of đồng: 1263600, `1.263.600`, `1,263,600`, `1 263 600 đ`. Returns undefined for an
 * empty cell and NaN for anything that is not a whole, non-negative amount.
 */
export function amountOf(value: CellValue): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'number') return Number.isInteger(value) && value >= 0 ? value : Number.NaN;
  const text = textOf(value)
    .replace(/\s*(?:đồng|đ|vnđ|vnd)\.?$/i, '')
    .trim();
  if (text === '') return undefined;
  if (/^\d{1,3}(?:([.,\s])\d{3})(?:\1\d{3})*$/.test(text)) return Number(text.replace(/[.,\s]/g, ''));
  if (/^\d+$/.test(text)) return Number(text);
  return Number.NaN;
}
