/**
 * Spreadsheets that are markup with an Excel name. Many Vietnamese school systems "export to
 * Excel" by writing an HTML table and calling it `.xls`; older ones write Excel 2003's XML
 * spreadsheet (SpreadsheetML, `<?xml …?><Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet">`).
 * Excel opens both (after a warning), so schools hand them over as Excel files.
 *
 * Both are read here by a small streaming tokenizer, not a DOM: tags, text, comments, `<script>`
 * and `<style>` skipped, entities decoded. Of HTML only tables matter: a `<tr>` is a row, a `<td>`
 * or `<th>` a cell (text, `<br>` a line break), `colspan` and `rowspan` take the columns and rows
 * Excel merges; a line of text outside a table (a `<h3>` title, a `<p>`) is a row of one cell, as
 * Excel shows it, so titles above the table are read as titles. Row numbers count those rows. Of
 * SpreadsheetML each `<Worksheet>` is a sheet, `<Row ss:Index>` and `<Cell ss:Index
 * ss:MergeAcross>` place the cells, and `<Data ss:Type>` gives a number, text or a date.
 *
 * Bounded as the other formats are (`InputLimitError`, FILE_LIMIT_EXCEEDED): a tag or a run of
 * text longer than `maxXmlTextBytes` (the longest text between two `<`), a row wider than
 * `maxCellsPerRow` (a `colspan` counts its columns), a row's texts longer than `maxRowCharacters`.
 * Memory holds one chunk of the file, the tag or text in progress and the row in progress.
 */
import { createReadStream } from 'node:fs';
import { basename, extname } from 'node:path';
import { fileLimitError, type InputLimits, PermanentError } from '../../src/sdk/index.ts';
import type { SheetRow } from './cells.ts';
import { type CsvEncoding, csvEncodingOf } from './csv.ts';

/** What a markup file is. */
export type MarkupKind = 'html' | 'spreadsheetml';

const SNIFF_CHARS = 4096;

/**
 * What markup a file's first bytes are, if any: an HTML page (`<html`, `<!DOCTYPE html`, `<table`,
 * `<meta` …, after a BOM, blanks and comments) or an Excel 2003 XML spreadsheet (`<?xml` with the
 * `urn:schemas-microsoft-com:office:spreadsheet` namespace).
 *
 * @example
 * markupKindOf(Buffer.from('<html><body><table>…')) // 'html'
 */
export function markupKindOf(head: Buffer): MarkupKind | undefined {
  const encoding = csvEncodingOf(head);
  const text = new TextDecoder(encoding, { fatal: false })
    .decode(head.subarray(0, SNIFF_CHARS * 2))
    .replace(/^\ufeff/, '')
    .slice(0, SNIFF_CHARS)
    .toLowerCase();
  const start = text.replace(/^(?:\s|<!--[\s\S]*?-->)+/, '');
  if (start.startsWith('<?xml')) {
    if (text.includes('urn:schemas-microsoft-com:office:spreadsheet') && text.includes('<workbook'))
      return 'spreadsheetml';
    return /<html[\s>]/.test(text) ? 'html' : undefined;
  }
  if (/^<(?:!doctype html|html|head|body|meta|table|style|title)[\s>]/.test(start)) return 'html';
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Tokens

type Token =
  | { kind: 'open'; name: string; attrs: string; selfClosing: boolean }
  | { kind: 'close'; name: string }
  | { kind: 'text'; text: string };

const NAMED_ENTITIES: Record<string, string> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
  nbsp: '\u00a0',
  ndash: '–',
  mdash: '—',
  hellip: '…',
  laquo: '«',
  raquo: '»',
  // The Latin-1 letters Vietnamese shares; its own (ă, đ, ơ, ư, ạ …) come as &#…; when escaped.
  agrave: 'à',
  aacute: 'á',
  acirc: 'â',
  atilde: 'ã',
  egrave: 'è',
  eacute: 'é',
  ecirc: 'ê',
  igrave: 'ì',
  iacute: 'í',
  ograve: 'ò',
  oacute: 'ó',
  ocirc: 'ô',
  otilde: 'õ',
  ugrave: 'ù',
  uacute: 'ú',
  yacute: 'ý',
  Agrave: 'À',
  Aacute: 'Á',
  Acirc: 'Â',
  Atilde: 'Ã',
  Egrave: 'È',
  Eacute: 'É',
  Ecirc: 'Ê',
  Igrave: 'Ì',
  Iacute: 'Í',
  Ograve: 'Ò',
  Oacute: 'Ó',
  Ocirc: 'Ô',
  Otilde: 'Õ',
  Ugrave: 'Ù',
  Uacute: 'Ú',
  Yacute: 'Ý',
};

