/**
 * PostgreSQL holds the truth, Redis only carries jobs: every job is announced by an outbox row
 * written in the same transaction as the state change that calls for it, and the sweeper hands
 * back to Redis what the outbox still shows pending and Redis lost (a restart without
 * persistence), and only that.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createRunQueue, enqueueRun, pushJobId, queueConnection } from '../src/pipeline/queue.ts';
import { RunService } from '../src/pipeline/service.ts';
import {
  claimPull,
  createQueuedRun,
  type Database,
  enterPushing,
  loadKeyring,
  pendingOutbox,
  stageBatch,
} from '../src/store/index.ts';
import { memoryDatabase } from './support/memory-database.ts';

const PREFIX = `edubridge-test-${randomUUID().slice(0, 8)}`;
const redis = queueConnection('redis://127.0.0.1:6379');
const queue = createRunQueue(redis, PREFIX);
const keyring = loadKeyring({ NODE_ENV: 'test' });
let db: Database;
let service: RunService;

beforeAll(async () => {
  db = await memoryDatabase();
  service = new RunService({
    db,
    keyring,
    queue,
    sources: async () => ({}),
    targets: () => [{ id: 'city-edudb', mappingVersion: 'v1', streams: ['students'] } as never],
  });
});
afterAll(async () => {
  await queue.obliterate({ force: true });
  await service.pushQueues.get('city-edudb').obliterate({ force: true });
  await service.close();
  await queue.close();
  redis.disconnect();
  await db.close();
});

const TERMS = { leaseMs: 30_000, owner: 'test' };

const run = (school = '79NB0001') =>
  createQueuedRun(db, {
    schoolCode: school,
    adapterId: 'rest',
    adapterVersion: 'pending',
    mappingVersions: {},
    streams: ['students'],
    mode: 'full',
  });

it('a queued run has its pull job in the outbox from the moment it exists', async () => {
  const id = await run('79NB0009');
  const pending = await pendingOutbox(db);
  expect(pending.find((p) => p.key === id)).toMatchObject({ topic: 'run.pull', payload: { runId: id } });
});

it('re-enqueues the pull jobs Redis lost, and leaves the others', async () => {
  await queue.obliterate({ force: true });
  const [a, b] = [await run(), await run()];
  await enqueueRun(queue, a);
  await enqueueRun(queue, b);
  // Redis restarted with nothing kept: every job is gone, the runs are still queued in PostgreSQL.
  await queue.obliterate({ force: true });
  const c = await run();
  await enqueueRun(queue, c);
  const resent = await service.resendPending(0);
  expect(resent.pulls).toContain(a);
  expect(resent.pulls).toContain(b);
  expect(resent.pulls).not.toContain(c);
  expect((await service.resendPending(0)).pulls).toEqual([]);
  expect((await queue.getJob(a))?.data).toEqual({ runId: a });
});

it('re-enqueues the push jobs of a pushing run that Redis lost, and none once recorded', async () => {
  const id = await run('79NB0002');
  const claim = await claimPull(db, id, '1.0.0', TERMS);
  if (!claim.claimed) throw new Error('not claimed');
  for (let i = 1; i <= 3; i++) {
    await stageBatch(db, keyring, claim.lease, {
      target: 'city-edudb',
      stream: 'students',
      count: 1,
      payload: { schoolCode: '79NB0002', upserts: [], deletes: [`k${i}`] },
      ordinal: i,
    });
  }
  const pushes = await enterPushing(db, { lease: claim.lease }, { carry: { pendingCheckpoints: [] } });
  expect(pushes?.map((p) => p.ordinal)).toEqual([1, 2, 3]);
  // The process died after the transaction, before the jobs reached Redis.
  const resent = await service.resendPending(0);
  expect(resent.pushes.sort()).toEqual(pushes!.map((p) => p.batchId).sort());
  const jobs = await service.pushQueues.get('city-edudb').getJobs(['prioritized', 'waiting']);
  expect(jobs.map((j) => j.id).sort()).toEqual(pushes!.map((p) => pushJobId(p.batchId)).sort());
  // Fairness: a batch's priority is its ordinal in its run.
  expect(jobs.map((j) => j.opts.priority).sort()).toEqual([1, 2, 3]);
  expect((await service.resendPending(0)).pushes).toEqual([]);
});

it('one run per school at a time: a second run of the school waits for the first', async () => {
  const first = await run('79NB0003');
  const second = await run('79NB0003');
  expect(await claimPull(db, first, '1.0.0', TERMS)).toMatchObject({ claimed: true });
  expect(await claimPull(db, second, '1.0.0', TERMS)).toMatchObject({
    claimed: false,
    reason: 'busy',
    blockingRunId: first,
  });
  // Another school is not held up.
  expect(await claimPull(db, await run('79NB0004'), '1.0.0', TERMS)).toMatchObject({ claimed: true });
});
