/**
 * Fenced ownership of a run's steps, in the store, on a real PostgreSQL: a claim is a lease with a
 * fencing token; a second claim waits while the lease is live and takes the step over once it has
 * lapsed; from then on every write of the old owner is refused, in the write's own transaction. A
 * run ends `succeeded` only when its counts reconcile, and only then moves its checkpoint.
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type BatchOutcome,
  batchProgress,
  claimPull,
  claimPush,
  createDatabase,
  createQueuedRun,
  type Database,
  deferPush,
  endPull,
  enterPushing,
  finishIfDone,
  getRun,
  LeaseLostError,
  loadCheckpoint,
  loadKeyring,
  migrateToLatest,
  type PullLease,
  type PushLease,
  recordBatch,
  renewPullLease,
  savePullProgress,
  stageBatch,
  strandedPushingRuns,
  ZERO_COUNTS,
} from '../src/store/index.ts';
import { freshPostgres } from './support/services.ts';

const keyring = loadKeyring({ NODE_ENV: 'test' });
const TERMS = { leaseMs: 30_000, owner: 'worker-a' };
let pg: Awaited<ReturnType<typeof freshPostgres>>;
let db: Database;
let school = 0;

beforeAll(async () => {
  pg = await freshPostgres('fencing');
  db = await createDatabase({ DATABASE_URL: pg.url });
  await migrateToLatest(db);
}, 30_000);

afterAll(async () => {
  await db?.close();
  await pg?.drop();
});

/** A queued run of a school of its own (one run per school at a time). */
async function queuedRun(): Promise<string> {
  return createQueuedRun(db, {
    schoolCode: `79FX${String(++school).padStart(4, '0')}`,
    adapterId: 'rest',
    adapterVersion: 'pending',
    mappingVersions: {},
    streams: ['students'],
    mode: 'incremental',
  });
}

async function claimed(runId: string, terms = TERMS): Promise<PullLease> {
  const claim = await claimPull(db, runId, '1.0.0', terms);
  if (!claim.claimed) throw new Error(`not claimed: ${claim.reason}`);
  return claim.lease;
}

/** The lease lapses now (as it would once its owner stopped renewing it). */
const expirePull = (runId: string) =>
  sql`update runs set lease_until = now() - interval '1 second' where id = ${runId}::uuid`.execute(db.kysely);
const expirePush = (batchId: string) =>
  sql`update staged_batches set push_lease_until = now() - interval '1 second' where id = ${batchId}::bigint`.execute(
    db.kysely,
  );

const stage = (lease: PullLease, keys: string[], ordinal = 1) =>
  stageBatch(db, keyring, lease, {
    target: 'city-edudb',
    stream: 'students',
    count: keys.length,
    payload: { schoolCode: 'x', upserts: [], deletes: keys },
    ordinal,
  });

const stagedRows = (runId: string) =>
  db.kysely
    .selectFrom('staged_batches')
    .select(['id', 'pull_token', 'pushed_at'])
    .where('run_id', '=', runId)
    .orderBy('id')
    .execute();

describe('the pull step’s lease', () => {
  it('a run still pulling under a live lease is not claimed again: the second claim is told how long to wait', async () => {
    const runId = await queuedRun();
    await claimed(runId);
    const second = await claimPull(db, runId, '1.0.0', { leaseMs: 30_000, owner: 'worker-b' });
    expect(second).toMatchObject({ claimed: false, reason: 'leased', owner: 'worker-a' });
    expect((second as { retryInMs: number }).retryInMs).toBeGreaterThan(25_000);
    expect((second as { retryInMs: number }).retryInMs).toBeLessThanOrEqual(30_000);
  });

  it('once the lease lapses the next claim takes the run over with a larger token, and drops what the old owner staged', async () => {
    const runId = await queuedRun();
    const first = await claimed(runId);
    await stage(first, ['a', 'b']);
    await expirePull(runId);
    const second = await claimed(runId, { leaseMs: 30_000, owner: 'worker-b' });
    expect(BigInt(second.token)).toBeGreaterThan(BigInt(first.token));
    expect(await stagedRows(runId)).toEqual([]);
    expect((await getRun(db, runId))?.lease_owner).toBe('worker-b');
  });

  it('a worker whose lease was taken over can write nothing: no batch, no progress, no move to pushing, no failure', async () => {
    const runId = await queuedRun();
    const stale = await claimed(runId);
    await expirePull(runId);
    const owner = await claimed(runId, { leaseMs: 30_000, owner: 'worker-b' });
    await stage(owner, ['mine']);

    await expect(stage(stale, ['stale'])).rejects.toBeInstanceOf(LeaseLostError);
    await expect(savePullProgress(db, stale, { ...ZERO_COUNTS, pulled: 999 })).rejects.toBeInstanceOf(
      LeaseLostError,
    );
    await expect(
      enterPushing(db, { lease: stale }, { carry: { pendingCheckpoints: [] } }),
    ).rejects.toBeInstanceOf(LeaseLostError);
    await expect(endPull(db, stale, 'failed', { report: { failure: 'stale' } })).rejects.toBeInstanceOf(
      LeaseLostError,
    );
    expect(await renewPullLease(db, stale, 30_000)).toBe(false);

    const run = await getRun(db, runId);
    expect(run?.state).toBe('pulling');
    expect(run?.counts.pulled).toBe(0);
    const rows = await stagedRows(runId);
    expect(rows).toHaveLength(1);
    expect(rows[0]?.pull_token).toBe(owner.token);
    // The owner goes on as if nothing happened.
    const pushes = await enterPushing(db, { lease: owner }, { carry: { pendingCheckpoints: [] } });
    expect(pushes?.map((p) => p.batchId)).toEqual([rows[0]!.id]);
  });

  it('a live owner keeps its lease by renewing it', async () => {
    const runId = await queuedRun();
    const lease = await claimed(runId, { leaseMs: 1_000, owner: 'worker-a' });
    await new Promise((r) => setTimeout(r, 600));
    expect(await renewPullLease(db, lease, 1_000)).toBe(true);
    await new Promise((r) => setTimeout(r, 600));
    // 1.2 s after the claim, but 0.6 s after the renewal: still held.
    expect(await claimPull(db, runId, '1.0.0', { leaseMs: 1_000, owner: 'worker-b' })).toMatchObject({
      claimed: false,
      reason: 'leased',
    });
  });
});

