/**
 * Streams the rows of an `.xlsx` with exceljs's streaming machinery, sheet after sheet, in bounded
 * memory: its WorkbookReader reads the workbook's parts (relationships, sheet names, shared
 * strings), its SAX layer (saxes) each sheet's XML. Rows are taken from the SAX events directly
 * rather than through WorksheetReader's Row and Cell objects: those cost six objects a cell and
 * most of an import's garbage collection (20 % of the time on 200,000 students).
 *
 * exceljs 4.4.0's WorkbookReader reads the zip in one streaming pass and, on workbooks it wrote
 * itself (workbook.xml last), drops worksheets and sheet names (exceljs#2790, #3064); it also
 * decodes each chunk of XML on its own, which garbles a Vietnamese letter cut between two chunks.
 * So the parts are taken from the zip's central directory (as the upstream fix does), in the order
 * that makes sense (relationships, workbook, shared strings, then each sheet in tab order), and
 * handed to exceljs already decoded as UTF-8 text.
 *
 * Shared strings (every text cell Excel saves goes through that table) are kept in a compact UTF-8
 * store instead of exceljs's cache of JS strings, which costs several hundred bytes a string and
 * grows past 500 MB on a 200,000-row export.
 *
 * A workbook is a zip a school sends: its parts are opened through zip.ts, which counts the
 * inflated bytes against the hub's bounds as they flow; the string table and each row are bounded
 * here, as they are built (`InputLimitError`, FILE_LIMIT_EXCEEDED).
 */
import { createRequire } from 'node:module';
import type { Readable } from 'node:stream';
import ExcelJS from 'exceljs';
import { fileLimitError, InputLimitError, type InputLimits, PermanentError } from '../../src/sdk/index.ts';
import type { SheetRow, StringTable } from './cells.ts';
import { type InflateBudget, openEntry, type PartBound, type ZipEntry, zipEntryCount } from './zip.ts';

const CHUNK = 1 << 20;
const CACHE = 4096;

/** Shared strings as UTF-8 in 1 MiB chunks, decoded on demand, with a small cache for repeats. */
export class CompactStrings implements StringTable {
  private readonly chunks: Buffer[] = [];
  private current = Buffer.allocUnsafe(CHUNK);
  private used = 0;
  private chunkOf = new Uint32Array(1024);
  private startOf = new Uint32Array(1024);
  private lengthOf = new Uint32Array(1024);
  private readonly cacheIndex = new Int32Array(CACHE).fill(-1);
  private readonly cacheValue: string[] = new Array(CACHE).fill('');
  size = 0;

  add(text: string): void {
    const bytes = Buffer.byteLength(text, 'utf8');
    if (this.used + bytes > this.current.length) {
      this.chunks.push(this.current.subarray(0, this.used));
      this.current = Buffer.allocUnsafe(Math.max(CHUNK, bytes));
      this.used = 0;
    }
    if (this.size === this.chunkOf.length) this.grow();
    const i = this.size++;
    this.current.write(text, this.used, 'utf8');
    this.chunkOf[i] = this.chunks.length;
    this.startOf[i] = this.used;
    this.lengthOf[i] = bytes;
    this.used += bytes;
  }

  private grow(): void {
    const widen = (a: Uint32Array) => {
      const b = new Uint32Array(a.length * 2);
      b.set(a);
      return b;
    };
    this.chunkOf = widen(this.chunkOf);
    this.startOf = widen(this.startOf);
    this.lengthOf = widen(this.lengthOf);
  }

  get(index: number): string {
    if (!(index >= 0 && index < this.size)) return '';
    const slot = index & (CACHE - 1);
    if (this.cacheIndex[slot] === index) return this.cacheValue[slot]!;
    const c = this.chunkOf[index]!;
    const chunk = c === this.chunks.length ? this.current : this.chunks[c]!;
    const start = this.startOf[index]!;
    const value = chunk.toString('utf8', start, start + this.lengthOf[index]!);
    this.cacheIndex[slot] = index;
    this.cacheValue[slot] = value;
    return value;
  }
}