/** Text with its character references decoded (`&amp;`, `&#7841;`, `&#x1EA1;`, `&nbsp;`). */
export function decodeEntities(text: string): string {
  if (!text.includes('&')) return text;
  return text.replace(/&(#[xX][0-9a-fA-F]{1,6}|#\d{1,7}|[a-zA-Z]{2,8});/g, (whole, ref: string) => {
    if (ref[0] === '#') {
      const code =
        ref[1] === 'x' || ref[1] === 'X' ? Number.parseInt(ref.slice(2), 16) : Number(ref.slice(1));
      return code > 0 && code <= 0x10ffff && !(code >= 0xd800 && code <= 0xdfff)
        ? String.fromCodePoint(code)
        : whole;
    }
    return NAMED_ENTITIES[ref] ?? whole;
  });
}

/** An attribute of a tag's attribute text, by local name (`ss:Index` as `index`), case ignored. */
export function attribute(attrs: string, name: string): string | undefined {
  const re = /([^\s=/>]+)\s*(?:=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+)))?/g;
  for (let m = re.exec(attrs); m; m = re.exec(attrs)) {
    const key = m[1]!.toLowerCase();
    const local = key.slice(key.indexOf(':') + 1);
    if (local === name) return decodeEntities(m[2] ?? m[3] ?? m[4] ?? '');
  }
  return undefined;
}

/** Elements whose content is not text to show (skipped whole in HTML). */
const RAW_ELEMENTS = new Set(['script', 'style', 'title', 'textarea', 'xml']);

/**
 * Splits text chunks into tokens, holding only the tag or text in progress between two chunks.
 */
class Tokenizer {
  private carry = '';
  private text = '';
  /** Inside a comment, or inside a raw element (the closing tag looked for). */
  private skipUntil: string | null = null;

  constructor(
    private readonly html: boolean,
    private readonly file: string,
    private readonly limits: InputLimits,
  ) {}

  private tooLong(measured: number): never {
    throw fileLimitError(this.file, {
      limit: 'maxXmlTextBytes',
      measured,
      max: this.limits.maxXmlTextBytes,
    });
  }

  /** The tokens complete once `chunk` is added (`chunk` undefined: the end of the file). */
  push(chunk: string | undefined, out: Token[]): void {
    const buf = this.carry + (chunk ?? '');
    this.carry = '';
    let i = 0;
    const max = this.limits.maxXmlTextBytes;
    while (i < buf.length) {
      if (this.skipUntil !== null) {
        const marker = this.skipUntil;
        const found = new RegExp(marker.replace(/[/-]/g, '\\$&'), 'ig');
        found.lastIndex = i;
        const end = found.exec(buf)?.index ?? -1;
        if (end < 0) {
          // Keep what could be the start of the end marker.
          this.carry = buf.slice(Math.max(i, buf.length - marker.length));
          return;
        }
        i = end + marker.length;
        if (marker !== '-->') {
          // The raw element's closing tag, up to its '>'.
          const gt = buf.indexOf('>', i);
          if (gt < 0) {
            this.carry = buf.slice(end);
            return;
          }
          i = gt + 1;
        }
        this.skipUntil = null;
        continue;
      }
      const lt = buf.indexOf('<', i);
      if (lt < 0) {
        this.text += buf.slice(i);
        if (this.text.length > max) this.tooLong(this.text.length);
        return;
      }
      this.text += buf.slice(i, lt);
      if (this.text.length > max) this.tooLong(this.text.length);
      if (this.text !== '') {
        out.push({ kind: 'text', text: this.text });
        this.text = '';
      }
      if (buf.startsWith('<!--', lt)) {
        this.skipUntil = '-->';
        i = lt + 4;
        continue;
      }
      if (buf.length - lt < 4 && chunk !== undefined && '<!--'.startsWith(buf.slice(lt))) {
        this.carry = buf.slice(lt);
        return;
      }
      const end = tagEnd(buf, lt + 1);
      if (end < 0) {
        if (buf.length - lt > max) this.tooLong(buf.length - lt);
        if (chunk === undefined) return; // a tag cut by the end of the file
        this.carry = buf.slice(lt);
        return;
      }
      if (end - lt > max) this.tooLong(end - lt);
      const token = tokenOf(buf.slice(lt + 1, end));
      i = end + 1;
      if (!token) continue;
      out.push(token);
      if (this.html && token.kind === 'open' && !token.selfClosing && RAW_ELEMENTS.has(token.name)) {
        this.skipUntil = `</${token.name}`;
      }
    }
  }

