/**
 * Finds a sheet's header: the row, among the first rows, whose cells name the layout's columns
 * (title rows such as "SỞ GD&ĐT TP. HỒ CHÍ MINH" and "DANH SÁCH HỌC SINH LỚP 6A1" sit above it), and
 * a second header row below it when a merged cell groups columns ("ĐĐGtx" over "1 2 3 4").
 * Header text is compared folded (case, diacritics, punctuation and spacing do not matter).
 */
import { fold, PermanentError } from '../../src/sdk/index.ts';
import { rowTexts, type SheetRow } from './cells.ts';

export interface FieldSpec {
  /** Header texts that name the field; the first is shown to people. */
  aliases: readonly string[];
  en: string;
}

export interface HeaderSpec {
  fields: Readonly<Record<string, FieldSpec>>;
  /** Each entry is satisfied by any one of its fields. */
  required: ReadonlyArray<readonly string[]>;
}

/** Rows searched for the header when the profile does not give its row. */
export const HEADER_SCAN_ROWS = 30;

/** What the header says: which column holds each field, and the header text of each column. */
export interface HeaderMap {
  /** Row number (1-based, the sheet's own) of the header's first row. */
  row: number;
  /** Row number of the first data row. */
  dataRow: number;
  columns: Map<string, number>;
  /** Header text by column, for messages. */
  texts: Map<number, string>;
}

const compact = (text: string) => fold(text).replace(/ /g, '');

/** Variants of a header cell: as written, without a parenthesised note, without a required mark. */
function variants(text: string): string[] {
  const out = [text];
  const noNote = text.replace(/\([^)]*\)|\[[^\]]*\]/g, ' ').replace(/\*/g, ' ');
  if (noNote !== text) out.push(noNote);
  return out;
}

/** Looks header texts up among the fields' aliases (and the profile's). */
export class HeaderIndex {
  private readonly index = new Map<string, string>();

  constructor(
    readonly spec: HeaderSpec,
    extra: Readonly<Record<string, readonly string[]>> = {},
  ) {
    // The profile's names win over the built-in ones.
    for (const [field, names] of Object.entries(extra)) {
      if (!(field in spec.fields)) continue;
      for (const name of names) this.index.set(compact(name), field);
    }
    for (const [field, f] of Object.entries(spec.fields)) {
      for (const name of f.aliases) {
        const key = compact(name);
        if (!this.index.has(key)) this.index.set(key, field);
      }
    }
  }

  /** The field a header cell names, or undefined. */
  match(text: string): string | undefined {
    for (const v of variants(text)) {
      const key = compact(v);
      if (key === '') continue;
      const field = this.index.get(key);
      if (field) return field;
    }
    return undefined;
  }

  /** Required entries the columns do not satisfy. */
  missing(columns: ReadonlyMap<string, number>): Array<readonly string[]> {
    return this.spec.required.filter((any) => !any.some((f) => columns.has(f)));
  }
}

function mapRow(
  row: SheetRow,
  index: HeaderIndex,
): { columns: Map<string, number>; texts: Map<number, string> } {
  const columns = new Map<string, number>();
  const texts = new Map<number, string>();
  for (const { col, text } of rowTexts(row)) {
    texts.set(col, text);
    const field = index.match(text);
    if (field && !columns.has(field)) columns.set(field, col);
  }
  return { columns, texts };
}

const IDENTITY_FIELDS = ['studentCode', 'teacherCode', 'fullName', 'personalId'];

/** Adds the fields a second header row names under a (merged) group label of the first. */
function addSubHeader(header: HeaderMap, sub: SheetRow, index: HeaderIndex): boolean {
  const subTexts = rowTexts(sub);
  if (subTexts.length === 0) return false;
  // A row with a value under a person's code or name is the first data row, however its other
  // cells read ("CN" under "Học kỳ" is the whole year, not the subject Công nghệ): taking it for a
  // second header would lose it.
  const identity = IDENTITY_FIELDS.map((f) => header.columns.get(f)).filter((c) => c !== undefined);
  if (subTexts.some(({ col }) => identity.includes(col))) return false;
  let added = false;
  const top = new Map(header.texts);
  const cols = [...top.keys()].sort((a, b) => a - b);
  for (const { col, text } of subTexts) {
    const own = top.get(col);
    // A merged group label sits in the group's first column only: take the nearest to the left.
    const parent = own ?? top.get(cols.filter((c) => c < col).at(-1) ?? -1);
    const field =
      (parent !== undefined
        ? (index.match(`${parent} ${text}`) ?? index.match(`${text} ${parent}`))
        : undefined) ?? index.match(text);
    if (!field) continue;
    if (header.columns.has(field) && header.columns.get(field) !== col) continue;
    if (!header.columns.has(field)) added = true;
    header.columns.set(field, col);
    header.texts.set(col, parent && parent !== text ? `${parent} ${text}` : text);
  }
  return added;
}

export type HeaderSearch =
  | { found: true; header: HeaderMap }
  | { found: false; best: { row: number; columns: Map<string, number> } | null };

/**
 * Looks for the header among buffered first rows of a sheet.
 *
 * @example
 * const search = findHeader(firstRows, index, undefined);
 * if (search.found) search.header.columns.get('studentCode') // 3 (column C)
 */
export function findHeader(rows: readonly SheetRow[], index: HeaderIndex, headerRow?: number): HeaderSearch {
  let best: { row: number; columns: Map<string, number> } | null = null;
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i]!;
    if (headerRow !== undefined && row.n !== headerRow) continue;
    const { columns, texts } = mapRow(row, index);
    if (columns.size === 0) continue;
    const header: HeaderMap = { row: row.n, dataRow: row.n + 1, columns, texts };
    const next = rows[i + 1];
    if (next && next.n === row.n + 1 && addSubHeader(header, next, index)) header.dataRow = next.n + 1;
    if (index.missing(header.columns).length === 0) return { found: true, header };
    if (!best || header.columns.size > best.columns.size) best = { row: row.n, columns: header.columns };
  }
  return { found: false, best };
}

/** Beyond this many alternative columns, a missing-column message lists their first names only. */
const MANY_ALTERNATIVES = 8;

const quoteList = (names: readonly string[]) => names.map((n) => `"${n}"`).join(', ');

/**
 * The error for a file in which no sheet has the header: names each missing column, the header
 * texts accepted for it, and the closest row found.
 */
export function headerMissing(
  file: string,
  sheet: string | undefined,
  index: HeaderIndex,
  best: { row: number; columns: Map<string, number> } | null,
): PermanentError {
  const missing = index.missing(best?.columns ?? new Map());
  const names = missing.map((any) =>
    any
      .map((field) => {
        const f = index.spec.fields[field]!;
        // A choice among many columns (a subject each) names each by its first name only.
        return any.length > MANY_ALTERNATIVES
          ? f.aliases[0]
          : `${f.aliases[0]} (${quoteList(f.aliases.slice(0, 6))})`;
      })
      .join(' | '),
  );
  const where = sheet ? `${file}!${sheet}` : file;
  const list = names.join('; ');
  return new PermanentError(
    'HEADER_MISSING',
    `Không tìm thấy cột bắt buộc trong ${where}${best ? ` (dòng tiêu đề gần nhất: ${best.row})` : ''}: ${list}. Thêm cột, hoặc khai báo tên cột của trường trong profile.columns / Required column(s) not found in ${where}${best ? ` (closest header row: ${best.row})` : ''}: ${list}. Add the column, or name the school's header in profile.columns`,
  );
}
