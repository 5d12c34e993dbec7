/**
 * A stream's read: the files of its kind one after another, the unchanged ones skipped when a
 * checkpoint says so, then the deletions, then one checkpoint. The checkpoint comes last on
 * purpose: a read cut short is read again whole, so no deletion is ever lost between two runs.
 */
import { inputLimits, type ReadContext, type ReadItem } from '../../src/sdk/index.ts';
import { type ExcelConfig, type ExcelStream, KIND_STREAMS, keySystem } from './config.ts';
import {
  configFingerprint,
  decodeCheckpoint,
  decodeEntries,
  type ExcelCheckpoint,
  encodeCheckpoint,
  encodeEntries,
  type FileState,
  FileTracker,
  recordHash,
  sha256File,
} from './incremental.ts';
import { readFileRecords } from './read-file.ts';
import { fileNameOf, formatOf } from './sheets.ts';

/**
 * The records, rejections, deletions and checkpoint of one stream.
 *
 * @example
 * for await (const item of readStream('students', ctx, adapter)) …
 */
export async function* readStream(
  stream: ExcelStream,
  ctx: ReadContext<ExcelConfig>,
  adapter: { id: string; version: string },
): AsyncGenerator<ReadItem> {
  const { config } = ctx;
  const system = keySystem(config.schoolCode);
  const files = config.files.filter((f) => KIND_STREAMS[f.kind] === stream);
  const previous = decodeCheckpoint(ctx.checkpoint, system, stream);
  const next: ExcelCheckpoint = { v: 1, system, stream, files: {} };
  const pulledAt = ctx.now();
  /** Ids that left a changed file; deleted unless another file still holds them. */
  const gone = new Set<string>();
  /** Ids of this read's changed files. */
  const present = new Set<string>();

  for (const file of files) {
    ctx.signal.throwIfAborted();
    await formatOf(file.path);
    const sha256 = await sha256File(file.path);
    const fingerprint = configFingerprint(file, config, adapter.version);
    const before = previous?.files[file.path];
    if (before && before.sha256 === sha256 && before.config === fingerprint) {
      next.files[file.path] = before;
      continue;
    }
    const beforeEntries = before?.entries ? decodeEntries(before.entries) : undefined;
    // Hashes only compare under the same mapping; ids do whatever the mapping.
    const tracker = new FileTracker(
      before?.config === fingerprint ? beforeEntries : undefined,
      config.maxTrackedRows,
    );
    const records = readFileRecords(file, {
      config,
      system,
      adapter,
      pulledAt,
      logger: ctx.logger,
      signal: ctx.signal,
      limits: inputLimits(ctx),
    });
    for await (const batch of records) {
      for (const m of batch) {
        if ('record' in m) {
          if (tracker.record(m.id, tracker.hashing ? recordHash(m.record) : undefined)) yield m.record;
        } else {
          tracker.rejected(m.id);
          yield ctx.rejected(m.error);
        }
      }
    }
    const ids = tracker.ids();
    const state: FileState = { sha256, config: fingerprint, rows: tracker.rows };
    if (ids) {
      state.entries = encodeEntries(ids);
      for (const id of ids.keys()) present.add(id);
      if (beforeEntries) for (const id of beforeEntries.keys()) if (!ids.has(id)) gone.add(id);
    }
    // Rows that left a file this large (now or at the last read) are not known: say so.
    if (tracker.overflowed || (before && !(ids && beforeEntries))) {
      ctx.logger.warn('excel deletions not tracked', {
        file: fileNameOf(file.path),
        rows: tracker.rows,
        maxTrackedRows: config.maxTrackedRows,
      });
    }
    next.files[file.path] = state;
  }

  if (gone.size > 0) {
    // An id that moved to another file of the stream is not deleted.
    for (const [path, state] of Object.entries(next.files)) {
      if (state.entries && state === previous?.files[path]) {
        for (const id of decodeEntries(state.entries).keys()) present.add(id);
      }
    }
    const deleted = [...gone].filter((id) => !present.has(id)).map((id) => `${system}:${id}`);
    if (deleted.length > 0) yield ctx.deleted(deleted);
  }
  yield ctx.checkpointAt(encodeCheckpoint(next));
}
