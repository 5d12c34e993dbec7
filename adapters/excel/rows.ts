/**
 * A data row seen through its sheet's header: cells by field, and every problem located at the
 * file, sheet, row and column a person opens to fix it (`HocSinh.xlsx!Sheet1 row 12 col D (Ngày
 * sinh)`).
 */
import type { CanonicalRecord, Source } from '../../src/model/index.ts';
import { type DateFormat, parseDate, RecordError } from '../../src/sdk/index.ts';
import { type CellValue, cellAt, columnLetter, isBlank, type SheetRow, textOf } from './cells.ts';
import type { SubjectNames } from './codes.ts';
import type { ExcelConfig } from './config.ts';
import { dateHint, relaxedDate } from './dates.ts';
import type { HeaderMap } from './header.ts';
import type { TitleFacts } from './titles.ts';

const NUMBER_DATE_FORMATS: readonly DateFormat[] = ['excel-serial', 'yyyyMMdd'];

/** What every row of a sheet shares. */
export interface SheetEnv {
  /** The file's name as people see it (no directories). */
  fileName: string;
  sheet: string;
  header: HeaderMap;
  titles: TitleFacts;
  config: ExcelConfig;
  /** The key's system part, `excel-79nb0001`. */
  system: string;
  subjects: SubjectNames;
  dateFormats: readonly DateFormat[];
  /** parseDate for a text date with the file's formats, remembered by text (birth dates repeat). */
  parseText(text: string, field: string): string;
  source(location: string): Source;
}

/** parseDate over text, remembering the answers for the texts seen (a rejection is not kept). */
export function textDateParser(formats: readonly DateFormat[]): (text: string, field: string) => string {
  const cache = new Map<string, string>();
  return (text, field) => {
    const hit = cache.get(text);
    if (hit !== undefined) return hit;
    const iso = parseDate(text, { field, formats });
    if (cache.size < 50_000) cache.set(text, iso);
    return iso;
  };
}

/** What a layout makes of a row: a record with its natural id, or a rejection. */
export type Mapped = { id: string; record: CanonicalRecord } | { id: string | undefined; error: RecordError };

/** `HocSinh.xlsx!Sheet1 row 12`. */
export const placeOf = (env: Pick<SheetEnv, 'fileName' | 'sheet'>, row: number): string =>
  `${env.fileName}!${env.sheet} row ${row}`;

/** `col D (Ngày sinh)`. */
export function columnLabel(env: Pick<SheetEnv, 'header'>, col: number): string {
  const text = env.header.texts.get(col);
  return text ? `col ${columnLetter(col)} (${text.replace(/\s+/g, ' ')})` : `col ${columnLetter(col)}`;
}

export class RowView {
  constructor(
    readonly env: SheetEnv,
    readonly row: SheetRow,
  ) {}

  get place(): string {
    return placeOf(this.env, this.row.n);
  }

  col(field: string): number | undefined {
    return this.env.header.columns.get(field);
  }

  get(field: string): CellValue {
    const col = this.env.header.columns.get(field);
    return col === undefined ? undefined : cellAt(this.row, col);
  }

  text(field: string): string {
    return textOf(this.get(field));
  }

  blank(field: string): boolean {
    return isBlank(this.get(field));
  }

  /** Location of a field's cell (or of the row, when the field has no column). */
  at(field: string | number): string {
    const col = typeof field === 'number' ? field : this.col(field);
    return col === undefined ? this.place : `${this.place} ${columnLabel(this.env, col)}`;
  }

  /** A RecordError at a field's cell. `canonical` is the record's field path (default `field`). */
  fail(code: string, field: string, vi: string, en: string, canonical = field): RecordError {
    return new RecordError(code, `${vi} / ${en}`, { location: this.at(field), field: canonical });
  }

  /** The header text of a field's column, for messages. */
  label(field: string): string {
    const col = this.col(field);
    return (col !== undefined && this.env.header.texts.get(col)) || field;
  }

  /** The cell's text, or a FIELD_MISSING rejection. */
  need(field: string, canonical = field): string {
    const text = this.text(field);
    if (text === '') {
      const col = this.col(field);
      const letter = col === undefined ? '' : ` (${columnLetter(col)})`;
      throw this.fail(
        'FIELD_MISSING',
        field,
        `Thiếu "${this.label(field)}"${letter}`,
        `"${this.label(field)}"${letter} is empty`,
        canonical,
      );
    }
    return text;
  }

  /**
   * An ISO date from the cell, or undefined when the cell is empty and `required` is false. A text
   * the sheet's formats do not read is tried in the shapes that say one date only (a time after
   * it, year first, in words: dates.ts); a cell still unread is rejected with what Excel probably
   * did to it.
   */
  date(field: string, canonical: string, required: boolean): string | undefined {
    const value = this.get(field);
    if (!required && isBlank(value)) return undefined;
    try {
      // A number in a date column is Excel's serial (a date cell read without styles), or 20140905.
      if (typeof value === 'number')
        return parseDate(value, { field: canonical, formats: NUMBER_DATE_FORMATS });
      if (typeof value === 'string') return this.env.parseText(value.trim(), canonical);
      return parseDate(value, { field: canonical, formats: this.env.dateFormats });
    } catch (error) {
      if (!(error instanceof RecordError)) throw error;
      const missing = error.code === 'DATE_MISSING';
      if (!missing && typeof value === 'string') {
        const relaxed = relaxedDate(value.trim(), (text) => this.env.parseText(text, canonical));
        if (relaxed) return relaxed;
      }
      const why = missing ? null : dateHint(value, this.env.config.profile.dateFormat === 'MM/dd/yyyy');
      throw this.fail(
        error.code,
        field,
        why
          ? `"${this.label(field)}" không phải ngày hợp lệ (dd/mm/yyyy): ${why.vi}`
          : `Thiếu ngày ở cột "${this.label(field)}"`,
        why
          ? `"${this.label(field)}" is not a valid date (dd/mm/yyyy): ${why.en}`
          : `"${this.label(field)}" has no date`,
        canonical,
      );
    }
  }

  /** True when any column the header maps holds something: footers and blank rows do not. */
  hasData(): boolean {
    const raw = this.row.raw;
    for (const col of this.env.header.columns.values()) {
      const v = raw[col];
      if (v === undefined || v === null) continue;
      // A shared string is text: looking it up here would decode it twice.
      if (typeof v === 'object' && typeof (v as { sharedString?: unknown }).sharedString === 'number')
        return true;
      if (!isBlank(cellAt(this.row, col))) return true;
    }
    return false;
  }
}
