/**
 * `edubridge import --xlsx report.xlsx`: the school's own file given back with every problem cell
 * marked, for the person who fixes it in Excel: the cell filled by severity (red for an error,
 * yellow for a warning) with a note giving the rule code and the message in Vietnamese and
 * English, and a last sheet "Lỗi - Findings" listing every finding (sheet, row, column, field,
 * code, severity, messages) to filter and sort.
 *
 * The copy is made in a stream: an `.xlsx`'s parts are opened through its zip directory
 * (`xlsx-parts.ts`), each sheet's rows parsed by exceljs's sheet reader in the workbook's order and
 * written with exceljs's WorkbookWriter a row at a time; a `.csv` is parsed row by row and written
 * as the one sheet Excel would show (named after the file, its cells kept as text so an ID keeps
 * its leading zero). Memory holds the findings, the shared strings and a few rows, whatever the
 * file's length (a 10,000-row C1-HocSinh with a finding on every row: 4.7 s, 230 MB, against 2.3 s
 * and 163 MB for the import alone). Values and cell styles are copied, columns sized from the first
 * rows; merged cells, column widths, data validations, pictures and formulas are not (a formula is
 * copied as its last result): the copy is a report on the data, not a replacement file.
 *
 * A file that cannot be read so, or of another format (the import may read more kinds of file than
 * this copies), gets the findings sheet alone (`copied: false`).
 * The file is written beside `out` and renamed into place, so a failure leaves no half workbook.
 *
 * Personal data: the copy's sheets hold what the school's file held, nothing more; the messages
 * (notes and the findings sheet) have ID and phone numbers masked (`maskPersonalText`).
 */
