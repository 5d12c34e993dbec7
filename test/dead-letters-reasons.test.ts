/**
 * Dead letters a person can work through: one open letter per target, record and reason however
 * many runs meet it, the reason kept as the target gave it, a letter per record even when a whole
 * batch was given up, who acts and what to do on each, and a replay that answers letter by letter.
 * Each test has its own school, city and database.
 */
import { afterEach, describe, expect, it } from 'vitest';
import rest from '../adapters/rest/index.ts';
import { describeDeadLetter } from '../src/pipeline/dead-letter-guidance.ts';
import { replayDeadLetters } from '../src/pipeline/dead-letters.ts';
import { runSync } from '../src/pipeline/sync.ts';
import {
  createDatabase,
  type Database,
  listDeadLetters,
  loadKeyring,
  migrateToLatest,
} from '../src/store/index.ts';
import { type SyncWorld, startSyncWorld } from './support/sync-world.ts';

const SCHOOL = '79NB0001';
const keyring = loadKeyring({ NODE_ENV: 'test' });

type World = SyncWorld;
let world: World | undefined;

afterEach(async () => {
  await world?.close();
  world = undefined;
});

async function newWorld(unknownEvery: number): Promise<World> {
  world = await startSyncWorld({ seed: 41, classesPerGrade: 1, classSize: 8 }, unknownEvery);
  return world;
}

const sync = (w: World, extra: Partial<Parameters<typeof runSync>[0]> = {}) =>
  runSync({
    db: w.db,
    keyring,
    adapter: rest,
    adapterConfig: w.adapterConfig,
    targets: [w.target()],
    schoolCode: SCHOOL,
    streams: ['students'],
    mode: 'full',
    asOf: new Date('2026-11-27T00:00:00Z'),
    batchSize: 50,
    ...extra,
  });

const open = (db: Database) => listDeadLetters(db, { schools: [SCHOOL] });

describe('one letter per record and reason', () => {
  it('a student the city does not know, met by three runs, is one letter seen three times; the city acts', async () => {
    const w = await newWorld(8);
    const runs = [await sync(w), await sync(w), await sync(w)];
    const unknown = w.city.unknownStudentCodes.size;
    expect(unknown).toBeGreaterThan(0);
    for (const r of runs) expect(r.counts.refused).toBe(unknown);

    const letters = await open(w.db);
    expect(letters).toHaveLength(unknown);
    for (const l of letters) {
      expect(l).toMatchObject({ code: 'UNKNOWN_MASTER', occurrences: 3, first_run_id: runs[0]!.runId });
      expect(l.run_id).toBe(runs[2]!.runId);
      expect(l.last_seen_at.getTime()).toBeGreaterThan(l.first_seen_at.getTime());
      const shown = describeDeadLetter(l);
      expect(shown.actor).toBe('city');
      expect(shown.action.vi).toContain('CSDL ngành');
      expect(shown.action.en).toContain('review list');
    }
  }, 60_000);
});

describe('a batch given up on', () => {
  it('leaves a letter for each of its records with the gateway’s reason, and a replay answers each', async () => {
    const w = await newWorld(0);
    // The city is down longer than this run allows a batch to wait for it.
    w.city.city.faults.set({ unavailable: { count: 1_000, retryAfterSeconds: 0 } });
    const run = await sync(w, { outageMaxMs: 1 });
    const students = w.school.state.data.students.size;
    expect(run.state).toBe('succeeded');
    expect(run.counts).toMatchObject({ staged: students, failed: students, created: 0 });

    const letters = await open(w.db);
    expect(letters).toHaveLength(students);
    expect(new Set(letters.map((l) => l.code))).toEqual(new Set(['HTTP_503']));
    expect(letters.every((l) => l.record_key !== null)).toBe(true);
    expect(describeDeadLetter(letters[0]!).actor).toBe('district-it');

    w.city.city.faults.set({});
    const replay = await replayDeadLetters({
      db: w.db,
      keyring,
      targets: [w.target()],
      filter: { schools: [SCHOOL] },
      replayedBy: 'cli:tester',
    });
    expect(replay).toMatchObject({ replayed: students, stillRefused: 0, failed: 0 });
    expect(replay.letters.map((l) => l.outcome)).toEqual(Array(students).fill('accepted'));
    expect(await open(w.db)).toHaveLength(0);
    expect(w.city.city.contentOf(SCHOOL).size).toBe(students);
  }, 60_000);
});