export interface XlsxSheet {
  name: string;
  hidden: boolean;
  /** Rows in batches (those of one chunk of the sheet's XML): one await per batch, not per row. */
  rows: AsyncGenerator<SheetRow[]>;
  /** The sheet's last row as its `<dimension>` states it, once the first rows are read. */
  meta: { lastRow?: number };
}

interface WorkbookInternals {
  options: Record<string, unknown>;
  workbookRels?: Array<{ Id: string; Target: string }>;
  model?: { sheets?: Array<{ id: number; name: string; state?: string; rId: string }> };
  _parseRels(entry: AsyncIterable<unknown>): Promise<void>;
  _parseWorkbook(entry: AsyncIterable<unknown>): Promise<void>;
  _parseSharedStrings(entry: AsyncIterable<unknown>): AsyncGenerator<{ index: number; text: unknown }>;
}

type SaxEvent = { eventType: string; value: unknown };
type SaxParse = (iterable: AsyncIterable<unknown>) => AsyncGenerator<SaxEvent[]>;

// exceljs's own copy of unzipper, and its SAX helper (neither is exported by its index).
const fromExceljs = createRequire(createRequire(import.meta.url).resolve('exceljs'));
const unzipper = fromExceljs('unzipper') as { Open: { file(path: string): Promise<{ files: ZipEntry[] }> } };
const parseSax = fromExceljs('./lib/utils/parse-sax.js') as SaxParse;

function unreadable(file: string, cause: unknown): PermanentError {
  // A bound that went over is said as such, not as a damaged file.
  if (cause instanceof InputLimitError) return cause;
  return new PermanentError(
    'FILE_UNREADABLE',
    `Không đọc được tệp Excel "${file}" (tệp hỏng hoặc không phải .xlsx; hãy mở và lưu lại bằng Excel dạng .xlsx) / Cannot read the Excel file "${file}" (damaged or not an .xlsx; open it and save it again as .xlsx): ${(cause as Error)?.message ?? cause}`,
    { cause },
  );
}

/** An entry's content as UTF-8 text chunks (a letter is never cut between two chunks). */
async function textOf(
  path: string,
  entry: ZipEntry,
  budget: InflateBudget,
  open: Set<Readable>,
  partBound?: PartBound,
): Promise<Readable> {
  const stream = await openEntry(path, entry, budget, partBound);
  stream.setEncoding('utf8');
  open.add(stream);
  stream.once('close', () => open.delete(stream));
  stream.on('error', () => {});
  return stream;
}

/** Column number of a cell reference: `AB12` → 28. */
function columnOf(ref: string): number {
  let col = 0;
  for (let i = 0; i < ref.length; i++) {
    const code = ref.charCodeAt(i);
    if (code < 65) break;
    col = col * 26 + ((code >= 97 ? code - 32 : code) - 64);
  }
  return col;
}

/** The element's name without a namespace prefix (`x:row` → `row`). */
const local = (name: string): string => {
  const colon = name.indexOf(':');
  return colon < 0 ? name : name.slice(colon + 1);
};

/**
 * A cell's raw value from its type attribute and text: a shared string's index (resolved later, if
 * the column is read), text, a number, a boolean; undefined for an error or an empty cell.
 */
function cellValue(type: string | undefined, text: string | null): unknown {
  if (text === null) return undefined;
  switch (type) {
    case 's':
      return { sharedString: Number.parseInt(text, 10) };
    case 'str':
    case 'inlineStr':
    case 'd':
      return text;
    case 'b':
      return text === '1' || text === 'true';
    case 'e':
      return undefined;
    default:
      return text === '' ? undefined : Number(text);
  }
}

interface Attributes {
  attributes: Record<string, string>;
  name: string;
}