import { createReadStream } from 'node:fs';
import { open, rename, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { basename, extname } from 'node:path';
import { type Readable, Transform, type TransformCallback } from 'node:stream';
import { parse } from 'csv-parse';
import ExcelJS from 'exceljs';
import type { Severity } from '../model/index.ts';
import { DEFAULT_INPUT_LIMITS, type InputLimits } from '../sdk/limits.ts';
import type { Finding } from './findings.ts';
import { maskPersonalText } from './mask.ts';
import { type PartLimits, XlsxParts, ZipPartsError } from './xlsx-parts.ts';

export const FINDINGS_SHEET = 'Lỗi - Findings';

export interface MarkedCopyOptions {
  /** The school's file, as imported (`.xlsx`, `.xlsm`, `.csv`, `.txt`). */
  input: string;
  /** The workbook to write (`.xlsx`). */
  out: string;
  /** Every finding of the import, in sheet and row order. */
  findings: readonly Finding[];
  /** The bounds of a CSV record and of a workbook part (the import's); the defaults without them. */
  limits?: Pick<InputLimits, 'maxCsvRecordBytes' | 'maxInflatedBytes' | 'maxZipEntries'>;
  /** Called as rows are copied, with the rows copied so far, for a progress bar. */
  onProgress?: (rows: number) => void;
}

export interface MarkedCopyResult {
  /** Was the school's data copied (false: the findings sheet alone). */
  copied: boolean;
  /** Sheets copied. */
  sheets: number;
  /** Cells marked. */
  cells: number;
  /** Findings listed. */
  findings: number;
}

const FILL: Record<Severity, string> = { error: 'FFFFC7CE', warning: 'FFFFEB9C' };
const fill = (level: Severity) => ({
  type: 'pattern' as const,
  pattern: 'solid' as const,
  fgColor: { argb: FILL[level] },
});
const HEADER_FILL = { type: 'pattern' as const, pattern: 'solid' as const, fgColor: { argb: 'FFDDEBF7' } };
const LEVEL_TEXT: Record<Severity, string> = { error: 'Lỗi / Error', warning: 'Cảnh báo / Warning' };

/** `E` → 5. */
export function columnNumber(letters: string): number {
  let n = 0;
  for (const ch of letters.toUpperCase()) n = n * 26 + (ch.charCodeAt(0) - 64);
  return n;
}

/** Findings by sheet, then row. */
function indexFindings(findings: readonly Finding[]): Map<string, Map<number, Finding[]>> {
  const bySheet = new Map<string, Map<number, Finding[]>>();
  for (const f of findings) {
    if (f.row === null) continue;
    let rows = bySheet.get(f.sheet);
    if (!rows) {
      rows = new Map();
      bySheet.set(f.sheet, rows);
    }
    const list = rows.get(f.row);
    if (list) list.push(f);
    else rows.set(f.row, [f]);
  }
  return bySheet;
}

/** A cell's note: each finding's level, code and messages, the worst first. */
function noteOf(findings: readonly Finding[]): string {
  return [...findings]
    .sort((a, b) => Number(a.level !== 'error') - Number(b.level !== 'error'))
    .map(
      (f) =>
        `[${f.level === 'error' ? 'LỖI / ERROR' : 'CẢNH BÁO / WARNING'}] ${f.code}\n${maskPersonalText(f.message.vi)}\n${maskPersonalText(f.message.en)}`,
    )
    .join('\n\n');
}

/** Marks a row's problem cells (a finding without a column marks the row's first cell). */
function markRow(row: ExcelJS.Row, findings: readonly Finding[]): number {
  const byColumn = new Map<number, Finding[]>();
  for (const f of findings) {
    const col = f.column ? columnNumber(f.column) : 1;
    const list = byColumn.get(col);
    if (list) list.push(f);
    else byColumn.set(col, [f]);
  }
  for (const [col, list] of byColumn) {
    const cell = row.getCell(col);
    const worst: Severity = list.some((f) => f.level === 'error') ? 'error' : 'warning';
    // A copied cell shares its style object with every cell of that style: replaced, not changed.
    cell.style = { ...cell.style, fill: fill(worst) };
    cell.note = noteOf(list);
  }
  return byColumn.size;
}

/**
 * exceljs's streaming reader, driven part by part (`xlsx-parts.ts`) rather than through its own
 * walk of the zip: the methods that parse one part each, and the sheet reader. exceljs is pinned
 * (4.4.0) and these are its internals: the marked copy's tests read every sheet of a grade book
 * and a workbook whose workbook part comes last, so a change shows.
 */
interface ReaderInternals {
  options: ExcelJS.stream.xlsx.WorkbookStreamReaderOptions;
  model?: { sheets?: Array<{ id: number; name: string; rId: string; state?: string }> };
  workbookRels?: Array<{ Id: string; Target: string }>;
  _parseRels(part: Readable): Promise<void>;
  _parseWorkbook(part: Readable): Promise<void>;
  _parseStyles(part: Readable): Promise<void>;
  _parseSharedStrings(part: Readable): AsyncIterable<unknown>;
}

interface SheetRowsReader extends AsyncIterable<ExcelJS.Row> {}
type SheetReaderClass = new (options: {
  workbook: ReaderInternals;
  id: number;
  iterator: AsyncIterable<string>;
  options: ExcelJS.stream.xlsx.WorkbookStreamReaderOptions;
}) => SheetRowsReader;

const WorksheetReader = createRequire(import.meta.url)(
  'exceljs/lib/stream/xlsx/worksheet-reader.js',
) as SheetReaderClass;

/** `worksheets/sheet1.xml` or `/xl/worksheets/sheet1.xml` → `xl/worksheets/sheet1.xml`. */
const partPath = (target: string): string =>
  target.startsWith('/') ? target.slice(1) : `xl/${target.replace(/^\.\//, '')}`;

type CellValue = ExcelJS.CellValue;

/** A cell's value for the copy: a formula's last result, a hyperlink's text. */
function copiedValue(value: CellValue): CellValue {
  if (value === null || typeof value !== 'object' || value instanceof Date) return value;
  if ('formula' in value || 'sharedFormula' in value) {
    const result = (value as { result?: unknown }).result;
    return result === undefined || (typeof result === 'object' && !(result instanceof Date))
      ? null
      : (result as CellValue);
  }
  if ('hyperlink' in value) return (value as { text?: string }).text ?? null;
  return value;
}

interface Copy {
  sheets: number;
  cells: number;
  names: string[];
}

/** A source row: its number, its cells (column, value, style) and height. */
interface SourceRow {
  n: number;
  cells: Array<[number, CellValue, Partial<ExcelJS.Style> | undefined]>;
  height?: number;
}

/** Rows read before the columns are sized (exceljs's streaming reader loses the file's widths). */
const SIZING_ROWS = 30;

function textLength(value: CellValue): number {
  if (value === null || value === undefined) return 0;
  if (value instanceof Date) return 10;
  if (typeof value === 'object' && 'richText' in value) {
    return value.richText.reduce((n, part) => n + part.text.length, 0);
  }
  return String(value).length;
}

/**
 * One sheet of the copy: rows written in order with their marks, rows only a finding names (a
 * blank row with a missing cell) marked in their place, columns sized from the first rows.
 */
class SheetCopy {
  cells = 0;
  private readonly sizing: SourceRow[] = [];
  private sized = false;
  private next = 1;

  constructor(
    private readonly sheet: ExcelJS.Worksheet,
    private readonly marks: Map<number, Finding[]> | undefined,
    private readonly progress: () => void = () => {},
  ) {}

  add(row: SourceRow): void {
    if (!this.sized) {
      this.sizing.push(row);
      if (this.sizing.length >= SIZING_ROWS) this.size();
      return;
    }
    this.write(row);
  }

  finish(): void {
    if (!this.sized) this.size();
    let last = this.next - 1;
    for (const n of this.marks?.keys() ?? []) if (n > last) last = n;
    this.markUpTo(last + 1);
    this.sheet.commit();
  }

  private size(): void {
    this.sized = true;
    const widths: number[] = [];
    for (const row of this.sizing) {
      // A title row (one cell, merged across the table in the file) says nothing of the widths.
      if (row.cells.length < 2) continue;
      for (const [col, value] of row.cells) {
        widths[col - 1] = Math.max(widths[col - 1] ?? 6, Math.min(textLength(value) + 2, 40));
      }
    }
    if (widths.length > 0) this.sheet.columns = Array.from(widths, (w) => ({ width: w ?? 9 }));
    for (const row of this.sizing.splice(0)) this.write(row);
  }

  private write(row: SourceRow): void {
    this.markUpTo(row.n);
    const out = this.sheet.getRow(row.n);
    if (row.height) out.height = row.height;
    for (const [col, value, style] of row.cells) {
      const cell = out.getCell(col);
      cell.value = value;
      if (style) cell.style = style;
    }
    const found = this.marks?.get(row.n);
    if (found) this.cells += markRow(out, found);
    out.commit();
    this.next = row.n + 1;
    this.progress();
  }

  /** Marks the rows before `n` that the file does not hold but a finding names. */
  private markUpTo(n: number): void {
    for (; this.next < n; this.next++) {
      const found = this.marks?.get(this.next);
      if (!found) continue;
      const out = this.sheet.getRow(this.next);
      this.cells += markRow(out, found);
      // A row without a value is not written at all unless it has a height.
      out.height = 15;
      out.commit();
    }
  }
}

async function copyXlsx(
  input: string,
  workbook: ExcelJS.stream.xlsx.WorkbookWriter,
  marks: Map<string, Map<number, Finding[]>>,
  limits: PartLimits,
  progress: () => void,
): Promise<Copy> {
  const zip = await XlsxParts.open(input, limits);
  const need = async (path: string): Promise<Readable> => {
    const part = await zip.open(path);
    if (!part) throw new ZipPartsError(`${input}: no ${path}`);
    return part;
  };
  const reader = new ExcelJS.stream.xlsx.WorkbookReader(input, {
    worksheets: 'emit',
    sharedStrings: 'cache',
    styles: 'cache',
    hyperlinks: 'ignore',
    entries: 'ignore',
  }) as unknown as ReaderInternals;
  await reader._parseRels(await need('xl/_rels/workbook.xml.rels'));
  await reader._parseWorkbook(await need('xl/workbook.xml'));
  const styles = await zip.open('xl/styles.xml');
  if (styles) await reader._parseStyles(styles);
  const strings = await zip.open('xl/sharedStrings.xml');
  if (strings) for await (const _ of reader._parseSharedStrings(strings));
  const targets = new Map((reader.workbookRels ?? []).map((r) => [r.Id, partPath(r.Target)]));
  const copy: Copy = { sheets: 0, cells: 0, names: [] };
  for (const entry of reader.model?.sheets ?? []) {
    const path = targets.get(entry.rId);
    const part = path ? await zip.open(path) : undefined;
    if (!part) continue;
    const hidden = entry.state === 'hidden' || entry.state === 'veryHidden';
    const sheet = workbook.addWorksheet(entry.name, hidden ? { state: 'hidden' } : {});
    copy.sheets++;
    copy.names.push(entry.name);
    const target = new SheetCopy(sheet, marks.get(entry.name), progress);
    const rows = new WorksheetReader({
      workbook: reader,
      id: entry.id,
      iterator: part,
      options: reader.options,
    });
    for await (const row of rows) {
      const cells: SourceRow['cells'] = [];
      row.eachCell({ includeEmpty: false }, (cell, col) => {
        const style = cell.style && Object.keys(cell.style).length > 0 ? cell.style : undefined;
        cells.push([col, copiedValue(cell.value), style]);
      });
      target.add({ n: row.number, cells, ...(row.height ? { height: row.height } : {}) });
    }
    target.finish();
    copy.cells += target.cells;
  }
  return copy;
}

/** UTF-16 text (a BOM says so) as UTF-8, for csv-parse; anything else passes. */
function utf16ToUtf8(): Transform {
  let decoder: InstanceType<typeof TextDecoder> | null | undefined;
  return new Transform({
    transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback) {
      if (decoder === undefined) {
        if (chunk[0] === 0xff && chunk[1] === 0xfe) decoder = new TextDecoder('utf-16le');
        else if (chunk[0] === 0xfe && chunk[1] === 0xff) decoder = new TextDecoder('utf-16be');
        else decoder = null;
      }
      done(null, decoder ? Buffer.from(decoder.decode(chunk, { stream: true }), 'utf8') : chunk);
    },
    flush(done: TransformCallback) {
      done(null, decoder ? Buffer.from(decoder.decode(), 'utf8') : undefined);
    },
  });
}

