/**
 * The pull step's named steps against the sandbox school and city: a pull that lost its lease stops
 * and its run's new owner delivers everything once; a key the school changed moves the record at
 * the city instead of adding a second one; a record found invalid only at the end of its stream is
 * taken out of the batch it was staged in; a record that is invalid this time is not deleted at the
 * city by a full run. Each test has its own school, city and database.
 */
import { afterEach, describe, expect, it } from 'vitest';
import rest from '../adapters/rest/index.ts';
import { identityObserver, identityRenamer } from '../src/app/identity.ts';
import { pullStep } from '../src/pipeline/pull/index.ts';
import { pushInProcess, runSync } from '../src/pipeline/sync.ts';
import type { Adapter } from '../src/sdk/index.ts';
import { sleep } from '../src/sdk/sleep.ts';
import { claimPull, createQueuedRun, getRun, LeaseLostError, loadKeyring } from '../src/store/index.ts';
import { waitFor } from './support/services.ts';
import { isStudent, reshaped, type SyncWorld, startSyncWorld } from './support/sync-world.ts';

const SCHOOL = '79NB0001';
const keyring = loadKeyring({ NODE_ENV: 'test' });
const AS_OF = new Date('2026-11-27T00:00:00Z');

type World = SyncWorld;
let world: World | undefined;

afterEach(async () => {
  await world?.close();
  world = undefined;
});

async function newWorld(): Promise<World> {
  world = await startSyncWorld({ seed: 31, classesPerGrade: 2, classSize: 10 }, 10);
  return world;
}

const sync = (w: World, mode: 'full' | 'incremental', adapter: Adapter = rest) =>
  runSync({
    db: w.db,
    keyring,
    adapter,
    adapterConfig: w.adapterConfig,
    targets: [w.target()],
    schoolCode: SCHOOL,
    streams: ['students'],
    mode,
    asOf: AS_OF,
    batchSize: 10,
    onValidRecords: (records) => identityObserver(w.db, keyring)(SCHOOL, records),
    onKeysChanged: (renames) => identityRenamer(w.db)(SCHOOL, renames),
  });

/** A student the city knows (not on its review list), by record key. */
async function knownStudentKey(w: World): Promise<string> {
  const held = w.city.city.contentOf(SCHOOL);
  const key = [...held.keys()].find((k) => held.get(k)?.kind === 'HocSinh');
  if (!key) throw new Error('the city holds no student');
  return key;
}