  /** Text left at the end of the file. */
  end(out: Token[]): void {
    this.push(undefined, out);
    if (this.text !== '' && this.skipUntil === null) out.push({ kind: 'text', text: this.text });
    this.text = '';
  }
}

/** The `>` that ends a tag starting at `from`, quotes respected; -1 when not in `buf`. */
function tagEnd(buf: string, from: number): number {
  let quote = '';
  for (let j = from; j < buf.length; j++) {
    const c = buf[j];
    if (quote) {
      if (c === quote) quote = '';
    } else if (c === '"' || c === "'") {
      // A quote opens only inside an attribute value (after '='); a stray one does not.
      if (/=\s*$/.test(buf.slice(Math.max(from, j - 8), j))) quote = c;
    } else if (c === '>') return j;
  }
  return -1;
}

/** A tag's token: `tr`, `/td`, `ss:Row ss:Index="3"`; declarations (`!DOCTYPE`, `?xml`) give none. */
function tokenOf(inner: string): Token | undefined {
  if (inner.startsWith('!') || inner.startsWith('?')) return undefined;
  if (inner.startsWith('/')) {
    const name = /^\/\s*([^\s/>]+)/.exec(inner)?.[1];
    return name ? { kind: 'close', name: localName(name) } : undefined;
  }
  const m = /^([^\s/>]+)/.exec(inner);
  if (!m) return undefined;
  const selfClosing = /\/\s*$/.test(inner);
  return { kind: 'open', name: localName(m[1]!), attrs: inner.slice(m[1]!.length), selfClosing };
}

const localName = (name: string): string => {
  const lower = name.toLowerCase();
  return lower.slice(lower.indexOf(':') + 1);
};

/** A pull source of tokens, a chunk of the file at a time. */
class TokenStream {
  private tokens: Token[] = [];
  private at = 0;
  private done = false;
  private readonly chunks: AsyncIterator<string>;
  private readonly tokenizer: Tokenizer;

  constructor(chunks: AsyncIterable<string>, html: boolean, file: string, limits: InputLimits) {
    this.chunks = chunks[Symbol.asyncIterator]();
    this.tokenizer = new Tokenizer(html, file, limits);
  }

  /** Reads until a token is waiting; false at the end of the file. */
  async fill(signal: AbortSignal): Promise<boolean> {
    while (this.at >= this.tokens.length) {
      if (this.done) return false;
      signal.throwIfAborted();
      this.tokens = [];
      this.at = 0;
      const next = await this.chunks.next();
      if (next.done) {
        this.done = true;
        this.tokenizer.end(this.tokens);
      } else {
        this.tokenizer.push(next.value, this.tokens);
      }
    }
    return true;
  }

  /** The next token (fill() said one is waiting). */
  take(): Token {
    return this.tokens[this.at++]!;
  }

  async close(): Promise<void> {
    await this.chunks.return?.();
  }
}

