/**
 * Hostile workbooks, for the tests and the benchmark of the excel adapter's bounds (issue 14): valid
 * `.xlsx` files whose parts are whatever a test needs, written by a small zip writer of our own so
 * that a part of hundreds of MB is deflated as it is made, never held whole. A zip bomb is a
 * C1-HocSinh sheet whose data row repeats (one megabyte deflates from hundreds), each row padded
 * with a run of spaces, the cheapest thing deflate knows.
 */
import { writeFile } from 'node:fs/promises';
import zlib from 'node:zlib';
import { C1_COLUMNS } from './students.ts';

/** One part of a zip: its path and its content, as chunks produced on demand. */
export interface ZipPart {
  name: string;
  content: string | Buffer | Iterable<string | Buffer>;
}

export interface ZipOptions {
  /**
   * What the headers say a part inflates to: the truth, or (as a bomb meant to slip past a reader
   * that trusts them) its compressed size.
   */
  declaredSizes?: 'true' | 'compressed';
}

function chunksOf(content: ZipPart['content']): Iterable<string | Buffer> {
  return typeof content === 'string' || Buffer.isBuffer(content) ? [content] : content;
}

/** Deflates a part as it is made; returns the compressed bytes, the CRC and the inflated size. */
async function deflatePart(content: ZipPart['content']) {
  const deflate = zlib.createDeflateRaw({ level: 9 });
  const out: Buffer[] = [];
  deflate.on('data', (chunk: Buffer) => out.push(chunk));
  const finished = new Promise<void>((resolve, reject) => {
    deflate.on('end', resolve);
    deflate.on('error', reject);
  });
  let crc = 0;
  let size = 0;
  for (const piece of chunksOf(content)) {
    const buffer = typeof piece === 'string' ? Buffer.from(piece, 'utf8') : piece;
    crc = zlib.crc32(buffer, crc);
    size += buffer.length;
    if (!deflate.write(buffer)) await new Promise((resolve) => deflate.once('drain', resolve));
  }
  deflate.end();
  await finished;
  return { data: Buffer.concat(out), crc, size };
}

/**
 * Writes a zip of `parts` (deflated, no zip64: each part under 4 GiB).
 *
 * @example
 * await writeZip('x.xlsx', [{ name: 'xl/workbook.xml', content: '<workbook/>' }]);
 */
export async function writeZip(path: string, parts: readonly ZipPart[], options: ZipOptions = {}) {
  const locals: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  let inflated = 0;
  for (const part of parts) {
    const { data, crc, size } = await deflatePart(part.content);
    inflated += size;
    const declared = options.declaredSizes === 'compressed' ? data.length : size;
    const name = Buffer.from(part.name, 'utf8');
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4); // version needed
    local.writeUInt16LE(0x0800, 6); // UTF-8 names
    local.writeUInt16LE(8, 8); // deflate
    local.writeUInt16LE(0, 10); // time
    local.writeUInt16LE(0x21, 12); // 1980-01-01
    local.writeUInt32LE(crc >>> 0, 14);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(declared, 22);
    local.writeUInt16LE(name.length, 26);
    local.writeUInt16LE(0, 28);
    const entry = Buffer.alloc(46);
    entry.writeUInt32LE(0x02014b50, 0);
    entry.writeUInt16LE(20, 4); // made by
    entry.writeUInt16LE(20, 6);
    entry.writeUInt16LE(0x0800, 8);
    entry.writeUInt16LE(8, 10);
    entry.writeUInt16LE(0, 12);
    entry.writeUInt16LE(0x21, 14);
    entry.writeUInt32LE(crc >>> 0, 16);
    entry.writeUInt32LE(data.length, 20);
    entry.writeUInt32LE(declared, 24);
    entry.writeUInt16LE(name.length, 28);
    // extra, comment, disk, internal and external attributes: 0
    entry.writeUInt32LE(offset, 42);
    locals.push(local, name, data);
    central.push(entry, name);
    offset += local.length + name.length + data.length;
  }
  const directory = Buffer.concat(central);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(parts.length, 8);
  end.writeUInt16LE(parts.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  const file = Buffer.concat([...locals, directory, end]);
  await writeFile(path, file);
  return { bytes: file.length, inflatedBytes: inflated };
}

const MAIN = 'http://schemas.openxmlformats.org/spreadsheetml/2006/main';
const REL = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships';
const XML = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n';

