/**
 * Streams the rows of a `.csv` as Excel would show them: UTF-8 with or without a BOM, comma,
 * semicolon or tab between fields (found from the file's first lines), quoted fields that may hold
 * line breaks. Row numbers count records, blank lines included, as Excel numbers its rows.
 *
 * Excel's "Unicode Text (*.txt)" is UTF-16 little-endian with a BOM (FF FE), tab-separated, often
 * renamed `.csv`: it is decoded as it streams (a BOM FE FF is big-endian; a file without a BOM
 * whose every other byte is zero is taken as UTF-16 too) and read as any other text.
 *
 * A record is bounded while it is parsed (`InputLimitError`, FILE_LIMIT_EXCEEDED): csv-parse's
 * `max_record_size` counts the characters of its fields, but empty fields cost nothing there, and a
 * line of a million commas is a million-cell array; so the raw bytes of the record in progress
 * (delimiters included) are checked too, and each record's cells once it is complete.
 */
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { Transform, type TransformCallback } from 'node:stream';
import { CsvError, type Info, parse } from 'csv-parse';
import { fileLimitError, type InputLimits, PermanentError } from '../../src/sdk/index.ts';
import type { SheetRow } from './cells.ts';

const SAMPLE_BYTES = 64 * 1024;
const CANDIDATES = [',', ';', '\t'] as const;
const BATCH = 256;

/** Field count of a line for a delimiter, quotes respected. */
function fieldCount(line: string, delimiter: string): number {
  let n = 1;
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (ch === '"') quoted = !quoted;
    else if (!quoted && ch === delimiter) n++;
  }
  return n;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 1;
}

/**
 * The delimiter of a CSV sample: the one that splits its lines into the most fields (median over
 * the first lines). Title rows exported by Excel keep their empty fields (`A;;;;`), and decimal
 * commas (`7,5`) in a semicolon file split fewer fields than the semicolons do.
 *
 * @example
 * detectDelimiter('Mã HS;Họ tên;TX1\n790001;An;7,5\n') // ';'
 */
export function detectDelimiter(sample: string): ',' | ';' | '\t' {
  const lines = sample
    .split(/\r?\n/)
    .slice(0, 50)
    .filter((l) => l.trim() !== '');
  if (lines.length > 1) lines.pop(); // the sample may cut the last line short
  let best: (typeof CANDIDATES)[number] = ',';
  let bestScore = 1;
  for (const d of CANDIDATES) {
    const score = median(lines.map((l) => fieldCount(l, d)));
    if (score > bestScore) {
      best = d;
      bestScore = score;
    }
  }
  return best;
}