/** The delimiter splitting the first lines into the most fields (comma, semicolon or tab). */
async function csvDelimiter(path: string): Promise<string> {
  const handle = await open(path, 'r');
  let text: string;
  try {
    const buffer = Buffer.alloc(64 * 1024);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    const head = buffer.subarray(0, bytesRead);
    const utf16 = (head[0] === 0xff && head[1] === 0xfe) || (head[0] === 0xfe && head[1] === 0xff);
    text = new TextDecoder(utf16 ? (head[0] === 0xff ? 'utf-16le' : 'utf-16be') : 'utf-8').decode(head);
  } finally {
    await handle.close();
  }
  const lines = text
    .split(/\r?\n/)
    .slice(0, 50)
    .filter((l) => l.trim() !== '');
  if (lines.length > 1) lines.pop();
  const fields = (line: string, d: string) => {
    let n = 1;
    let quoted = false;
    for (const ch of line) {
      if (ch === '"') quoted = !quoted;
      else if (!quoted && ch === d) n++;
    }
    return n;
  };
  let best = ',';
  let bestScore = 1;
  for (const d of [',', ';', '\t']) {
    const counts = lines.map((l) => fields(l, d)).sort((a, b) => a - b);
    const score = counts[Math.floor(counts.length / 2)] ?? 1;
    if (score > bestScore) [best, bestScore] = [d, score];
  }
  return best;
}

