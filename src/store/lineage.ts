/**
 * Lineage: for every record a run sent, where it came from (adapter, version, source location),
 * which mapping made it, and what the target answered with which gateway message id — the evidence
 * a district officer shows when the city asks "who sent this, and when". The body itself is the
 * sealed staged batch the row points at, kept until LINEAGE_BODY_DAYS have passed.
 */
import { sql } from 'kysely';
import { type Db, kyselyOf } from './db.ts';

export interface LineageEntry {
  recordKey: string;
  sourceLocation: string | null;
  outcome: string;
  code?: string | undefined;
  message?: string | undefined;
  targetVersion?: string | undefined;
  deleted?: boolean | undefined;
}

/** One INSERT … SELECT FROM UNNEST for a pushed batch's answers. */
export async function addLineage(
  db: Db,
  input: {
    target: string;
    stream: string;
    runId: string;
    adapterId: string;
    adapterVersion: string;
    mappingVersion: string;
    gatewayMessageId: string | null;
    /** The staged batch that carried the records (their sealed bodies). */
    stagedBatchId?: string;
    entries: readonly LineageEntry[];
  },
): Promise<void> {
  if (input.entries.length === 0) return;
  const answers = input.entries.map((e) =>
    JSON.stringify({
      outcome: e.outcome,
      ...(e.code ? { code: e.code } : {}),
      ...(e.message ? { message: e.message } : {}),
      ...(e.targetVersion ? { version: e.targetVersion } : {}),
      ...(e.deleted ? { deleted: true } : {}),
    }),
  );
  await sql`
    insert into lineage (target, stream, record_key, run_id, adapter_id, adapter_version, source_location,
      mapping_version, gateway_message_id, target_answer, staged_batch_id)
    select ${input.target}, ${input.stream}, r.key, ${input.runId}::uuid, ${input.adapterId}, ${input.adapterVersion},
      r.location, ${input.mappingVersion}, ${input.gatewayMessageId}, r.answer::jsonb,
      ${input.stagedBatchId ?? null}::bigint
    from unnest(
      ${input.entries.map((e) => e.recordKey)}::text[],
      ${input.entries.map((e) => e.sourceLocation)}::text[],
      ${answers}::text[]
    ) as r(key, location, answer)
  `.execute(kyselyOf(db));
}

/** A record's history at every target, newest first, with the school of each run. */
export async function recordHistory(db: Db, stream: string, recordKey: string, limit = 100) {
  return kyselyOf(db)
    .selectFrom('lineage as l')
    .innerJoin('runs as r', 'r.id', 'l.run_id')
    .select([
      'l.id',
      'l.target',
      'l.stream',
      'l.record_key',
      'l.run_id',
      'r.school_code',
      'l.adapter_id',
      'l.adapter_version',
      'l.source_location',
      'l.mapping_version',
      'l.gateway_message_id',
      'l.target_answer',
      'l.staged_batch_id',
      'l.created_at',
    ])
    .where('l.stream', '=', stream)
    .where('l.record_key', '=', recordKey)
    .orderBy('l.id', 'desc')
    .limit(limit)
    .execute();
}

/**
 * The deliveries of these records of a school, at every target and in every stream, newest first:
 * a person's lineage once their records are known (at most `limit` rows).
 */
export async function lineageOfRecords(
  db: Db,
  schoolCode: string,
  recordKeys: readonly string[],
  limit = 500,
) {
  if (recordKeys.length === 0) return [];
  return kyselyOf(db)
    .selectFrom('lineage as l')
    .innerJoin('runs as r', 'r.id', 'l.run_id')
    .select([
      'l.target',
      'l.stream',
      'l.record_key',
      'l.run_id',
      'l.mapping_version',
      'l.gateway_message_id',
      'l.target_answer',
      'l.created_at',
    ])
    .where('r.school_code', '=', schoolCode)
    .where('l.record_key', 'in', [...recordKeys])
    .orderBy('l.id', 'desc')
    .limit(limit)
    .execute();
}