describe('a pull that lost its lease', () => {
  it('stops at its next write, and the run’s new owner delivers every record exactly once', async () => {
    const w = await newWorld();
    const target = w.target();
    const runId = await createQueuedRun(w.db, {
      schoolCode: SCHOOL,
      adapterId: rest.id,
      adapterVersion: rest.version,
      mappingVersions: { [target.id]: target.mappingVersion },
      streams: ['students'],
      mode: 'full',
    });
    const pull = (lease: Parameters<typeof pullStep>[0]['lease'], adapter: Adapter) =>
      pullStep({
        db: w.db,
        keyring,
        adapter,
        adapterConfig: w.adapterConfig,
        targets: [target],
        schoolCode: SCHOOL,
        streams: ['students'],
        mode: 'full',
        lease,
        leaseMs: 30_000,
        asOf: AS_OF,
        batchSize: 10,
      });
    const first = await claimPull(w.db, runId, rest.version, { leaseMs: 30_000, owner: 'slow-worker' });
    if (!first.claimed) throw new Error('not claimed');
    // A slow school system: the first worker is still reading when its lease is taken over.
    const slow = reshaped(async function* (items) {
      for await (const item of items) {
        yield item;
        await sleep(15);
      }
    });
    const stale = pull(first.lease, slow);
    const staleOutcome = stale.then(
      () => 'finished',
      (error: unknown) => error,
    );
    await waitFor('the slow worker to stage a batch', async () => {
      const n = await w.db.kysely
        .selectFrom('staged_batches')
        .select('id')
        .where('run_id', '=', runId)
        .execute();
      return n.length > 0 ? true : undefined;
    });
    await w.db.kysely
      .updateTable('runs')
      .set({ lease_until: new Date(Date.now() - 1_000) })
      .where('id', '=', runId)
      .execute();
    const second = await claimPull(w.db, runId, rest.version, { leaseMs: 30_000, owner: 'new-owner' });
    if (!second.claimed) throw new Error('not taken over');

    expect(await staleOutcome).toBeInstanceOf(LeaseLostError);
    const pulled = await pull(second.lease, rest);
    expect(pulled.state).toBe('pushing');
    await pushInProcess({ db: w.db, keyring, targets: [target], runId, logger: console as never });

    const run = await getRun(w.db, runId);
    const students = w.school.state.data.students.size;
    const unknown = w.city.unknownStudentCodes.size;
    expect(run?.state).toBe('succeeded');
    expect(run?.counts).toMatchObject({
      pulled: students,
      valid: students,
      created: students - unknown,
      refused: unknown,
    });
    const held = [...w.city.city.contentOf(SCHOOL).values()].filter((h) => h.kind === 'HocSinh');
    expect(held).toHaveLength(students - unknown);
    expect([...w.city.city.state.held.values()].every((h) => h.version === 1)).toBe(true);
    const batches = await w.db.kysely
      .selectFrom('staged_batches')
      .select(['pull_token'])
      .where('run_id', '=', runId)
      .execute();
    // Only the new owner's batches exist, and the city applied each once.
    expect(new Set(batches.map((b) => String(b.pull_token)))).toEqual(new Set([second.lease.token]));
    expect(w.city.city.state.batchesApplied).toBe(batches.length);
  }, 60_000);
});

describe('a key the school changed', () => {
  it('moves the record at the city, in the ledger and in the identity registry: updated, never held twice', async () => {
    const w = await newWorld();
    expect((await sync(w, 'full')).state).toBe('succeeded');
    const before = w.city.city.contentOf(SCHOOL).size;
    const oldKey = await knownStudentKey(w);
    const newKey = `${oldKey}-sua`;
    const renaming = reshaped(async function* (items) {
      for await (const item of items) {
        if (isStudent(item) && item.key === oldKey) {
          yield { kind: 'keyChanged', from: oldKey, to: newKey };
          yield { ...item, key: newKey };
        } else yield item;
      }
    });

    const result = await sync(w, 'full', renaming);

    expect(result.state).toBe('succeeded');
    expect(result.counts).toMatchObject({ created: 0, updated: 1, deleted: 0 });
    const held = w.city.city.contentOf(SCHOOL);
    expect(held.has(newKey)).toBe(true);
    expect(held.has(oldKey)).toBe(false);
    expect(held.size).toBe(before);
    expect(w.city.city.state.renamed).toBe(1);
    const ledger = await w.db.kysely
      .selectFrom('ledger')
      .select('record_key')
      .where('record_key', 'in', [oldKey, newKey])
      .execute();
    expect(ledger.map((l) => l.record_key)).toEqual([newKey]);
    const people = await w.db.kysely
      .selectFrom('persons')
      .select('record_key')
      .where('record_key', 'in', [oldKey, newKey])
      .execute();
    expect(people.map((p) => p.record_key)).toEqual([newKey]);
  }, 60_000);
});

