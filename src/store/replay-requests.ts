/**
 * Replay requests: four eyes on large replays of dead letters. A replay that would send more
 * letters than the threshold is kept here with the letters it covered; a second district user
 * approves it (and the hub replays exactly those letters) or rejects it.
 */
import type { Selectable } from 'kysely';
import { type Db, kyselyOf } from './db.ts';
import type { DeadLetterFilter } from './dead-letters.ts';
import type { ReplayRequestsTable } from './tables.ts';

export type ReplayRequestRow = Selectable<ReplayRequestsTable>;

/** The most letters one request may cover: past it, the requester narrows the filter. */
export const REPLAY_REQUEST_MAX_LETTERS = 50_000;

/**
 * The ids of the open letters a replay would send, at most `cap` + 1 of them (so the caller knows
 * whether the cap was passed without reading them all).
 */
export async function openLetterIds(
  db: Db,
  filter: Pick<DeadLetterFilter, 'schools' | 'ids' | 'target' | 'code'>,
  cap: number,
): Promise<string[]> {
  if (filter.schools !== undefined && filter.schools.length === 0) return [];
  if (filter.ids !== undefined && filter.ids.length === 0) return [];
  let q = kyselyOf(db)
    .selectFrom('dead_letters')
    .select('id')
    .where('replayed_at', 'is', null)
    .where('discarded_at', 'is', null)
    .where('resolved_at', 'is', null)
    .orderBy('id')
    .limit(cap + 1);
  if (filter.schools !== undefined) q = q.where('school_code', 'in', [...filter.schools]);
  if (filter.ids !== undefined) q = q.where('id', 'in', [...filter.ids]);
  if (filter.target !== undefined) q = q.where('target', '=', filter.target);
  if (filter.code !== undefined) q = q.where('code', '=', filter.code);
  return (await q.execute()).map((r) => r.id);
}

/** The schools of these letters. */
export async function schoolsOfLetters(db: Db, ids: readonly string[]): Promise<string[]> {
  if (ids.length === 0) return [];
  const rows = await kyselyOf(db)
    .selectFrom('dead_letters')
    .select('school_code')
    .distinct()
    .where('id', 'in', [...ids])
    .execute();
  return rows.map((r) => r.school_code).sort();
}

export async function createReplayRequest(
  db: Db,
  input: { schools: string[]; filter: Record<string, unknown>; letterIds: string[]; requestedBy: string },
): Promise<ReplayRequestRow> {
  return kyselyOf(db)
    .insertInto('replay_requests')
    .values({
      schools: input.schools,
      filter: JSON.stringify(input.filter),
      letter_ids: input.letterIds,
      requested_by: input.requestedBy,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function getReplayRequest(db: Db, id: string): Promise<ReplayRequestRow | undefined> {
  return kyselyOf(db).selectFrom('replay_requests').selectAll().where('id', '=', id).executeTakeFirst();
}

/** Requests touching any of these schools (all, for undefined), newest first. */
export async function listReplayRequests(
  db: Db,
  options: {
    schools?: readonly string[];
    state?: 'pending' | 'approved' | 'rejected' | 'all';
    limit?: number;
  },
): Promise<ReplayRequestRow[]> {
  if (options.schools !== undefined && options.schools.length === 0) return [];
  let q = kyselyOf(db)
    .selectFrom('replay_requests')
    .selectAll()
    .orderBy('requested_at', 'desc')
    .orderBy('id', 'desc')
    .limit(Math.min(Math.max(options.limit ?? 100, 1), 500));
  if (options.schools !== undefined) {
    const schools = [...options.schools];
    q = q.where((eb) => eb('schools', '&&', eb.val(schools)));
  }
  const state = options.state ?? 'pending';
  if (state !== 'all') q = q.where('state', '=', state);
  return q.execute();
}

/**
 * Records the decision if the request is still pending; undefined when another decision came
 * first (two approvers at once replay once).
 */
export async function decideReplayRequest(
  db: Db,
  input: { id: string; state: 'approved' | 'rejected'; decidedBy: string },
): Promise<ReplayRequestRow | undefined> {
  return kyselyOf(db)
    .updateTable('replay_requests')
    .set({ state: input.state, decided_by: input.decidedBy, decided_at: new Date() })
    .where('id', '=', input.id)
    .where('state', '=', 'pending')
    .returningAll()
    .executeTakeFirst();
}

export async function recordReplayResult(db: Db, id: string, result: Record<string, number>): Promise<void> {
  await kyselyOf(db)
    .updateTable('replay_requests')
    .set({ result: JSON.stringify(result) })
    .where('id', '=', id)
    .execute();
}