/** The file's text, decoded as it streams (UTF-8, or UTF-16 by its BOM); a BOM is dropped. */
async function* decoded(path: string, encoding: CsvEncoding, file: string): AsyncGenerator<string> {
  const decoder = new TextDecoder(encoding, { fatal: false });
  let checked = false;
  for await (const chunk of createReadStream(path)) {
    const text = decoder.decode(chunk as Buffer, { stream: true });
    if (!checked && text.length > 0) {
      checked = true;
      // Not UTF-8 (a page saved in a legacy code page): its letters would come out wrong.
      if (text.includes('\ufffd')) {
        throw new PermanentError(
          'ENCODING_UNSUPPORTED',
          `Tệp "${file}" là trang HTML/XML không mã hoá UTF-8; hãy mở bằng Excel và Lưu thành .xlsx / "${file}" is an HTML/XML page not encoded in UTF-8; open it in Excel and Save As .xlsx`,
        );
      }
    }
    yield text;
  }
  const rest = decoder.decode();
  if (rest) yield rest;
}

// ---------------------------------------------------------------------------------------------
// Rows

const BATCH = 256;

/**
 * Columns that rowspans cover below their row at one time. Each row steps past the columns they
 * cover: without a bound, one row of 16,000 cells spanning a billion rows would make every later
 * row cost 16,000 steps. Header cells spanning two rows, a class merged down its students: a real
 * export has a few dozen. Beyond, a rowspan is read as 1 (the cell is kept; the rows under it are
 * not shifted).
 */
const MAX_ROWSPANS = 256;

/** The cells of a row in progress, bounded as they are placed. */
class RowBuilder {
  raw: unknown[] = [];
  characters = 0;

  constructor(
    private readonly file: string,
    private readonly limits: InputLimits,
    private readonly where: () => { vi: string; en: string },
  ) {}

  /** Checks a cell spanning columns `col`..`last` may be placed. */
  width(last: number): void {
    if (last > this.limits.maxCellsPerRow) {
      throw fileLimitError(
        this.file,
        { limit: 'maxCellsPerRow', measured: last, max: this.limits.maxCellsPerRow },
        this.where(),
      );
    }
  }

  /** Checks the row's texts and `pending` characters more (a cell in progress) are within bounds. */
  check(pending = 0): void {
    const measured = this.characters + pending;
    if (measured > this.limits.maxRowCharacters) {
      throw fileLimitError(
        this.file,
        { limit: 'maxRowCharacters', measured, max: this.limits.maxRowCharacters },
        this.where(),
      );
    }
  }

  set(col: number, value: unknown, length: number): void {
    this.characters += length;
    this.check();
    this.raw[col] = value;
  }
}

/** A cell's text as a browser shows it: blanks collapsed, `<br>` a line break, trimmed. */
function shownText(parts: string): string {
  return parts
    .replace(/\u00a0/g, ' ')
    .replace(/ *\n */g, '\n')
    .replace(/ {2,}/g, ' ')
    .trim();
}

const BLOCKS = new Set([
  'p',
  'div',
  'h1',
  'h2',
  'h3',
  'h4',
  'h5',
  'h6',
  'li',
  'caption',
  'center',
  'pre',
  'blockquote',
]);