export const escapeXml = (text: string) =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** An inline-string cell (no shared-string table needed). */
export const textCell = (text: string, ref?: string) =>
  `<c${ref ? ` r="${ref}"` : ''} t="inlineStr"><is><t>${escapeXml(text)}</t></is></c>`;

/**
 * The parts of a one-sheet workbook around the given sheet XML (and shared strings, if any): what
 * Excel needs to open it and the adapter to find its sheet.
 */
export function workbookParts(options: {
  sheet: ZipPart['content'];
  sharedStrings?: ZipPart['content'];
  sheetName?: string;
  /** More parts, as a workbook with drawings or attachments has. */
  extra?: readonly ZipPart[];
}): ZipPart[] {
  const shared = options.sharedStrings !== undefined;
  return [
    {
      name: '[Content_Types].xml',
      content: `${XML}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>${shared ? '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>' : ''}</Types>`,
    },
    {
      name: '_rels/.rels',
      content: `${XML}<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="${REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>`,
    },
    {
      name: 'xl/workbook.xml',
      content: `${XML}<workbook xmlns="${MAIN}" xmlns:r="${REL}"><sheets><sheet name="${escapeXml(options.sheetName ?? 'Sheet1')}" sheetId="1" r:id="rId1"/></sheets></workbook>`,
    },
    {
      name: 'xl/_rels/workbook.xml.rels',
      content: `${XML}<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="${REL}/worksheet" Target="worksheets/sheet1.xml"/>${shared ? `<Relationship Id="rId2" Type="${REL}/sharedStrings" Target="sharedStrings.xml"/>` : ''}</Relationships>`,
    },
    ...(shared ? [{ name: 'xl/sharedStrings.xml', content: options.sharedStrings! }] : []),
    { name: 'xl/worksheets/sheet1.xml', content: options.sheet },
    ...(options.extra ?? []),
  ];
}

/** A sheet's XML around rows produced on demand. */
export function* sheetXml(rows: Iterable<string | Buffer>): Generator<string | Buffer> {
  yield `${XML}<worksheet xmlns="${MAIN}"><sheetData>`;
  yield* rows;
  yield '</sheetData></worksheet>';
}

/** One student as a C1-HocSinh row shows them, the same on every row of a bomb. */
const BOMB_ROW = [
  '1',
  '6A1',
  '7900000001',
  'Nguyễn Văn An',
  '05/09/2014',
  'Nam',
  'Đang học',
  '05/09/2025',
  'Kinh',
  '',
  '079214000001',
  'Nguyễn Văn Bình',
  '079080000001',
  '01/01/1980',
  '0901234567',
  'Trần Thị Cúc',
  '079180000001',
  '02/02/1982',
  '0907654321',
];

export interface BombOptions {
  /** Bytes the sheet's XML inflates to (about: whole rows). */
  inflatedBytes: number;
  /** Spaces between each row's last cell and its end: more, and the file deflates further. */
  padding?: number;
  declaredSizes?: ZipOptions['declaredSizes'];
}

/**
 * A zip bomb dressed as a MOET C1-HocSinh student list: a header the excel adapter recognises, then
 * one student's row over and over (every row a duplicate to report). With the default padding,
 * 1.3 MB inflates to 600 MiB.
 *
 * @example
 * const { bytes, inflatedBytes } = await writeXlsxBomb('bomb.xlsx', { inflatedBytes: 600 * 1024 ** 2 });
 */
export async function writeXlsxBomb(path: string, options: BombOptions) {
  const padding = ' '.repeat(options.padding ?? 4_500);
  const row = `<row>${BOMB_ROW.map((text) => textCell(text)).join('')}${padding}</row>`;
  // Rows go to the deflater a megabyte at a time: few, large writes.
  const block = row.repeat(Math.max(1, Math.floor(1_048_576 / row.length)));
  const header = `<row r="1">${C1_COLUMNS.map((c) => textCell(c.header)).join('')}</row>`;
  const blocks = Math.max(1, Math.round(options.inflatedBytes / Buffer.byteLength(block)));
  function* rows() {
    yield header;
    const bytes = Buffer.from(block, 'utf8');
    for (let i = 0; i < blocks; i++) yield bytes;
  }
  return writeZip(
    path,
    workbookParts({ sheet: sheetXml(rows()) }),
    options.declaredSizes ? { declaredSizes: options.declaredSizes } : {},
  );
}
