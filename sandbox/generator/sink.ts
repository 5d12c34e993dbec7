/**
 * Where records go: one line writer per selected stream, plus `defects.json`. A record bound for a
 * stream that was not selected is dropped here, after its randomness was drawn, so choosing fewer
 * files never changes the content of the others.
 */
import { join } from 'node:path';
import type { DefectEntry, DefectKind } from './defects.ts';
import { DEFECT_KIND_NAMES, DEFECT_KINDS } from './defects.ts';
import { type RecordStreamName, streamFile } from './streams.ts';
import { JsonArrayWriter, LineWriter } from './writer.ts';

export class Sink {
  private readonly writers = new Map<RecordStreamName, LineWriter>();
  private readonly defects: JsonArrayWriter;
  readonly defectCounts = Object.fromEntries(DEFECT_KIND_NAMES.map((k) => [k, 0])) as Record<
    DefectKind,
    number
  >;

  constructor(outDir: string, streams: readonly RecordStreamName[], defectsFile: string) {
    for (const s of streams) this.writers.set(s, new LineWriter(join(outDir, streamFile(s))));
    this.defects = new JsonArrayWriter(join(outDir, defectsFile));
  }

  wants(stream: RecordStreamName): boolean {
    return this.writers.has(stream);
  }

  /** Writes a record and returns its 1-based line in the stream's file, or 0 when not written. */
  write(stream: RecordStreamName, record: object): number {
    const writer = this.writers.get(stream);
    if (!writer) return 0;
    writer.line(JSON.stringify(record));
    return writer.lines;
  }

  /** Records an injected fault, if the record holding it was written. */
  defect(type: DefectKind, line: number, key: string, field: string): void {
    if (line === 0) return;
    const { code, stream } = DEFECT_KINDS[type];
    const entry: DefectEntry = { file: streamFile(stream), line, type, key, field, code };
    this.defects.push(entry);
    this.defectCounts[type]++;
  }

  /** True when some file's stream is full: await `ready()` before making more records. */
  get blocked(): boolean {
    for (const w of this.writers.values()) if (w.blocked) return true;
    return this.defects.blocked;
  }

  /** Waits until every file's stream can take more (backpressure). */
  async ready(): Promise<void> {
    for (const w of this.writers.values()) if (w.blocked) await w.ready();
    if (this.defects.blocked) await this.defects.ready();
  }

  /** Lines and bytes per written file. */
  stats(): Array<{ file: string; records: number; bytes: number }> {
    return [...this.writers.entries()].map(([s, w]) => ({
      file: streamFile(s),
      records: w.lines,
      bytes: w.bytes,
    }));
  }

  async close(): Promise<void> {
    for (const w of this.writers.values()) await w.close();
    await this.defects.close();
  }
}