/** The rows of one worksheet's XML, in batches (those of one chunk). */
async function* sheetRows(
  text: AsyncIterable<unknown>,
  strings: CompactStrings,
  where: { file: string; sheet: string; limits: InputLimits },
  signal: AbortSignal,
  meta: { lastRow?: number },
): AsyncGenerator<SheetRow[]> {
  const { file, sheet } = where;
  const { maxCellsPerRow, maxRowCharacters } = where.limits;
  const rowAt = () => ({
    vi: `trang tính "${sheet}" dòng ${rowNumber}`,
    en: `sheet "${sheet}" row ${rowNumber}`,
  });
  const events = parseSax(text);
  let rowNumber = 0;
  let raw: unknown[] | null = null;
  let col = 0;
  /** Cells of the row so far: its width is the larger of that and its highest column. */
  let cells = 0;
  /** Characters of the row's texts so far: a row is held whole until it is mapped. */
  let characters = 0;
  let type: string | undefined;
  let value: string | null = null;
  /** Inside <v>, or inside <t> of an inline string (<is>). */
  let capture = false;
  let inline = false;
  try {
    for (;;) {
      signal.throwIfAborted();
      let next: IteratorResult<SaxEvent[]>;
      try {
        next = await events.next();
      } catch (cause) {
        throw unreadable(file, cause);
      }
      if (next.done) return;
      const batch: SheetRow[] = [];
      for (const event of next.value) {
        if (event.eventType === 'text') {
          if (capture) value += event.value as string;
          continue;
        }
        const node = event.value as Attributes;
        const name = local(node.name);
        if (event.eventType === 'opentag') {
          switch (name) {
            case 'row': {
              const r = node.attributes.r;
              rowNumber = r ? Number.parseInt(r, 10) : rowNumber + 1;
              raw = [];
              col = 0;
              cells = 0;
              characters = 0;
              break;
            }
            case 'c': {
              const ref = node.attributes.r;
              col = ref ? columnOf(ref) : col + 1;
              cells++;
              // Checked before the cell lands in the row: `raw[col]` of a column like
              // ZZZZZZ would make a sparse array that later loops walk to its end.
              const width = Math.max(col, cells);
              if (width > maxCellsPerRow) {
                throw fileLimitError(
                  file,
                  { limit: 'maxCellsPerRow', measured: width, max: maxCellsPerRow },
                  rowAt(),
                );
              }
              type = node.attributes.t;
              value = null;
              break;
            }
            case 'v':
              value = '';
              capture = true;
              break;
            case 'is':
              value = '';
              inline = true;
              break;
            case 't':
              if (inline) capture = true;
              break;
            case 'dimension': {
              const last = /(\d+)$/.exec(node.attributes.ref ?? '');
              if (last) meta.lastRow = Number(last[1]);
              break;
            }
          }
        } else if (event.eventType === 'closetag') {
          switch (name) {
            case 'v':
            case 't':
              capture = false;
              break;
            case 'is':
              inline = false;
              break;
            case 'c':
              if (raw) {
                characters += value?.length ?? 0;
                if (characters > maxRowCharacters) {
                  throw fileLimitError(
                    file,
                    { limit: 'maxRowCharacters', measured: characters, max: maxRowCharacters },
                    rowAt(),
                  );
                }
                const v = cellValue(type, value);
                if (v !== undefined) raw[col] = v;
              }
              break;
            case 'row':
              if (raw) batch.push({ n: rowNumber, raw, strings });
              raw = null;
              break;
          }
        }
      }
      if (batch.length > 0) yield batch;
    }
  } finally {
    await events.return(undefined);
  }
}

const partPath = (target: string) => (target.startsWith('/') ? target.slice(1) : `xl/${target}`);

