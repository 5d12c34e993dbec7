/**
 * Leases with fencing tokens: who owns a step of a run. A worker claims a step (a run's pull, or
 * one staged batch's push) for `leaseMs`, gets a token from the one `fencing_tokens` sequence (so a
 * later claim always holds a larger token), renews the lease while it works, and names the token in
 * every write of the step. A claim is refused while another worker's lease is live; once it lapses
 * (the worker died, stalled, or lost its database), the next claim takes the step over with a
 * larger token, and every write the old owner still attempts is refused here, in the same
 * transaction as the write: a stale worker can no longer change anything.
 *
 * Lease expiry is measured by the database's clock (`now()`), never a worker's.
 */
import { hostname } from 'node:os';
import { sql, type Transaction } from 'kysely';
import { type Db, kyselyOf } from './db.ts';
import type { Tables } from './tables.ts';

/** A write by a worker whose lease has passed: it must stop; the step's new owner carries it on. */
export class LeaseLostError extends Error {
  readonly code = 'LEASE_LOST';
  constructor(
    readonly step: 'pull' | 'push',
    readonly subject: string,
  ) {
    super(
      `Bước ${step === 'pull' ? 'đọc' : 'gửi'} của ${subject} đã do tiến trình khác đảm nhận / the ${step} step of ${subject} was taken over by another worker`,
    );
    this.name = 'LeaseLostError';
  }
}

/** How long a claim holds, and who holds it (host and pid: the operator's first question). */
export interface LeaseTerms {
  leaseMs: number;
  owner: string;
}

/** The pull step of a run, as claimed. */
export interface PullLease {
  runId: string;
  /** The fencing token (int8, as text). */
  token: string;
}

/** The push step of one staged batch, as claimed. */
export interface PushLease {
  batchId: string;
  runId: string;
  token: string;
  /** Tries the target answered before this one. */
  attempts: number;
  /** Tries that found the target unavailable before this one. */
  waits: number;
  /** Milliseconds the target has been found unavailable for this batch (0 when it last answered). */
  unavailableMs: number;
}

export const leaseInterval = (ms: number) =>
  sql`(${Math.max(1, Math.round(ms))}::int * interval '1 millisecond')`;

/** A fresh fencing token. */
export async function nextFencingToken(trx: Transaction<Tables> | Db): Promise<string> {
  const { rows } = await sql<{ token: string }>`select nextval('fencing_tokens')::text as token`.execute(
    kyselyOf(trx as Db),
  );
  return rows[0]!.token;
}

/**
 * Inside a write's transaction: the run is still `pulling` under this lease. Takes a share lock
 * on the run's row, so a concurrent claim waits for this transaction, and this one sees a claim
 * that committed first.
 */
export async function assertPullLease(trx: Transaction<Tables>, lease: PullLease): Promise<void> {
  const { rows } = await sql<{ one: number }>`
    select 1 as one from runs
    where id = ${lease.runId}::uuid and lease_token = ${lease.token}::bigint and state = 'pulling'
    for share
  `.execute(trx);
  if (rows.length === 0) throw new LeaseLostError('pull', `lần chạy / run ${lease.runId}`);
}

/** Extends a pull lease; false once another claim holds the run or the pull has ended. */
export async function renewPullLease(db: Db, lease: PullLease, leaseMs: number): Promise<boolean> {
  const { rows } = await sql<{ one: number }>`
    update runs set lease_until = now() + ${leaseInterval(leaseMs)}
    where id = ${lease.runId}::uuid and lease_token = ${lease.token}::bigint and state = 'pulling'
    returning 1 as one
  `.execute(kyselyOf(db));
  return rows.length > 0;
}

/** Extends a push lease; false once another worker claimed the batch or it was recorded. */
export async function renewPushLease(db: Db, lease: PushLease, leaseMs: number): Promise<boolean> {
  const { rows } = await sql<{ one: number }>`
    update staged_batches set push_lease_until = now() + ${leaseInterval(leaseMs)}
    where id = ${lease.batchId}::bigint and push_token = ${lease.token}::bigint and pushed_at is null
    returning 1 as one
  `.execute(kyselyOf(db));
  return rows.length > 0;
}

export type PushClaim =
  | { claimed: true; lease: PushLease }
  /** Recorded already (its job ran twice), or gone. */
  | { claimed: false; reason: 'done' }
  /** Its run is not pushing (failed, cancelled, or not yet). */
  | { claimed: false; reason: 'not-pushing'; state: string }
  /** Another worker holds it; try again after `retryInMs`. */
  | { claimed: false; reason: 'leased'; retryInMs: number; owner: string | null };

/** Claims one staged batch's push step. */
export async function claimPush(db: Db, batchId: string, terms: LeaseTerms): Promise<PushClaim> {
  const k = kyselyOf(db);
  const { rows } = await sql<{
    token: string;
    run_id: string;
    attempts: number;
    waits: number;
    unavailable_ms: number;
  }>`
    update staged_batches b set
      push_token = nextval('fencing_tokens'),
      push_lease_until = now() + ${leaseInterval(terms.leaseMs)},
      push_owner = ${terms.owner}
    from runs r
    where b.id = ${batchId}::bigint and r.id = b.run_id and r.state = 'pushing' and b.pushed_at is null
      and (b.push_lease_until is null or b.push_lease_until <= now())
    returning b.push_token::text as token, b.run_id::text as run_id, b.attempts, b.waits,
      coalesce(floor(extract(epoch from (now() - b.unavailable_since)) * 1000), 0)::int as unavailable_ms
  `.execute(k);
  const row = rows[0];
  if (row) {
    return {
      claimed: true,
      lease: {
        batchId,
        runId: row.run_id,
        token: row.token,
        attempts: row.attempts,
        waits: row.waits,
        unavailableMs: row.unavailable_ms,
      },
    };
  }
  const why = await sql<{ pushed: boolean; state: string; left_ms: number; owner: string | null }>`
    select b.pushed_at is not null as pushed, r.state, b.push_owner as owner,
      greatest(0, ceil(extract(epoch from (b.push_lease_until - now())) * 1000))::int as left_ms
    from staged_batches b join runs r on r.id = b.run_id
    where b.id = ${batchId}::bigint
  `.execute(k);
  const found = why.rows[0];
  if (!found || found.pushed) return { claimed: false, reason: 'done' };
  if (found.state !== 'pushing') return { claimed: false, reason: 'not-pushing', state: found.state };
  return {
    claimed: false,
    reason: 'leased',
    retryInMs: Math.max(found.left_ms ?? 0, 50),
    owner: found.owner,
  };
}

/** Who this process is, for `lease_owner`. */
export function leaseOwner(): string {
  return `${hostname()}:${process.pid}`;
}
