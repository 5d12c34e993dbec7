/**
 * The parts of an `.xlsx` (a zip) opened one at a time as streams of inflated bytes, within the
 * hub's bounds. A zip says how large its parts are, but a hostile one lies: the bounds are counted
 * on the bytes as they come out of the inflater, and a part is stopped (its file closed, nothing
 * more inflated) at the first chunk that goes over. What is read first is small and bounded: the
 * end of the file, for the number of entries, before the directory itself is read.
 *
 * - every part read from one workbook shares one budget of inflated bytes (`maxInflatedBytes`);
 * - a part inflating to more than `maxCompressionRatio` bytes per compressed byte consumed so far is
 *   a bomb (real sheets deflate 3–10 to 1, a deflate bomb about 1,000 to 1); the first 100 KiB of a
 *   part are let through, as Apache POI does, since a small part may legitimately be all one
 *   repeated tag;
 * - no run of bytes between two `<` may pass `maxXmlTextBytes`: the XML parser holds a text (or a
 *   tag) whole before handing it on, and memory goes many times its size;
 * - a directory listing more than `maxZipEntries` entries is refused before it is read;
 * - a part opened with a bound of its own (the sheet list, parsed whole into objects; the
 *   shared-string table, kept whole) stops at it.
 */
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { pipeline, Readable, Transform, type TransformCallback } from 'node:stream';
import zlib from 'node:zlib';
import { fileLimitError, type InputLimits } from '../../src/sdk/index.ts';

/** A part as the zip's central directory lists it (unzipper's names). */
export interface ZipEntry {
  path: string;
  type: string;
  flags: number;
  compressionMethod: number;
  compressedSize: number;
  offsetToLocalFileHeader: number;
}

/** What a workbook's parts have inflated to so far, against its bounds. */
export interface InflateBudget {
  /** The file's name, for messages. */
  readonly file: string;
  readonly limits: InputLimits;
  inflated: number;
}

/** The bounds a part may have of its own, besides the workbook's. */
export type PartBound = 'maxWorkbookPartBytes' | 'maxSharedStringsBytes';

/** Below this many inflated bytes a part's ratio is not judged (Apache POI's GRACE_ENTRY_SIZE). */
export const RATIO_GRACE_BYTES = 100 * 1024;
// Small reads keep the ratio judged early: the inflater holds at most this much compressed input.
const COMPRESSED_CHUNK = 16 * 1024;

const EOCD = 0x06054b50;
const ZIP64_LOCATOR = 0x07064b50;
const ZIP64_EOCD = 0x06064b50;
const LOCAL_HEADER = 0x04034b50;
const EOCD_MAX_DISTANCE = 22 + 0xffff;

/**
 * The number of entries a zip's end-of-central-directory record declares (zip64 included), or
 * undefined when there is none (the directory reader then reports a damaged file). Read from the
 * last 64 KiB only, so that a directory claiming millions of entries is refused before it is read.
 */
export async function zipEntryCount(path: string): Promise<number | undefined> {
  const handle = await open(path, 'r');
  try {
    const { size } = await handle.stat();
    const length = Math.min(size, EOCD_MAX_DISTANCE);
    const tail = Buffer.alloc(length);
    await handle.read(tail, 0, length, size - length);
    for (let at = length - 22; at >= 0; at--) {
      if (tail.readUInt32LE(at) !== EOCD) continue;
      const count = tail.readUInt16LE(at + 10);
      const directoryOffset = tail.readUInt32LE(at + 16);
      if (count !== 0xffff && directoryOffset !== 0xffffffff) return count;
      // zip64: the locator just before points at the zip64 record, which holds the real count.
      if (at < 20 || tail.readUInt32LE(at - 20) !== ZIP64_LOCATOR) return count;
      const record = Buffer.alloc(56);
      const { bytesRead } = await handle.read(record, 0, 56, Number(tail.readBigUInt64LE(at - 12)));
      if (bytesRead < 56 || record.readUInt32LE(0) !== ZIP64_EOCD) return count;
      return Number(record.readBigUInt64LE(32));
    }
    return undefined;
  } finally {
    await handle.close();
  }
}

/** Where an entry's data starts: after its local header, whose name and extra field vary. */
async function dataOffset(path: string, entry: ZipEntry): Promise<number> {
  const handle = await open(path, 'r');
  try {
    const header = Buffer.alloc(30);
    const { bytesRead } = await handle.read(header, 0, 30, entry.offsetToLocalFileHeader);
    if (bytesRead < 30 || header.readUInt32LE(0) !== LOCAL_HEADER) {
      throw new Error(`no local header for ${entry.path}`);
    }
    return entry.offsetToLocalFileHeader + 30 + header.readUInt16LE(26) + header.readUInt16LE(28);
  } finally {
    await handle.close();
  }
}

