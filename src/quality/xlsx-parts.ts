/**
 * The parts of an `.xlsx` (a zip), found through its central directory and opened one at a time as
 * streams of text, for the marked copy. exceljs's streaming reader walks the zip from the front
 * with unzipper, and loses parts of a workbook whose sheets come before its shared strings (as
 * Excel and streaming writers save them): a 26-sheet grade book came out with 17 to 20 sheets, a
 * different number each run, and sheets named "Sheet1", "Sheet2" … when the workbook part comes
 * last (exceljs#2790, #3064). Reading the directory first gives every part, in the workbook's
 * order, by its name: what the excel adapter does too (`adapters/excel/xlsx.ts`, which src/ may not
 * import; a shared reader could move to the SDK).
 *
 * Bounded as the import is: the parts opened share one budget of inflated bytes
 * (`maxInflatedBytes`); the directory is read from the end of the file and refused past 4 MiB or
 * `maxZipEntries` entries. The file has passed the excel adapter's bounds already; these keep a
 * file changed in between from costing more.
 */
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { PassThrough, Readable, Transform, type TransformCallback } from 'node:stream';
import { createInflateRaw } from 'node:zlib';
import type { InputLimits } from '../sdk/limits.ts';

const EOCD = 0x06054b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;
const MAX_DIRECTORY_BYTES = 4 * 1024 * 1024;

/** A part as the central directory lists it. */
export interface ZipPart {
  path: string;
  method: number;
  compressedSize: number;
  offset: number;
}

/** The zip cannot be read here (no directory, zip64, a method other than stored or deflated …). */
export class ZipPartsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ZipPartsError';
  }
}

export type PartLimits = Pick<InputLimits, 'maxInflatedBytes' | 'maxZipEntries'>;

/**
 * Opens an `.xlsx`'s parts.
 *
 * @example
 * const zip = await XlsxParts.open('SoDiem-6A1.xlsx', DEFAULT_INPUT_LIMITS);
 * for await (const text of zip.open('xl/workbook.xml')!) …
 */
export class XlsxParts {
  private inflated = 0;

  private constructor(
    private readonly file: string,
    private readonly parts: ReadonlyMap<string, ZipPart>,
    private readonly limits: PartLimits,
  ) {}

  static async open(file: string, limits: PartLimits): Promise<XlsxParts> {
    return new XlsxParts(file, await readDirectory(file, limits), limits);
  }

  has(path: string): boolean {
    return this.parts.has(path);
  }

  /** The part's inflated text as a stream of strings (UTF-8 decoded across chunks), or undefined. */
  async open(path: string): Promise<Readable | undefined> {
    const part = this.parts.get(path);
    if (!part) return undefined;
    const start = await dataStart(this.file, part);
    if (part.compressedSize === 0) return Readable.from([]);
    if (part.method !== 0 && part.method !== 8) {
      throw new ZipPartsError(`${path}: compression method ${part.method}`);
    }
    const raw = createReadStream(this.file, { start, end: start + part.compressedSize - 1 });
    const budget = new Transform({
      transform: (chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback) => {
        this.inflated += chunk.length;
        if (this.inflated > this.limits.maxInflatedBytes) {
          done(new ZipPartsError(`${this.file}: more than ${this.limits.maxInflatedBytes} bytes inflated`));
          return;
        }
        done(null, chunk);
      },
    });
    const inflate = part.method === 8 ? createInflateRaw() : new PassThrough();
    raw.on('error', (error: Error) => budget.destroy(error));
    inflate.on('error', (error: Error) => budget.destroy(error));
    raw.pipe(inflate).pipe(budget);
    return budget.setEncoding('utf8');
  }
}

async function dataStart(file: string, part: ZipPart): Promise<number> {
  const handle = await open(file, 'r');
  try {
    const header = Buffer.alloc(30);
    await handle.read(header, 0, 30, part.offset);
    if (header.readUInt32LE(0) !== LOCAL) throw new ZipPartsError(`${part.path}: no local header`);
    return part.offset + 30 + header.readUInt16LE(26) + header.readUInt16LE(28);
  } finally {
    await handle.close();
  }
}

async function readDirectory(file: string, limits: PartLimits): Promise<Map<string, ZipPart>> {
  const handle = await open(file, 'r');
  try {
    const { size } = await handle.stat();
    const tailLength = Math.min(size, 64 * 1024 + 22);
    const tail = Buffer.alloc(tailLength);
    await handle.read(tail, 0, tailLength, size - tailLength);
    let at = -1;
    for (let i = tailLength - 22; i >= 0; i--) {
      if (tail.readUInt32LE(i) === EOCD) {
        at = i;
        break;
      }
    }
    if (at < 0) throw new ZipPartsError(`${file}: no zip directory`);
    const count = tail.readUInt16LE(at + 10);
    const directorySize = tail.readUInt32LE(at + 12);
    const directoryOffset = tail.readUInt32LE(at + 16);
    if (count === 0xffff || directoryOffset === 0xffffffff) throw new ZipPartsError(`${file}: zip64`);
    if (count > limits.maxZipEntries || directorySize > MAX_DIRECTORY_BYTES) {
      throw new ZipPartsError(`${file}: directory too large`);
    }
    if (directoryOffset + directorySize > size) throw new ZipPartsError(`${file}: damaged directory`);
    const directory = Buffer.alloc(directorySize);
    await handle.read(directory, 0, directorySize, directoryOffset);
    const parts = new Map<string, ZipPart>();
    for (let p = 0; p + 46 <= directory.length && directory.readUInt32LE(p) === CENTRAL; ) {
      const nameLength = directory.readUInt16LE(p + 28);
      const extraLength = directory.readUInt16LE(p + 30);
      const commentLength = directory.readUInt16LE(p + 32);
      const path = directory.toString('utf8', p + 46, p + 46 + nameLength);
      parts.set(path, {
        path,
        method: directory.readUInt16LE(p + 10),
        compressedSize: directory.readUInt32LE(p + 20),
        offset: directory.readUInt32LE(p + 42),
      });
      p += 46 + nameLength + extraLength + commentLength;
    }
    return parts;
  } finally {
    await handle.close();
  }
}
