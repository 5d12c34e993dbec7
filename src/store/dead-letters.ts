/**
 * Dead letters: records (or whole batches) a target refused or that exhausted their attempts,
 * with the target's answer. The record bodies are not here: they stay sealed in `staged_batches`,
 * which a dead letter names. Who replayed or discarded a letter goes to the audit log.
 */
import type { Selectable } from 'kysely';
import { audit } from './audit.ts';
import type { Keyring } from './crypto.ts';
import { type Db, kyselyOf } from './db.ts';
import { unseal } from './sealed.ts';
import type { DeadLettersTable } from './tables.ts';

export type DeadLetterRow = Selectable<DeadLettersTable>;
export const DEAD_LETTER_STATES = ['open', 'replayed', 'discarded', 'all'] as const;
export type DeadLetterState = (typeof DEAD_LETTER_STATES)[number];

/** Where a dead letter's body is: the staged batch, and for a whole failed batch its keys. */
export interface DeadLetterBatchRef {
  stagedBatchId: string;
  idempotencyKey: string;
  keys?: string[];
}

export interface DeadLetterFilter {
  /** Only these schools (an empty list matches nothing). */
  schools?: readonly string[];
  ids?: readonly string[];
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
  if (filter.target !== undefined) q = q.where('target', '=', filter.target);
  if (filter.code !== undefined) q = q.where('code', '=', filter.code);
  if (filter.stream !== undefined) q = q.where('stream', '=', filter.stream);
  if (filter.after !== undefined) q = q.where('id', '>', filter.after);
  const state = filter.state ?? 'open';
  if (state === 'open') q = q.where('replayed_at', 'is', null).where('discarded_at', 'is', null);
  else if (state === 'replayed') q = q.where('replayed_at', 'is not', null);
  else if (state === 'discarded') q = q.where('discarded_at', 'is not', null);
  return q.execute();
}

export async function getDeadLetter(db: Db, id: string): Promise<DeadLetterRow | undefined> {
  return kyselyOf(db).selectFrom('dead_letters').selectAll().where('id', '=', id).executeTakeFirst();
}

/** True when the letter is neither replayed nor discarded. */
export const isDeadLetterOpen = (row: Pick<DeadLetterRow, 'replayed_at' | 'discarded_at'>) =>
  row.replayed_at === null && row.discarded_at === null;

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

/** A replay the target refused again: the letter stays open, one attempt more, with the new answer. */
export async function recordDeadLetterAttempt(
  db: Db,
  ids: readonly string[],
  outcome: { code: string; answer: unknown },
): Promise<void> {
  if (ids.length === 0) return;
  await kyselyOf(db)
    .updateTable('dead_letters')
    .set((eb) => ({
      attempts: eb('attempts', '+', 1),
      code: outcome.code,
      answer: JSON.stringify(outcome.answer ?? null),
    }))
    .where('id', 'in', [...ids])
    .execute();
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