/** The rows of an HTML page: its tables' rows, and each line of text outside them. */
async function* htmlRows(
  stream: TokenStream,
  file: string,
  limits: InputLimits,
  signal: AbortSignal,
): AsyncGenerator<SheetRow[]> {
  let n = 0;
  let batch: SheetRow[] = [];
  let tables = 0;
  let row: RowBuilder | null = null;
  let next = 1;
  let cell: { col: number; text: string } | null = null;
  /** Columns a rowspan covers below its row, with the last row number it covers. */
  const covered = new Map<number, number>();
  /** Whether column `c` of the row being built (number n + 1) is under a rowspan from above. */
  const isCovered = (c: number) => (covered.get(c) ?? 0) > n;
  let outside = '';
  const where = () => ({ vi: `dòng ${n + 1}`, en: `row ${n + 1}` });

  const emit = (raw: unknown[]) => {
    n++;
    batch.push({ n, raw, strings: null });
  };
  const endCell = () => {
    if (!cell || !row) return;
    const text = shownText(cell.text);
    if (text !== '') row.set(cell.col, text, text.length);
    cell = null;
  };
  const endRow = () => {
    if (!row) return;
    endCell();
    emit(row.raw);
    row = null;
  };
  const startRow = () => {
    endRow();
    row = new RowBuilder(file, limits, where);
    next = 1;
  };
  const flushOutside = () => {
    const text = shownText(outside);
    outside = '';
    if (text === '') return;
    const line = new RowBuilder(file, limits, where);
    line.set(1, text, text.length);
    emit(line.raw);
  };

  while (await stream.fill(signal)) {
    const token = stream.take();
    if (token.kind === 'text') {
      const text = decodeEntities(token.text).replace(/[ \t\r\n\f]+/g, ' ');
      // A cell or a line is held whole until it ends: bounded as it grows (`<b>x</b>` a million times).
      if (cell) {
        cell.text += text;
        row!.check(cell.text.length);
      } else if (tables === 0) {
        outside += text;
        if (outside.length > limits.maxRowCharacters)
          new RowBuilder(file, limits, where).check(outside.length);
      }
    } else if (token.kind === 'open') {
      switch (token.name) {
        case 'table':
          endRow();
          flushOutside();
          tables++;
          break;
        case 'tr':
          if (tables > 0) startRow();
          break;
        case 'td':
        case 'th': {
          if (tables === 0) break;
          if (!row) startRow();
          endCell();
          const colspan = Math.max(1, Number.parseInt(attribute(token.attrs, 'colspan') ?? '1', 10) || 1);
          const rowspan = Math.max(1, Number.parseInt(attribute(token.attrs, 'rowspan') ?? '1', 10) || 1);
          while (isCovered(next)) {
            next++;
            row!.width(next);
          }
          const last = next + colspan - 1;
          row!.width(last);
          cell = { col: next, text: '' };
          if (rowspan > 1) {
            if (covered.size + colspan > MAX_ROWSPANS) {
              for (const [c, until] of covered) if (until <= n) covered.delete(c);
            }
            if (covered.size + colspan <= MAX_ROWSPANS) {
              // This row is number n + 1; the span covers the rows after it.
              for (let c = next; c <= last; c++) covered.set(c, n + rowspan);
            }
          }
          next = last + 1;
          break;
        }
        case 'br':
          if (cell) cell.text += '\n';
          else if (tables === 0) flushOutside();
          break;
        default:
          if (tables === 0 && BLOCKS.has(token.name)) flushOutside();
      }
    } else {
      switch (token.name) {
        case 'table':
          endRow();
          tables = Math.max(0, tables - 1);
          break;
        case 'tr':
          endRow();
          break;
        case 'td':
        case 'th':
          endCell();
          break;
        default:
          if (tables === 0 && BLOCKS.has(token.name)) flushOutside();
      }
    }
    if (batch.length >= BATCH) {
      yield batch;
      batch = [];
    }
  }
  endRow();
  flushOutside();
  if (batch.length > 0) yield batch;
}

/** A SpreadsheetML `<Data>` as the cell value the other formats give: number, text, date. */
function dataValue(type: string | undefined, text: string): unknown {
  switch ((type ?? 'String').toLowerCase()) {
    case 'number': {
      const n = Number(text.trim());
      return text.trim() !== '' && Number.isFinite(n) ? n : text;
    }
    case 'datetime': {
      const date = new Date(/[zZ]|[+-]\d\d:?\d\d$/.test(text) ? text : `${text.trim()}Z`);
      return Number.isNaN(date.getTime()) ? text : date;
    }
    case 'boolean':
      return text.trim() === '1' || text.trim().toLowerCase() === 'true';
    case 'error':
      return undefined;
    default:
      return text === '' ? undefined : text;
  }
}

