/**
 * Incremental reads of files. The checkpoint keeps, per file, its SHA-256 and a fingerprint of the
 * config that maps it: an unchanged file is not opened again. For a file of up to `maxTrackedRows`
 * rows it also keeps each record's natural id and a hash of its content, so a changed file yields
 * only the rows that changed, and the ids that left it come out as deletions. A larger file is
 * re-read whole when it changes, without deletions (the hub's ledger sees those on a full read).
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import type { CanonicalRecord } from '../../src/model/index.ts';
import { type Checkpoint, PermanentError } from '../../src/sdk/index.ts';
import type { ExcelConfig, FileSpec } from './config.ts';

export interface FileState {
  sha256: string;
  /** Fingerprint of what maps the file (kind, sheet, school, profile, adapter version). */
  config: string;
  /** Records and rejections the file gave. */
  rows: number;
  /** `id<TAB>hash` lines, raw-deflated, base64; absent when the file has more rows than tracked. */
  entries?: string;
}

export interface ExcelCheckpoint {
  v: 1;
  system: string;
  stream: string;
  files: Record<string, FileState>;
}

/** The previous checkpoint if it is one of ours for the same school and stream, else undefined. */
export function decodeCheckpoint(
  checkpoint: Checkpoint | undefined,
  system: string,
  stream: string,
): ExcelCheckpoint | undefined {
  if (!checkpoint || typeof checkpoint !== 'object' || Array.isArray(checkpoint)) return undefined;
  const cp = checkpoint as unknown as Partial<ExcelCheckpoint>;
  if (cp.v !== 1 || cp.system !== system || cp.stream !== stream || typeof cp.files !== 'object')
    return undefined;
  return cp as ExcelCheckpoint;
}

export function encodeCheckpoint(cp: ExcelCheckpoint): Checkpoint {
  return JSON.parse(JSON.stringify(cp)) as Checkpoint;
}

/** SHA-256 of a file, streamed. */
export async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  try {
    for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  } catch (cause) {
    throw new PermanentError('FILE_NOT_FOUND', `Không đọc được tệp "${path}" / Cannot read file "${path}"`, {
      cause,
    });
  }
  return hash.digest('hex');
}

export function configFingerprint(file: FileSpec, config: ExcelConfig, adapterVersion: string): string {
  const relevant = {
    adapterVersion,
    kind: file.kind,
    sheet: file.sheet ?? null,
    schoolCode: config.schoolCode,
    schoolYear: config.schoolYear ?? null,
    semester: config.semester ?? null,
    validFrom: config.validFrom ?? null,
    profile: config.profile,
  };
  return createHash('sha256').update(JSON.stringify(relevant)).digest('base64url').slice(0, 16);
}

/** A hash of a record's content, its `source` (pull time, row number) left out. */
export function recordHash(record: CanonicalRecord): string {
  const json = JSON.stringify(record, (k, v) => (k === 'source' ? undefined : v));
  return createHash('sha1').update(json).digest('base64url').slice(0, 12);
}

export function encodeEntries(entries: ReadonlyMap<string, string>): string {
  const lines: string[] = [];
  for (const [id, hash] of entries) lines.push(`${id}\t${hash}`);
  return deflateRawSync(Buffer.from(lines.join('\n'), 'utf8'), { level: 9 }).toString('base64');
}

export function decodeEntries(encoded: string): Map<string, string> {
  const map = new Map<string, string>();
  const text = inflateRawSync(Buffer.from(encoded, 'base64')).toString('utf8');
  if (text === '') return map;
  for (const line of text.split('\n')) {
    const tab = line.lastIndexOf('\t');
    map.set(line.slice(0, tab), line.slice(tab + 1));
  }
  return map;
}

/** Ids and content hashes of one file's rows as they are read. */
export class FileTracker {
  private current: Map<string, string> | null;
  rows = 0;
  overflowed = false;

  constructor(
    /** Hashes of the previous read, when they can be compared (same mapping). */
    private readonly previous: ReadonlyMap<string, string> | undefined,
    private readonly cap: number,
  ) {
    this.current = cap > 0 ? new Map() : null;
  }

  /** True when hashes are kept or compared, so the caller must compute them. */
  get hashing(): boolean {
    return this.current !== null || this.previous !== undefined;
  }

  /** Notes a record; true when it is new or changed since the previous read. */
  record(id: string, hash: string | undefined): boolean {
    this.rows++;
    this.keep(id, hash ?? '');
    if (!this.previous || hash === undefined) return true;
    return this.previous.get(id) !== hash;
  }

  /** Notes a rejected row whose id is known: present (not deleted), but to be read again next time. */
  rejected(id: string | undefined): void {
    this.rows++;
    if (id !== undefined) this.keep(id, '');
  }

  private keep(id: string, hash: string): void {
    if (!this.current) return;
    this.current.set(id, hash);
    if (this.current.size > this.cap) {
      this.current = null;
      this.overflowed = true;
    }
  }

  /** Ids of this read, or null when the file had more rows than tracked. */
  ids(): ReadonlyMap<string, string> | null {
    return this.current;
  }
}