async function readSample(path: string): Promise<Buffer> {
  const handle = await open(path, 'r');
  try {
    const buffer = Buffer.alloc(SAMPLE_BYTES);
    const { bytesRead } = await handle.read(buffer, 0, SAMPLE_BYTES, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

/** The text encodings a CSV is read in. */
export type CsvEncoding = 'utf-8' | 'utf-16le' | 'utf-16be';

/**
 * The encoding of a sample: a UTF-16 BOM, else UTF-16 without one when most of the bytes at even
 * (big-endian) or odd (little-endian) offsets are zero (Vietnamese and ASCII text in UTF-16 has a
 * zero high byte for every ASCII letter, digit and separator), else UTF-8.
 *
 * @example
 * csvEncodingOf(Buffer.from([0xff, 0xfe, 0x4d, 0x00])) // 'utf-16le'
 */
export function csvEncodingOf(sample: Buffer): CsvEncoding {
  if (sample[0] === 0xff && sample[1] === 0xfe) return 'utf-16le';
  if (sample[0] === 0xfe && sample[1] === 0xff) return 'utf-16be';
  const pairs = Math.floor(Math.min(sample.length, 4096) / 2);
  if (pairs < 2) return 'utf-8';
  let evenZeros = 0;
  let oddZeros = 0;
  for (let i = 0; i < pairs; i++) {
    if (sample[2 * i] === 0) evenZeros++;
    if (sample[2 * i + 1] === 0) oddZeros++;
  }
  if (oddZeros >= pairs * 0.6 && evenZeros === 0) return 'utf-16le';
  if (evenZeros >= pairs * 0.6 && oddZeros === 0) return 'utf-16be';
  return 'utf-8';
}

/** UTF-16 bytes in, UTF-8 bytes out (the BOM dropped), one chunk at a time. */
function utf16ToUtf8(encoding: 'utf-16le' | 'utf-16be'): Transform {
  const decoder = new TextDecoder(encoding, { fatal: false });
  return new Transform({
    transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback) {
      done(null, Buffer.from(decoder.decode(chunk, { stream: true }), 'utf8'));
    },
    flush(done: TransformCallback) {
      done(null, Buffer.from(decoder.decode(), 'utf8'));
    },
  });
}

function encodingProblem(file: string): PermanentError {
  return new PermanentError(
    'ENCODING_UNSUPPORTED',
    `Tệp "${file}" không phải CSV UTF-8; trong Excel chọn Lưu thành "CSV UTF-8 (Comma delimited)" / "${file}" is not UTF-8 CSV; in Excel use Save As "CSV UTF-8 (Comma delimited)"`,
  );
}

/** Checks the encoding and finds the delimiter. */
export async function sniffCsv(
  path: string,
  file: string,
): Promise<{ delimiter: string; encoding: CsvEncoding }> {
  const sample = await readSample(path);
  const encoding = csvEncodingOf(sample);
  // A character cut at the end of a full sample is not an encoding fault (streaming decoding holds
  // it back); a whole small file is decoded to its last letter ("… Tốt\n").
  const text = new TextDecoder(encoding, { fatal: false }).decode(sample, {
    stream: sample.length === SAMPLE_BYTES,
  });
  if (text.includes('\ufffd')) throw encodingProblem(file);
  return { delimiter: detectDelimiter(text.replace(/^\ufeff/, '')), encoding };
}

const rowAt = (n: number) => ({ vi: `dòng ${n}`, en: `row ${n}` });

/**
 * The rows of a CSV file.
 *
 * @example
 * for await (const rows of readCsvRows('hs.csv', 'hs.csv', signal, DEFAULT_INPUT_LIMITS)) for (const row of rows) console.log(row.n);
 */
export async function* readCsvRows(
  path: string,
  file: string,
  signal: AbortSignal,
  limits: InputLimits,
): AsyncGenerator<SheetRow[]> {
  const { delimiter, encoding } = await sniffCsv(path, file);
  const { maxCsvRecordBytes, maxCellsPerRow } = limits;
  /** Records the parser has completed, and the byte where the last one ended. */
  let completed = 0;
  let recordStart = 0;
  const parser = parse({
    delimiter,
    bom: true,
    cast: false,
    relax_column_count: true,
    relax_quotes: true,
    skip_empty_lines: false,
    max_record_size: maxCsvRecordBytes,
    on_record: (record: string[], info: Info) => {
      completed++;
      const bytes = info.bytes - recordStart;
      recordStart = info.bytes;
      if (bytes > maxCsvRecordBytes) {
        throw fileLimitError(
          file,
          { limit: 'maxCsvRecordBytes', measured: bytes, max: maxCsvRecordBytes },
          rowAt(completed),
        );
      }
      if (record.length > maxCellsPerRow) {
        throw fileLimitError(
          file,
          { limit: 'maxCellsPerRow', measured: record.length, max: maxCellsPerRow },
          rowAt(completed),
        );
      }
      return record;
    },
  });
  const input = createReadStream(path);
  // Before each chunk goes in: the parser has read up to its last delimiter (`info.bytes`), all of
  // it part of the record in progress since the last one ended.
  const meter = new Transform({
    transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback) {
      const pending = parser.info.bytes - recordStart;
      if (pending > maxCsvRecordBytes) {
        done(
          fileLimitError(
            file,
            { limit: 'maxCsvRecordBytes', measured: pending, max: maxCsvRecordBytes },
            rowAt(completed + 1),
          ),
        );
        return;
      }
      done(null, chunk);
    },
  });
  input.on('error', (e) => parser.destroy(e));
  meter.on('error', (e) => parser.destroy(e));
  const decoder = encoding === 'utf-8' ? null : utf16ToUtf8(encoding);
  if (decoder) {
    decoder.on('error', (e) => parser.destroy(e));
    input.pipe(decoder).pipe(meter).pipe(parser);
  } else {
    input.pipe(meter).pipe(parser);
  }
  let n = 0;
  let batch: SheetRow[] = [];
  try {
    for await (const record of parser as AsyncIterable<string[]>) {
      n++;
      // Column numbers start at 1, as in the spreadsheet.
      const raw: unknown[] = new Array(record.length + 1);
      for (let i = 0; i < record.length; i++) raw[i + 1] = record[i];
      batch.push({ n, raw, strings: null });
      if (batch.length === BATCH) {
        signal.throwIfAborted();
        yield batch;
        batch = [];
      }
    }
    signal.throwIfAborted();
    if (batch.length > 0) yield batch;
  } catch (cause) {
    if (cause instanceof PermanentError || (cause as Error)?.name === 'AbortError') throw cause;
    // csv-parse's own bound, in the words of ours.
    if (cause instanceof CsvError && cause.code === 'CSV_MAX_RECORD_SIZE') {
      throw fileLimitError(
        file,
        { limit: 'maxCsvRecordBytes', measured: maxCsvRecordBytes + 1, max: maxCsvRecordBytes },
        rowAt(n + 1),
      );
    }
    throw new PermanentError(
      'FILE_UNREADABLE',
      `Không đọc được tệp CSV "${file}" ở dòng ${n + 1} / Cannot read the CSV file "${file}" at row ${n + 1}: ${(cause as Error)?.message}`,
      { cause },
    );
  } finally {
    parser.destroy();
    meter.destroy();
    decoder?.destroy();
    input.destroy();
  }
}