/** The rows of one `<Worksheet>`, up to its end tag; `state.ended` once it is reached. */
async function* worksheetRows(
  stream: TokenStream,
  sheet: string,
  file: string,
  limits: InputLimits,
  signal: AbortSignal,
  state: { ended: boolean },
): AsyncGenerator<SheetRow[]> {
  let batch: SheetRow[] = [];
  let rowNumber = 0;
  let row: RowBuilder | null = null;
  let col = 0;
  /** The column of the cell in progress (a merged cell's first). */
  let cellCol = 0;
  let data: { type: string | undefined; text: string } | null = null;
  const where = () => ({
    vi: `trang tính "${sheet}" dòng ${rowNumber}`,
    en: `sheet "${sheet}" row ${rowNumber}`,
  });
  while (await stream.fill(signal)) {
    const token = stream.take();
    if (token.kind === 'text') {
      if (data) {
        data.text += decodeEntities(token.text);
        if (data.text.length > limits.maxXmlTextBytes) {
          throw fileLimitError(file, {
            limit: 'maxXmlTextBytes',
            measured: data.text.length,
            max: limits.maxXmlTextBytes,
          });
        }
      }
      continue;
    }
    if (token.kind === 'open') {
      switch (token.name) {
        case 'row': {
          const index = Number.parseInt(attribute(token.attrs, 'index') ?? '', 10);
          rowNumber = index > rowNumber ? index : rowNumber + 1;
          row = new RowBuilder(file, limits, where);
          col = 0;
          if (token.selfClosing) {
            batch.push({ n: rowNumber, raw: row.raw, strings: null });
            row = null;
          }
          break;
        }
        case 'cell': {
          if (!row) break;
          const index = Number.parseInt(attribute(token.attrs, 'index') ?? '', 10);
          col = index > col ? index : col + 1;
          // The value goes in the cell's own column; the columns merged after it stay empty.
          cellCol = col;
          col += Math.max(0, Number.parseInt(attribute(token.attrs, 'mergeacross') ?? '0', 10) || 0);
          row.width(col);
          data = null;
          break;
        }
        case 'data':
          if (row && !token.selfClosing) data = { type: attribute(token.attrs, 'type'), text: '' };
          break;
      }
      continue;
    }
    switch (token.name) {
      case 'data':
        if (row && data) {
          const value = dataValue(data.type, data.text);
          if (value !== undefined) row.set(cellCol, value, data.text.length);
        }
        data = null;
        break;
      case 'row':
        if (row) batch.push({ n: rowNumber, raw: row.raw, strings: null });
        row = null;
        break;
      case 'worksheet':
        state.ended = true;
        if (batch.length > 0) yield batch;
        return;
    }
    if (batch.length >= BATCH) {
      yield batch;
      batch = [];
    }
  }
  state.ended = true;
  if (batch.length > 0) yield batch;
}

/** A sheet of a markup file, as `sheets.ts` hands sheets on. */
export interface MarkupSheet {
  name: string;
  hidden: boolean;
  rows: AsyncGenerator<SheetRow[]>;
  meta: { lastRow?: number };
}

/**
 * The sheets of an HTML page (one, named after the file, as Excel names it) or of an Excel 2003
 * XML spreadsheet (each `<Worksheet>`, in order). Take each sheet's rows before asking for the next.
 *
 * @example
 * for await (const sheet of readMarkupSheets('DanhSach.xls', 'html', 'DanhSach.xls', signal, limits))
 *   for await (const rows of sheet.rows) console.log(sheet.name, rows.length);
 */
export async function* readMarkupSheets(
  path: string,
  kind: MarkupKind,
  file: string,
  signal: AbortSignal,
  limits: InputLimits,
  head: Buffer,
): AsyncGenerator<MarkupSheet> {
  const stream = new TokenStream(decoded(path, csvEncodingOf(head), file), kind === 'html', file, limits);
  try {
    if (kind === 'html') {
      const rows = htmlRows(stream, file, limits, signal);
      yield { name: basename(path, extname(path)), hidden: false, rows, meta: {} };
      await rows.return(undefined);
      return;
    }
    let count = 0;
    while (await stream.fill(signal)) {
      const token = stream.take();
      if (token.kind !== 'open' || token.name !== 'worksheet' || token.selfClosing) continue;
      count++;
      const name = attribute(token.attrs, 'name') ?? `Sheet${count}`;
      const state = { ended: false };
      const rows = worksheetRows(stream, name, file, limits, signal, state);
      yield { name, hidden: false, rows, meta: {} };
      await rows.return(undefined);
      // A sheet left half-read: its remaining tokens up to its end tag are passed over.
      while (!state.ended && (await stream.fill(signal))) {
        const t = stream.take();
        if (t.kind === 'close' && t.name === 'worksheet') state.ended = true;
      }
    }
  } finally {
    await stream.close();
  }
}