/** A pushing run of one staged batch of `keys` (deletes, to keep the payload simple). */
async function pushingRun(keys: string[], counts = { staged: keys.length }) {
  const runId = await queuedRun();
  const lease = await claimed(runId);
  const batchId = await stage(lease, keys);
  await enterPushing(
    db,
    { lease },
    {
      counts: { ...ZERO_COUNTS, ...counts },
      carry: { pendingCheckpoints: [{ stream: 'students', checkpoint: { cursor: 'after-this-run' } }] },
    },
  );
  return { runId, batchId };
}

async function claimedPush(batchId: string, owner = 'pusher-a'): Promise<PushLease> {
  const claim = await claimPush(db, batchId, { leaseMs: 30_000, owner });
  if (!claim.claimed) throw new Error(`push not claimed: ${claim.reason}`);
  return claim.lease;
}

/** The answer of a target that accepted every delete. */
const accepted = (runId: string, batchId: string, keys: string[]): BatchOutcome => ({
  runId,
  batchId,
  target: 'city-edudb',
  stream: 'students',
  schoolCode: 'x',
  counts: { deleted: keys.length },
  ledger: keys.map((key) => ({ key, hash: '00', accepted: true, deleted: true })),
  deadLetters: [],
});

describe('the push step’s lease', () => {
  it('one worker at a time: a second claim waits, and the owner that lost its lease records nothing', async () => {
    const { runId, batchId } = await pushingRun(['k1', 'k2']);
    const stale = await claimedPush(batchId);
    expect(await claimPush(db, batchId, { leaseMs: 30_000, owner: 'pusher-b' })).toMatchObject({
      claimed: false,
      reason: 'leased',
      owner: 'pusher-a',
    });
    await expirePush(batchId);
    const owner = await claimedPush(batchId, 'pusher-b');
    expect(BigInt(owner.token)).toBeGreaterThan(BigInt(stale.token));

    expect(await recordBatch(db, accepted(runId, batchId, ['k1', 'k2']), stale)).toBe('lost');
    expect((await getRun(db, runId))?.counts.deleted).toBe(0);
    const ledgerRows = await db.kysely
      .selectFrom('ledger')
      .select('record_key')
      .where('run_id', '=', runId)
      .execute();
    expect(ledgerRows).toEqual([]);
    await expect(deferPush(db, stale, 'attempt', { code: 'HTTP_500', message: 'x' })).rejects.toBeInstanceOf(
      LeaseLostError,
    );

    expect(await recordBatch(db, accepted(runId, batchId, ['k1', 'k2']), owner)).toBe('recorded');
    expect(await recordBatch(db, accepted(runId, batchId, ['k1', 'k2']), owner)).toBe('already');
    expect((await getRun(db, runId))?.counts.deleted).toBe(2);
  });

  it('an outage costs the batch no attempt; the target’s answers cost one each, kept in PostgreSQL', async () => {
    const { batchId } = await pushingRun(['k1']);
    let lease = await claimedPush(batchId);
    expect(await deferPush(db, lease, 'wait', { code: 'HTTP_503', message: 'down' })).toMatchObject({
      attempts: 0,
      waits: 1,
    });
    lease = await claimedPush(batchId);
    expect(await deferPush(db, lease, 'throttled', { code: 'HTTP_429', message: 'quota' })).toMatchObject({
      attempts: 0,
      waits: 1,
    });
    lease = await claimedPush(batchId);
    expect(lease.unavailableMs).toBeGreaterThanOrEqual(0);
    expect(await deferPush(db, lease, 'attempt', { code: 'HTTP_500', message: 'oops' })).toMatchObject({
      attempts: 1,
      waits: 1,
      // An answer ends the outage: its clock starts again at the next one.
      unavailableMs: 0,
    });
    lease = await claimedPush(batchId);
    expect(lease).toMatchObject({ attempts: 1, waits: 1 });
    const row = await db.kysely
      .selectFrom('staged_batches')
      .select('last_error')
      .where('id', '=', batchId)
      .executeTakeFirstOrThrow();
    expect(row.last_error).toMatchObject({ code: 'HTTP_500', message: 'oops' });
    // What district IT reads on the run while it pushes.
    expect(await batchProgress(db, lease.runId)).toMatchObject({
      batches: 1,
      pushed: 0,
      attempts: 1,
      waits: 1,
      lastError: { code: 'HTTP_500', message: 'oops' },
      owners: ['pusher-a'],
    });
  });
});

