/**
 * PostgreSQL holds the truth, Redis only carries jobs: runs still queued in the database whose jobs
 * Redis lost (a restart without persistence) are enqueued again, and only those.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createRunQueue, enqueueRun, queueConnection, requeueLostRuns } from '../src/pipeline/queue.ts';
import {
  createDatabase,
  createQueuedRun,
  type Database,
  migrateToLatest,
  queuedRunIds,
} from '../src/store/index.ts';

const PREFIX = `edubridge-test-${randomUUID().slice(0, 8)}`;
const redis = queueConnection('redis://127.0.0.1:6379');
const queue = createRunQueue(redis, PREFIX);
let db: Database;

beforeAll(async () => {
  db = await createDatabase({ DATABASE_URL: undefined, PGLITE_DIR: undefined } as never);
  await migrateToLatest(db);
});
afterAll(async () => {
  await queue.obliterate({ force: true });
  await queue.close();
  redis.disconnect();
  await db.close();
});

const run = () =>
  createQueuedRun(db, {
    schoolCode: '79NB0001',
    adapterId: 'rest',
    adapterVersion: 'pending',
    mappingVersions: {},
    streams: ['students'],
    mode: 'full',
  });

it('re-enqueues the queued runs whose jobs Redis lost, and leaves the others', async () => {
  const [a, b] = [await run(), await run()];
  await enqueueRun(queue, a);
  await enqueueRun(queue, b);
  // Redis restarted with nothing kept: every job is gone, the runs are still queued in PostgreSQL.
  await queue.obliterate({ force: true });
  const c = await run();
  await enqueueRun(queue, c);
  const ids = await queuedRunIds(db);
  expect(ids).toEqual([a, b, c]);
  expect((await requeueLostRuns(queue, ids)).sort()).toEqual([a, b].sort());
  expect(await requeueLostRuns(queue, ids)).toEqual([]);
  expect((await queue.getJob(a))?.data).toEqual({ runId: a });
});
