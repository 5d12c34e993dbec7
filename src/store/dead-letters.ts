/**
 * Dead letters: records (or whole batches) a target refused or that exhausted their attempts,
 * with the target's answer. The record bodies are not here: they stay sealed in `staged_batches`,
 * which a dead letter names. Who replayed or discarded a letter goes to the audit log.
 */
import { type Selectable, sql } from 'kysely';
import { audit } from './audit.ts';
import type { Keyring } from './crypto.ts';
import { type Db, kyselyOf } from './db.ts';
import { unseal } from './sealed.ts';
import type { DeadLettersTable } from './tables.ts';

export type DeadLetterRow = Selectable<DeadLettersTable>;
export const DEAD_LETTER_STATES = ['open', 'replayed', 'discarded', 'resolved', 'all'] as const;
export type DeadLetterState = (typeof DEAD_LETTER_STATES)[number];

/** Where a dead letter's body is: the staged batch that carried it (and the key it was sent under). */
export interface DeadLetterBatchRef {
  stagedBatchId: string;
  idempotencyKey: string;
  /** Letters from before 0010 named a whole batch's keys here; they are one letter a record now. */
  keys?: string[];
}

export interface DeadLetterInput {
  runId: string;
  schoolCode: string;
  target: string;
  stream: string;
  recordKey: string;
  /** Where the record's body is (staged batch id) and what was sent: never the body itself. */
  batch: DeadLetterBatchRef;
  /** The reason as the target (or the gateway) gave it: `UNKNOWN_MASTER`, `HTTP_500`, `TIMEOUT`… */
  code: string;
  answer: unknown;
  attempts: number;
}

const OPEN = sql`replayed_at is null and discarded_at is null and resolved_at is null`;

/**
 * Parks records a target refused or that exhausted their attempts. A record already parked for the
 * same reason (target, stream, school, key, code) is the same letter seen again: its count and last
 * sighting grow, and it points at the newest body (the last run's staged batch).
 */
export async function addDeadLetters(db: Db, letters: readonly DeadLetterInput[]): Promise<void> {
  if (letters.length === 0) return;
  // One statement cannot touch a row twice: the last letter for a record and reason wins.
  const unique = [
    ...new Map(
      letters.map((l) => [
        `${l.target}\u0000${l.stream}\u0000${l.schoolCode}\u0000${l.recordKey}\u0000${l.code}`,
        l,
      ]),
    ).values(),
  ];
  await sql`
    insert into dead_letters as d (run_id, first_run_id, school_code, target, stream, record_key, batch, code,
      answer, attempts)
    select r.run_id, r.run_id, r.school_code, r.target, r.stream, r.record_key, r.batch, r.code, r.answer, r.attempts
    from jsonb_to_recordset(${JSON.stringify(
      unique.map((l) => ({
        run_id: l.runId,
        school_code: l.schoolCode,
        target: l.target,
        stream: l.stream,
        record_key: l.recordKey,
        batch: l.batch,
        code: l.code,
        answer: l.answer ?? null,
        attempts: l.attempts,
      })),
    )}::jsonb) as r(run_id uuid, school_code text, target text, stream text, record_key text, batch jsonb,
      code text, answer jsonb, attempts int)
    on conflict (target, stream, school_code, record_key, code) where ${OPEN}
    do update set occurrences = d.occurrences + 1, last_seen_at = now(), run_id = excluded.run_id,
      batch = excluded.batch, answer = excluded.answer, attempts = excluded.attempts
  `.execute(kyselyOf(db));
}

/**
 * Closes the open letters of records the target has now accepted (a later run or a replay delivered
 * them): nobody has to act on them any more. Returns how many were closed.
 */
export async function resolveDeadLetters(
  db: Db,
  where: { target: string; stream: string; schoolCode: string; keys: readonly string[] },
): Promise<number> {
  if (where.keys.length === 0) return 0;
  const { rows } = await sql<{ n: number }>`
    with closed as (
      update dead_letters set resolved_at = now()
      where target = ${where.target} and stream = ${where.stream} and school_code = ${where.schoolCode}
        and record_key = any(${[...where.keys]}::text[]) and ${OPEN}
      returning 1)
    select count(*)::int as n from closed
  `.execute(kyselyOf(db));
  return rows[0]?.n ?? 0;
}

export interface DeadLetterFilter {
  /** Only these schools (an empty list matches nothing). */
  schools?: readonly string[];
  ids?: readonly string[];
  recordKeys?: readonly string[];
  target?: string;
  code?: string;
  stream?: string;
  /** Default `open`: neither replayed nor discarded. */
  state?: DeadLetterState;
  /** Paging: only ids after this one (ids ascending). */
  after?: string;
  /** Default 100, at most 1000. */
  limit?: number;
}

/** Dead letters matching the filter, by id ascending (page with `after`: the last id seen). */
export async function listDeadLetters(db: Db, filter: DeadLetterFilter = {}): Promise<DeadLetterRow[]> {
  if (filter.schools !== undefined && filter.schools.length === 0) return [];
  if (filter.ids !== undefined && filter.ids.length === 0) return [];
  const limit = Math.min(Math.max(Math.trunc(filter.limit ?? 100), 1), 1000);
  let q = kyselyOf(db).selectFrom('dead_letters').selectAll().orderBy('id').limit(limit);
  if (filter.schools !== undefined) q = q.where('school_code', 'in', [...filter.schools]);
  if (filter.ids !== undefined) q = q.where('id', 'in', [...filter.ids]);
  if (filter.recordKeys !== undefined) {
    if (filter.recordKeys.length === 0) return [];
    q = q.where('record_key', 'in', [...filter.recordKeys]);
  }
  if (filter.target !== undefined) q = q.where('target', '=', filter.target);
  if (filter.code !== undefined) q = q.where('code', '=', filter.code);
  if (filter.stream !== undefined) q = q.where('stream', '=', filter.stream);
  if (filter.after !== undefined) q = q.where('id', '>', filter.after);
  const state = filter.state ?? 'open';
  if (state === 'open')
    q = q.where('replayed_at', 'is', null).where('discarded_at', 'is', null).where('resolved_at', 'is', null);
  else if (state === 'replayed') q = q.where('replayed_at', 'is not', null);
  else if (state === 'discarded') q = q.where('discarded_at', 'is not', null);
  else if (state === 'resolved') q = q.where('resolved_at', 'is not', null);
  return q.execute();
}