async function copyCsv(
  input: string,
  workbook: ExcelJS.stream.xlsx.WorkbookWriter,
  marks: Map<string, Map<number, Finding[]>>,
  limits: Pick<InputLimits, 'maxCsvRecordBytes'>,
  progress: () => void,
): Promise<Copy> {
  // The excel adapter names a CSV's one sheet after the file, as Excel does.
  const name = basename(input, extname(input));
  const sheet = workbook.addWorksheet(name.slice(0, 31) || 'Sheet1');
  const rows = marks.get(name);
  const parser = parse({
    delimiter: await csvDelimiter(input),
    bom: true,
    cast: false,
    relax_column_count: true,
    relax_quotes: true,
    skip_empty_lines: false,
    max_record_size: limits.maxCsvRecordBytes,
  });
  const source = createReadStream(input);
  const decode = utf16ToUtf8();
  source.on('error', (e) => parser.destroy(e));
  decode.on('error', (e) => parser.destroy(e));
  source.pipe(decode).pipe(parser);
  const target = new SheetCopy(sheet, rows, progress);
  let n = 0;
  for await (const record of parser as AsyncIterable<string[]>) {
    n++;
    // Text as it was: a number typed into a CSV is text until Excel guesses, and an ID keeps its 0.
    const cells: SourceRow['cells'] = [];
    record.forEach((v, i) => {
      if (v !== '') cells.push([i + 1, v, undefined]);
    });
    target.add({ n, cells });
  }
  target.finish();
  return { sheets: 1, cells: target.cells, names: [sheet.name] };
}

