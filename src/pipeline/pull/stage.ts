/**
 * Staging a flush of valid records: each record mapped for every target that takes its stream, hashed,
 * compared with the ledger in bulk, and what changed sealed into a staged batch under the pull's
 * lease. A record a target cannot map is invalid for the run (counted once, sent nowhere). A record
 * whose key the source changed goes as an update of the record the target holds under its old key
 * (`previousKey`), never as a second record.
 */
import type { CanonicalRecord } from '../../model/index.ts';
import { RecordError } from '../../sdk/index.ts';
import { diffAgainstLedger, heldKeys, markSourceHashes, recordHash, stageBatch } from '../../store/index.ts';
import type { MappedRecord, Target } from '../../targets/target.ts';
import type { StagedPayload } from '../push.ts';
import { note, type PullRun, type PullTally, type StreamPull, timed } from './context.ts';

type Mapped = MappedRecord & { hash: string; location?: string; sourceHash?: string };

const schemaVersionOf = (target: Target) => `${target.id}/${target.mappingVersion}`;

/** Maps, diffs and stages one flush of valid records. */
export async function stageChanges(
  run: PullRun,
  tally: PullTally,
  s: StreamPull,
  records: readonly CanonicalRecord[],
): Promise<void> {
  const targets = run.targets.filter((t) => t.streams.includes(s.stream));
  const mappedBy = new Map<string, Mapped[]>(targets.map((t) => [t.id, []]));
  for (const record of records) {
    const sourceHash = s.sourceHashes.get(record.key);
    if (sourceHash !== undefined) s.sourceHashes.delete(record.key);
    const mapped = mapForEveryTarget(targets, record, sourceHash);
    if (mapped instanceof RecordError) {
      tally.counts.invalid++;
      s.unmappable.add(record.key);
      tally.report.record({ file: record.source.location ?? s.stream, line: 0 }, record.type, record.key, [
        {
          code: mapped.code,
          severity: 'error',
          field: mapped.field ?? '',
          message: { vi: mapped.message, en: mapped.message },
        },
      ]);
      continue;
    }
    tally.counts.valid++;
    for (const [targetId, m] of mapped) mappedBy.get(targetId)!.push(m);
  }
  for (const target of targets) {
    const mapped = mappedBy.get(target.id)!;
    if (mapped.length > 0) await stageForTarget(run, tally, s, target, mapped);
  }
}

/** The record mapped for each target that takes it, or the first RecordError. */
function mapForEveryTarget(
  targets: readonly Target[],
  record: CanonicalRecord,
  sourceHash: string | undefined,
): Map<string, Mapped> | RecordError {
  const out = new Map<string, Mapped>();
  for (const target of targets) {
    let m: MappedRecord | undefined;
    try {
      m = target.map(record);
    } catch (error) {
      if (error instanceof RecordError) return error;
      throw error;
    }
    if (!m) continue;
    out.set(target.id, {
      ...m,
      hash: recordHash(m.body, schemaVersionOf(target)),
      ...(record.source.location ? { location: record.source.location } : {}),
      ...(sourceHash ? { sourceHash } : {}),
    });
  }
  return out;
}

async function stageForTarget(
  run: PullRun,
  tally: PullTally,
  s: StreamPull,
  target: Target,
  mapped: readonly Mapped[],
): Promise<void> {
  const diff = await timed(
    tally,
    'ledgerMs',
    diffAgainstLedger(run.db, {
      target: target.id,
      stream: s.stream,
      schoolCode: run.schoolCode,
      entries: mapped.map((m) => ({ key: m.key, hash: m.hash })),
    }),
  );
  const created = new Set(diff.created);
  const changed = new Set([...diff.created, ...diff.updated]);
  // A key the source changed: if the target holds the record under its old key, the record goes
  // (changed or not) as an update that names the old key, and the old key is not deleted.
  const renamedFrom = new Map<string, string>();
  const oldKeys = mapped.flatMap((m) => (s.renames.has(m.key) ? [s.renames.get(m.key)!] : []));
  if (oldKeys.length > 0) {
    const held = await heldKeys(run.db, target.id, s.stream, oldKeys);
    for (const m of mapped) {
      const from = s.renames.get(m.key);
      if (from === undefined || !held.has(from)) continue;
      renamedFrom.set(m.key, from);
      changed.add(m.key);
      created.delete(m.key);
      s.present.add(from);
    }
  }
  tally.counts.unchanged += mapped.length - changed.size;
  // What the target holds already as it maps now: the next scan may skip it at the source.
  const marks = mapped.flatMap((m) =>
    m.sourceHash && !changed.has(m.key) ? [{ key: m.key, hash: m.hash, sourceHash: m.sourceHash }] : [],
  );
  if (marks.length > 0) {
    await timed(
      tally,
      'ledgerMs',
      markSourceHashes(run.db, { target: target.id, stream: s.stream, entries: marks }),
    );
  }
  if (changed.size === 0) return;
  const upserts: StagedPayload['upserts'] = mapped
    .filter((m) => changed.has(m.key))
    .map((m) => {
      const previousKey = renamedFrom.get(m.key);
      return { ...m, created: created.has(m.key), ...(previousKey ? { previousKey } : {}) };
    });
  const updated = upserts.filter((u) => !u.created).map((u) => u.key);
  note(tally, target.id, s.stream, { changed: updated.length, keys: updated });
  const batchId = await timed(
    tally,
    'stageMs',
    stageBatch(run.db, run.keyring, run.lease, {
      target: target.id,
      stream: s.stream,
      count: upserts.length,
      payload: { schoolCode: run.schoolCode, upserts, deletes: [] } satisfies StagedPayload,
      ordinal: ++tally.ordinal,
    }),
  );
  tally.counts.staged += upserts.length;
  for (const u of upserts) {
    const batches = s.stagedIn.get(u.key);
    if (batches) batches.push(batchId);
    else s.stagedIn.set(u.key, [batchId]);
  }
}