describe('a record found invalid only at the end of its stream', () => {
  it('is taken out of the batch it was staged in: never sent, counted excluded, and the run reconciles', async () => {
    const w = await newWorld();
    let unguarded: string | undefined;
    // The first minor arrives with no guardian; only the stream's end can tell none will follow.
    const orphaning = reshaped(async function* (items) {
      for await (const item of items) {
        if (isStudent(item) && unguarded === undefined) {
          unguarded = item.key;
          yield { ...item, guardians: [] };
        } else yield item;
      }
    });

    const result = await sync(w, 'full', orphaning);

    expect(result.state).toBe('succeeded');
    expect(result.counts.excluded).toBe(1);
    expect(result.counts.pulled).toBe(result.counts.valid + result.counts.invalid + result.counts.excluded);
    expect(w.city.city.contentOf(SCHOOL).has(unguarded!)).toBe(false);
    expect(w.city.city.state.review.has(unguarded!)).toBe(false);
    expect(result.report.byRule.STUDENT_GUARDIAN_MISSING?.count).toBe(1);
    const staged = await w.db.kysely
      .selectFrom('staged_batches')
      .select((eb) => eb.fn.sum<number>('record_count').as('n'))
      .where('run_id', '=', result.runId)
      .executeTakeFirstOrThrow();
    expect(Number(staged.n)).toBe(result.counts.staged);
  }, 60_000);
});

describe('a record that is invalid this time', () => {
  it('is not deleted at the city by a full run: the school still has it', async () => {
    const w = await newWorld();
    expect((await sync(w, 'full')).state).toBe('succeeded');
    const key = await knownStudentKey(w);
    const breaking = reshaped(async function* (items) {
      for await (const item of items) {
        yield isStudent(item) && item.key === key ? ({ ...item, birthDate: 'not a date' } as never) : item;
      }
    });

    const result = await sync(w, 'full', breaking);

    expect(result.state).toBe('succeeded');
    // Nothing staged but the students the city refused last time, sent again.
    expect(result.counts).toMatchObject({ invalid: 1, deleted: 0, staged: result.counts.refused });
    expect(w.city.city.contentOf(SCHOOL).has(key)).toBe(true);
  }, 60_000);
});

describe('a batch’s attempts', () => {
  it('count the target’s retryable answers only, not the try that succeeded', async () => {
    const w = await newWorld();
    // One cut-off answer from the city: one attempt spent, on one batch.
    w.city.city.faults.set({ malformed: { count: 1 } });
    const result = await sync(w, 'full');
    expect(result.state).toBe('succeeded');
    expect(w.city.city.state.faultsInjected.malformed).toBe(1);
    const rows = await w.db.kysely
      .selectFrom('staged_batches')
      .select(['attempts', 'pushed_at'])
      .where('run_id', '=', result.runId)
      .execute();
    expect(rows.length).toBeGreaterThan(1);
    expect(rows.every((r) => r.pushed_at !== null)).toBe(true);
    expect(rows.map((r) => r.attempts).sort()).toEqual([...Array(rows.length - 1).fill(0), 1]);
  });
});

describe('limits on text in a run', () => {
  it('a name over the limit is invalid (TEXT_TOO_LONG); the limit configured for the run decides', async () => {
    const w = await newWorld();
    let lengthened: string | undefined;
    const longName = reshaped(async function* (items) {
      for await (const item of items) {
        if (isStudent(item) && lengthened === undefined) {
          lengthened = item.key;
          yield { ...item, fullName: `Nguyễn ${'Văn '.repeat(30)}An` };
        } else yield item;
      }
    });
    const run = (textLimits?: { fullName: number }) =>
      runSync({
        db: w.db,
        keyring,
        adapter: longName,
        adapterConfig: w.adapterConfig,
        targets: [w.target()],
        schoolCode: SCHOOL,
        streams: ['students'],
        mode: 'full',
        asOf: AS_OF,
        batchSize: 50,
        ...(textLimits ? { textLimits } : {}),
      });

    const strict = await run();
    expect(strict.counts.invalid).toBe(1);
    expect(strict.report.problems.find((p) => p.key === lengthened)).toMatchObject({
      code: 'TEXT_TOO_LONG',
      field: 'fullName',
    });
    lengthened = undefined;
    const lenient = await run({ fullName: 150 });
    expect(lenient.counts.invalid).toBe(0);
  }, 60_000);
});