/**
 * The sheets of a workbook, in tab order, each with its rows. Take each sheet's rows before asking
 * for the next sheet; a sheet left half-read is closed when the next one is asked for.
 *
 * @example
 * for await (const sheet of readXlsxSheets('C1-HocSinh.xlsx', 'C1-HocSinh.xlsx', signal))
 *   for await (const rows of sheet.rows) console.log(sheet.name, rows.length);
 */
export async function* readXlsxSheets(
  path: string,
  file: string,
  signal: AbortSignal,
  limits: InputLimits,
): AsyncGenerator<XlsxSheet> {
  const open = new Set<Readable>();
  const strings = new CompactStrings();
  const budget: InflateBudget = { file, limits, inflated: 0 };
  let current: AsyncGenerator<SheetRow[]> | null = null;
  try {
    let entries: Map<string, ZipEntry>;
    const reader = new ExcelJS.stream.xlsx.WorkbookReader(path, {
      worksheets: 'emit',
      sharedStrings: 'emit',
      hyperlinks: 'ignore',
      // Without styles a date cell comes as its serial number, which parseDate reads; styles would
      // cost a lookup per cell.
      styles: 'ignore',
      entries: 'ignore',
    }) as unknown as WorkbookInternals;
    try {
      // Before the directory is read: unzipper reads every entry it declares, and allocates for them.
      const count = await zipEntryCount(path);
      if (count !== undefined && count > limits.maxZipEntries) {
        throw fileLimitError(file, { limit: 'maxZipEntries', measured: count, max: limits.maxZipEntries });
      }
      const directory = await unzipper.Open.file(path);
      entries = new Map(
        directory.files.filter((f) => f.type === 'File').map((f) => [f.path.replace(/^\//, ''), f]),
      );
      const part = (name: string) => entries.get(name);
      const rels = part('xl/_rels/workbook.xml.rels');
      const workbook = part('xl/workbook.xml');
      if (!rels || !workbook) throw new Error('no xl/workbook.xml in the archive');
      // Parsed whole into objects (the sheet list): bounded on their own, not only by the total.
      await reader._parseRels(await textOf(path, rels, budget, open, 'maxWorkbookPartBytes'));
      await reader._parseWorkbook(await textOf(path, workbook, budget, open, 'maxWorkbookPartBytes'));
      const shared = part('xl/sharedStrings.xml');
      if (shared) {
        const table = await textOf(path, shared, budget, open, 'maxSharedStringsBytes');
        for await (const item of reader._parseSharedStrings(table)) {
          signal.throwIfAborted();
          if (strings.size >= limits.maxSharedStrings) {
            throw fileLimitError(file, {
              limit: 'maxSharedStrings',
              measured: strings.size + 1,
              max: limits.maxSharedStrings,
            });
          }
          const text = item.text as string | { richText?: Array<{ text?: string }> } | null;
          strings.add(
            typeof text === 'string'
              ? text
              : Array.isArray(text?.richText)
                ? text.richText.map((r) => r.text ?? '').join('')
                : '',
          );
        }
      }
    } catch (cause) {
      if ((cause as Error)?.name === 'AbortError') throw cause;
      throw unreadable(file, cause);
    }
    for (const sheet of reader.model?.sheets ?? []) {
      signal.throwIfAborted();
      const rel = reader.workbookRels?.find((r) => r.Id === sheet.rId);
      const entry = rel ? entries.get(partPath(rel.Target)) : undefined;
      if (!entry) continue;
      const meta: { lastRow?: number } = {};
      let text: Readable;
      try {
        text = await textOf(path, entry, budget, open);
      } catch (cause) {
        throw unreadable(file, cause);
      }
      current = sheetRows(text, strings, { file, sheet: sheet.name, limits }, signal, meta);
      yield {
        name: sheet.name,
        hidden: sheet.state === 'hidden' || sheet.state === 'veryHidden',
        rows: current,
        meta,
      };
      await current.return(undefined);
      current = null;
    }
  } finally {
    if (current) await current.return(undefined);
    for (const stream of open) stream.destroy();
  }
}