/** The findings sheet's name: "Lỗi - Findings", numbered if the school's file has one already. */
function findingsSheetName(taken: readonly string[]): string {
  const lower = new Set(taken.map((t) => t.toLowerCase()));
  let name = FINDINGS_SHEET;
  for (let i = 2; lower.has(name.toLowerCase()); i++) name = `${FINDINGS_SHEET} (${i})`;
  return name;
}

function writeFindingsSheet(
  workbook: ExcelJS.stream.xlsx.WorkbookWriter,
  name: string,
  findings: readonly Finding[],
): void {
  const sheet = workbook.addWorksheet(name, { views: [{ state: 'frozen', ySplit: 1 }] });
  sheet.columns = [
    { header: 'Trang tính / Sheet', key: 'sheet', width: 18 },
    { header: 'Dòng / Row', key: 'row', width: 10 },
    { header: 'Cột / Column', key: 'column', width: 10 },
    { header: 'Trường / Field', key: 'field', width: 24 },
    { header: 'Mã / Code', key: 'code', width: 34 },
    { header: 'Mức / Severity', key: 'level', width: 18 },
    { header: 'Thông báo (tiếng Việt)', key: 'vi', width: 70 },
    { header: 'Message (English)', key: 'en', width: 70 },
  ];
  sheet.autoFilter = { from: 'A1', to: 'H1' };
  const header = sheet.getRow(1);
  header.font = { bold: true };
  header.fill = HEADER_FILL;
  header.commit();
  for (const f of findings) {
    const row = sheet.addRow({
      sheet: f.sheet,
      row: f.row,
      column: f.column,
      field: f.field,
      code: f.code,
      level: LEVEL_TEXT[f.level],
      vi: maskPersonalText(f.message.vi),
      en: maskPersonalText(f.message.en),
    });
    // The severity cell in the colour of the marks: the sheet is its own legend.
    row.getCell('level').fill = fill(f.level);
    row.commit();
  }
  sheet.commit();
}

type Format = 'xlsx' | 'csv' | null;

function formatOf(path: string): Format {
  const ext = extname(path).toLowerCase();
  if (ext === '.xlsx' || ext === '.xlsm') return 'xlsx';
  if (ext === '.csv' || ext === '.txt') return 'csv';
  return null;
}

async function writeWorkbook(
  path: string,
  options: MarkedCopyOptions,
  format: Format,
): Promise<MarkedCopyResult> {
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({
    filename: path,
    useStyles: true,
    // Inline text: a shared-string table would hold every text of the copy until the end.
    useSharedStrings: false,
  });
  workbook.creator = 'EduBridge';
  const marks = indexFindings(options.findings);
  const limits = options.limits ?? DEFAULT_INPUT_LIMITS;
  let copied = 0;
  const progress = () => options.onProgress?.(++copied);
  const copy =
    format === 'xlsx'
      ? await copyXlsx(options.input, workbook, marks, limits, progress)
      : format === 'csv'
        ? await copyCsv(options.input, workbook, marks, limits, progress)
        : { sheets: 0, cells: 0, names: [] };
  writeFindingsSheet(workbook, findingsSheetName(copy.names), options.findings);
  await workbook.commit();
  return {
    copied: format !== null,
    sheets: copy.sheets,
    cells: copy.cells,
    findings: options.findings.length,
  };
}

/**
 * Writes the marked copy of a school's file with its findings sheet.
 *
 * @example
 * const result = await importFile(excel, { file: 'C1-HocSinh.xlsx', … });
 * await writeMarkedCopy({ input: 'C1-HocSinh.xlsx', out: 'C1-HocSinh.loi.xlsx', findings: findingsOf(result) });
 */
export async function writeMarkedCopy(options: MarkedCopyOptions): Promise<MarkedCopyResult> {
  const partial = `${options.out}.partial`;
  const format = formatOf(options.input);
  let result: MarkedCopyResult;
  try {
    result = await writeWorkbook(partial, options, format);
  } catch (error) {
    await rm(partial, { force: true });
    if (format === null) throw error;
    // A file the adapter read but exceljs cannot: the findings are still worth having.
    result = await writeWorkbook(partial, options, null).catch(async (again: unknown) => {
      await rm(partial, { force: true });
      throw again;
    });
  }
  await rename(partial, options.out);
  return result;
}