describe('a replay refused for another reason', () => {
  it('resolves the old letter and parks the record under the target’s new code, named in the answer', async () => {
    const w = await newWorld(0);
    w.city.city.faults.set({ refuse: { count: 1, code: 'FIRST_REASON', message: 'lý do 1 / reason 1' } });
    await sync(w);
    const [first] = await open(w.db);
    expect(first).toMatchObject({ code: 'FIRST_REASON' });

    w.city.city.faults.set({ refuse: { count: 1, code: 'SECOND_REASON', message: 'lý do 2 / reason 2' } });
    const replay = await replayDeadLetters({
      db: w.db,
      keyring,
      targets: [w.target()],
      ids: [first!.id],
      replayedBy: 'cli:tester',
    });

    const [now] = await open(w.db);
    expect(replay.letters).toEqual([
      {
        id: first!.id,
        target: 'city-edudb',
        stream: 'students',
        recordKey: first!.record_key,
        outcome: 'refused',
        code: 'SECOND_REASON',
        message: 'lý do 2 / reason 2',
        newLetterId: now!.id,
      },
    ]);
    expect(now).toMatchObject({ code: 'SECOND_REASON', record_key: first!.record_key, occurrences: 1 });
    const resolved = await listDeadLetters(w.db, { schools: [SCHOOL], state: 'resolved' });
    // The first reason keeps its own code: it is not overwritten with the second.
    expect(resolved.map((l) => [l.id, l.code])).toEqual([[first!.id, 'FIRST_REASON']]);
  }, 60_000);
});

describe('letters from before 0010', () => {
  it('a batch letter becomes one letter per record; duplicates of an open letter fold into the newest', async () => {
    const db = await createDatabase({ DATABASE_URL: undefined, PGLITE_DIR: undefined } as never);
    try {
      const { Migrator } = await import('kysely');
      const { MIGRATIONS } = await import('../src/store/index.ts');
      const migrator = new Migrator({
        db: db.kysely,
        provider: { getMigrations: async () => ({ ...MIGRATIONS }) },
      });
      expect((await migrator.migrateTo('0009_fenced_steps')).error).toBeUndefined();
      const run = await db.kysely
        .insertInto('runs')
        .values({
          school_code: SCHOOL,
          adapter_id: 'rest',
          adapter_version: '1',
          mapping_versions: '{}',
          streams: ['students'],
          mode: 'full',
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      const old = (recordKey: string | null, code: string, at: string, keys?: string[]) => ({
        run_id: run.id,
        school_code: SCHOOL,
        target: 'city-edudb',
        stream: 'students',
        record_key: recordKey,
        batch: JSON.stringify({ stagedBatchId: '7', idempotencyKey: 'k', ...(keys ? { keys } : {}) }),
        code,
        answer: 'null',
        created_at: at,
      });
      await db.kysely
        .insertInto('dead_letters')
        .values([
          old(null, 'TIMEOUT', '2026-11-01T00:00:00Z', ['a', 'b']),
          old('c', 'UNKNOWN_MASTER', '2026-11-02T00:00:00Z'),
          old('c', 'UNKNOWN_MASTER', '2026-11-03T00:00:00Z'),
          old('c', 'UNKNOWN_MASTER', '2026-11-04T00:00:00Z'),
          // The table as it was before 0010, when a batch letter had no record key.
        ] as never)
        .execute();

      await migrateToLatest(db);

      const rows = await db.kysely
        .selectFrom('dead_letters')
        .select(['record_key', 'code', 'occurrences', 'first_seen_at', 'last_seen_at'])
        .orderBy('record_key')
        .execute();
      expect(rows.map((r) => [r.record_key, r.code, r.occurrences])).toEqual([
        ['a', 'TIMEOUT', 1],
        ['b', 'TIMEOUT', 1],
        ['c', 'UNKNOWN_MASTER', 3],
      ]);
      const c = rows.find((r) => r.record_key === 'c')!;
      expect(c.first_seen_at.toISOString()).toBe('2026-11-02T00:00:00.000Z');
      expect(c.last_seen_at.toISOString()).toBe('2026-11-04T00:00:00.000Z');
    } finally {
      await db.close();
    }
  });
});