describe('a run reconciles before it may succeed', () => {
  it('counts that add up: succeeded, with its checkpoint saved in the same transaction', async () => {
    const { runId, batchId } = await pushingRun(['k1', 'k2']);
    const lease = await claimedPush(batchId);
    await recordBatch(db, accepted(runId, batchId, ['k1', 'k2']), lease);
    expect(await finishIfDone(db, runId)).toBe('succeeded');
    const run = await getRun(db, runId);
    expect(run?.state).toBe('succeeded');
    expect((run!.report as { reconciliation: { ok: boolean } }).reconciliation.ok).toBe(true);
    expect(
      await loadCheckpoint(db, { schoolCode: run!.school_code, adapterId: 'rest', stream: 'students' }),
    ).toEqual({ cursor: 'after-this-run' });
  });

  it('a target that acknowledged fewer records than were sent: failed, the check named, the checkpoint not moved', async () => {
    const { runId, batchId } = await pushingRun(['k1', 'k2', 'k3']);
    const lease = await claimedPush(batchId);
    // Three keys sent, two answers counted: one record is unaccounted for.
    await recordBatch(db, accepted(runId, batchId, ['k1', 'k2']), lease);
    expect(await finishIfDone(db, runId)).toBe('failed');
    const run = await getRun(db, runId);
    const report = run?.report as {
      failure: { code: string; message: string };
      reconciliation: {
        ok: boolean;
        checks: Array<{ name: string; expected: number; actual: number; ok: boolean }>;
      };
    };
    expect(run?.state).toBe('failed');
    expect(report.failure.code).toBe('RUN_NOT_RECONCILED');
    expect(report.failure.message).toContain('sent ≠ accepted + refused + dead-lettered (3 ≠ 2)');
    expect(report.failure.message).toContain('đã gửi');
    expect(report.reconciliation.checks.find((c) => c.name === 'sent')).toEqual({
      name: 'sent',
      expected: 3,
      actual: 2,
      ok: false,
    });
    expect(
      await loadCheckpoint(db, { schoolCode: run!.school_code, adapterId: 'rest', stream: 'students' }),
    ).toBeUndefined();
  });

  it('a pull whose own tally disagrees with the batches it staged: failed on the staged check', async () => {
    const { runId, batchId } = await pushingRun(['k1'], { staged: 2 });
    const lease = await claimedPush(batchId);
    await recordBatch(db, accepted(runId, batchId, ['k1']), lease);
    expect(await finishIfDone(db, runId)).toBe('failed');
    const report = (await getRun(db, runId))?.report as {
      reconciliation: { checks: Array<{ name: string; ok: boolean }> };
    };
    expect(report.reconciliation.checks.filter((c) => !c.ok).map((c) => c.name)).toEqual(['staged']);
  });
});

describe('a run whose last batch was recorded but which was not ended', () => {
  it('is found by the sweeper’s query and ended by finishIfDone; a run with a batch left is not', async () => {
    // The last push job recorded its batch, then PostgreSQL went away before finishIfDone: the run
    // stays `pushing` with nothing left to push, and no job will come back for it.
    const stranded = await pushingRun(['k1']);
    await recordBatch(
      db,
      accepted(stranded.runId, stranded.batchId, ['k1']),
      await claimedPush(stranded.batchId),
    );
    const waiting = await pushingRun(['k2']);
    const found = await strandedPushingRuns(db);
    expect(found).toContain(stranded.runId);
    expect(found).not.toContain(waiting.runId);

    expect(await finishIfDone(db, stranded.runId)).toBe('succeeded');
    expect((await getRun(db, stranded.runId))?.state).toBe('succeeded');
    expect(await strandedPushingRuns(db)).not.toContain(stranded.runId);
    expect((await getRun(db, waiting.runId))?.state).toBe('pushing');
  });
});