/** Counts what comes out of the inflater, and stops the part at the first chunk over a bound. */
class InflateMeter extends Transform {
  private inflated = 0;
  /** Bytes since the last `<`, across chunks. */
  private run = 0;

  constructor(
    private readonly budget: InflateBudget,
    private readonly inflater: zlib.InflateRaw | undefined,
    private readonly partBound: PartBound | undefined,
  ) {
    super();
  }

  /** The longest run without `<` the chunk ends or holds, the run it continues included. */
  private longestRun(chunk: Buffer): number {
    const first = chunk.indexOf(0x3c);
    if (first === -1) {
      this.run += chunk.length;
      return this.run;
    }
    let longest = this.run + first;
    const last = chunk.lastIndexOf(0x3c);
    // Runs inside the chunk are shorter than it: looked for only when the chunk itself is longer
    // than the bound (a bound set below the inflater's 16 KiB chunks).
    if (chunk.length > this.budget.limits.maxXmlTextBytes) {
      for (let at = first; at !== last; ) {
        const next = chunk.indexOf(0x3c, at + 1);
        longest = Math.max(longest, next - at);
        at = next;
      }
    }
    this.run = chunk.length - last;
    return Math.max(longest, this.run);
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    const { budget } = this;
    const { maxInflatedBytes, maxCompressionRatio } = budget.limits;
    this.inflated += chunk.length;
    budget.inflated += chunk.length;
    if (budget.inflated > maxInflatedBytes) {
      done(
        fileLimitError(budget.file, {
          limit: 'maxInflatedBytes',
          measured: budget.inflated,
          max: maxInflatedBytes,
        }),
      );
      return;
    }
    if (this.partBound && this.inflated > budget.limits[this.partBound]) {
      done(
        fileLimitError(budget.file, {
          limit: this.partBound,
          measured: this.inflated,
          max: budget.limits[this.partBound],
        }),
      );
      return;
    }
    const longest = this.longestRun(chunk);
    if (longest > budget.limits.maxXmlTextBytes) {
      done(
        fileLimitError(budget.file, {
          limit: 'maxXmlTextBytes',
          measured: longest,
          max: budget.limits.maxXmlTextBytes,
        }),
      );
      return;
    }
    // bytesWritten is the compressed input the inflater has consumed, not merely been given.
    if (this.inflater && this.inflated > RATIO_GRACE_BYTES) {
      const ratio = this.inflated / Math.max(1, this.inflater.bytesWritten);
      if (ratio > maxCompressionRatio) {
        done(
          fileLimitError(budget.file, {
            limit: 'maxCompressionRatio',
            measured: ratio,
            max: maxCompressionRatio,
          }),
        );
        return;
      }
    }
    done(null, chunk);
  }
}

/**
 * One part's inflated bytes. Destroying the stream (or a bound going over) closes the file and
 * stops the inflater; the bound's error is the stream's error.
 *
 * @example
 * const sheet = await openEntry('C1-HocSinh.xlsx', entry, { file: 'C1-HocSinh.xlsx', limits, inflated: 0 });
 */
export async function openEntry(
  path: string,
  entry: ZipEntry,
  budget: InflateBudget,
  /** A bound of this part's own, besides the workbook's. */
  partBound?: PartBound,
): Promise<Readable> {
  if (entry.flags & 0x1) throw new Error(`${entry.path} is encrypted`);
  if (entry.compressionMethod !== 0 && entry.compressionMethod !== 8) {
    throw new Error(`${entry.path} uses compression method ${entry.compressionMethod}`);
  }
  const start = await dataOffset(path, entry);
  const compressed =
    entry.compressedSize > 0
      ? createReadStream(path, {
          start,
          end: start + entry.compressedSize - 1,
          highWaterMark: COMPRESSED_CHUNK,
        })
      : Readable.from([]);
  const inflater = entry.compressionMethod === 8 ? zlib.createInflateRaw() : undefined;
  const meter = new InflateMeter(budget, inflater, partBound);
  // Errors reach the meter, which the reader holds; pipeline destroys every stage with it.
  const noop = () => {};
  if (inflater) pipeline(compressed, inflater, meter, noop);
  else pipeline(compressed, meter, noop);
  return meter;
}