export async function getDeadLetter(db: Db, id: string): Promise<DeadLetterRow | undefined> {
  return kyselyOf(db).selectFrom('dead_letters').selectAll().where('id', '=', id).executeTakeFirst();
}

/** True when the letter is neither replayed, discarded nor resolved. */
export const isDeadLetterOpen = (row: Pick<DeadLetterRow, 'replayed_at' | 'discarded_at' | 'resolved_at'>) =>
  row.replayed_at === null && row.discarded_at === null && row.resolved_at === null;

/** Where a letter stands. */
export function deadLetterState(
  row: Pick<DeadLetterRow, 'replayed_at' | 'discarded_at' | 'resolved_at'>,
): 'open' | 'replayed' | 'discarded' | 'resolved' {
  if (row.replayed_at) return 'replayed';
  if (row.discarded_at) return 'discarded';
  if (row.resolved_at) return 'resolved';
  return 'open';
}

async function close(
  db: Db,
  column: 'replayed_at' | 'discarded_at',
  ids: readonly string[],
  by: string,
  detail: Record<string, unknown>,
): Promise<number> {
  if (ids.length === 0) return 0;
  const rows = await kyselyOf(db)
    .updateTable('dead_letters')
    .set({ [column]: new Date() })
    .where('id', 'in', [...ids])
    .where('replayed_at', 'is', null)
    .where('discarded_at', 'is', null)
    .where('resolved_at', 'is', null)
    .returning(['id', 'school_code'])
    .execute();
  // Who did it: one audit entry per school, so `listAudit({ schools })` finds it.
  const bySchool = new Map<string, string[]>();
  for (const r of rows) bySchool.set(r.school_code, [...(bySchool.get(r.school_code) ?? []), r.id]);
  for (const [school, closed] of bySchool) {
    await audit(db, {
      actor: by,
      role: null,
      action: column === 'replayed_at' ? 'dead-letters:replayed' : 'dead-letters:discarded',
      resource: 'dead_letters',
      decision: 'allow',
      detail: { school, ids: closed, ...detail },
    });
  }
  return rows.length;
}

/** Marks open letters replayed (the target accepted them); returns how many were open. */
export function markDeadLettersReplayed(
  db: Db,
  ids: readonly string[],
  by: string,
  detail: Record<string, unknown> = {},
): Promise<number> {
  return close(db, 'replayed_at', ids, by, detail);
}

/** Marks open letters discarded (nobody will replay them); returns how many were open. */
export function markDeadLettersDiscarded(
  db: Db,
  ids: readonly string[],
  by: string,
  detail: Record<string, unknown> = {},
): Promise<number> {
  return close(db, 'discarded_at', ids, by, detail);
}

/**
 * A replay that did not deliver: the letter stays open, one attempt more, with the new answer. Its
 * code stays the reason it was parked for (a refusal for another reason is a letter of its own).
 */
export async function recordDeadLetterAttempt(
  db: Db,
  ids: readonly string[],
  answer: unknown,
): Promise<void> {
  if (ids.length === 0) return;
  await kyselyOf(db)
    .updateTable('dead_letters')
    .set((eb) => ({
      attempts: eb('attempts', '+', 1),
      last_seen_at: new Date(),
      answer: JSON.stringify(answer ?? null),
    }))
    .where('id', 'in', [...ids])
    .execute();
}

/** Closes letters by id as resolved by the hub (their record was refused again for another reason). */
export async function resolveDeadLettersById(db: Db, ids: readonly string[]): Promise<number> {
  if (ids.length === 0) return 0;
  const rows = await kyselyOf(db)
    .updateTable('dead_letters')
    .set({ resolved_at: new Date() })
    .where('id', 'in', [...ids])
    .where('replayed_at', 'is', null)
    .where('discarded_at', 'is', null)
    .where('resolved_at', 'is', null)
    .returning('id')
    .execute();
  return rows.length;
}

/** The sealed payload of a staged batch, unsealed; undefined when the batch or its body is gone. */
export async function loadStagedPayload<T>(
  db: Db,
  keyring: Keyring,
  stagedBatchId: string,
): Promise<T | undefined> {
  const row = await kyselyOf(db)
    .selectFrom('staged_batches')
    .select(['payload', 'key_id'])
    .where('id', '=', stagedBatchId)
    .executeTakeFirst();
  return row?.payload ? unseal<T>(keyring, { payload: row.payload, keyId: row.key_id }) : undefined;
}

/** When the ledger last saw each of these keys pushed (not deleted or deleted), for a target and stream. */
export async function ledgerPushTimes(
  db: Db,
  target: string,
  stream: string,
  keys: readonly string[],
): Promise<Map<string, Date>> {
  if (keys.length === 0) return new Map();
  const rows = await kyselyOf(db)
    .selectFrom('ledger')
    .select(['record_key', 'last_pushed_at'])
    .where('target', '=', target)
    .where('stream', '=', stream)
    .where('record_key', 'in', [...keys])
    .execute();
  return new Map(rows.map((r) => [r.record_key, r.last_pushed_at]));
}
