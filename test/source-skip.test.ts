/**
 * The no-change scan (src/pipeline/pull/source-hash.ts): a record the school gives exactly as before,
 * held by the city as it maps now, is skipped before the rules and the mapping; everything else is
 * checked in full as before. What is watched is the target's `map`: a skipped record never reaches
 * it. Each test has its own school, city and database.
 */
import { afterEach, describe, expect, it } from 'vitest';
import rest from '../adapters/rest/index.ts';
import type { CanonicalRecord } from '../src/model/index.ts';
import { runSync } from '../src/pipeline/sync.ts';
import type { Adapter } from '../src/sdk/index.ts';
import { loadKeyring } from '../src/store/index.ts';
import type { Target } from '../src/targets/target.ts';
import { isStudent, reshaped, type SyncWorld, startSyncWorld } from './support/sync-world.ts';

const SCHOOL = '79NB0001';
const keyring = loadKeyring({ NODE_ENV: 'test' });
const AS_OF = new Date('2026-11-27T00:00:00Z');

let world: SyncWorld | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

async function newWorld(
  district: { seed: number; classesPerGrade: number; classSize: number },
  unknownEvery: number,
): Promise<SyncWorld> {
  world = await startSyncWorld(district, unknownEvery);
  return world;
}

type Student = Extract<CanonicalRecord, { type: 'student' }>;

/** The city target, with the keys it was asked to map. */
function watched(w: SyncWorld, settings?: unknown): { target: Target; mapped: string[] } {
  const inner = w.target();
  const mapped: string[] = [];
  const target: Target = {
    ...inner,
    ...(settings !== undefined ? { mappingSettings: settings } : {}),
    map: (record) => {
      mapped.push(record.key);
      return inner.map(record);
    },
  };
  return { target, mapped };
}

const sync = (w: SyncWorld, target: Target, adapter: Adapter = rest, mode: 'full' | 'incremental' = 'full') =>
  runSync({
    db: w.db,
    keyring,
    adapter,
    adapterConfig: w.adapterConfig,
    targets: [target],
    schoolCode: SCHOOL,
    streams: ['students'],
    mode,
    asOf: AS_OF,
    batchSize: 25,
  });

describe('a full scan after a first sync', () => {
  it('maps only what the city does not hold as the school gives it: the refused, then the one changed', async () => {
    const w = await newWorld({ seed: 41, classesPerGrade: 2, classSize: 10 }, 7);
    const first = watched(w);
    const done = await sync(w, first.target);
    expect(done.state).toBe('succeeded');
    const students = w.school.state.data.students.size;
    expect(first.mapped).toHaveLength(students);
    const refused = done.counts.refused;
    expect(refused).toBeGreaterThan(0);

    const second = watched(w);
    const again = await sync(w, second.target);
    expect(again.state).toBe('succeeded');
    expect(again.counts).toMatchObject({
      pulled: students,
      valid: students,
      unchanged: students - refused,
      created: 0,
      updated: 0,
      refused,
    });
    // Only the students the city refused were checked and mapped again (and sent again).
    expect(second.mapped).toHaveLength(refused);
    const refusedKeys = await w.db.kysely
      .selectFrom('dead_letters')
      .select('record_key')
      .where('run_id', '=', again.runId)
      .execute();
    expect(new Set(second.mapped)).toEqual(new Set(refusedKeys.map((r) => r.record_key)));

    const known = w.school.state.data.students
      .idList()
      .find(
        (id) =>
          !w.city.unknownStudentCodes.has(
            (w.school.state.data.students.get(id) as { maHocSinh: string }).maHocSinh,
          ),
      )!;
    w.school.state.mutate({ students: { update: [known] } });
    const third = watched(w);
    const changed = await sync(w, third.target);
    expect(changed.counts).toMatchObject({ updated: 1, unchanged: students - refused - 1, refused });
    expect(third.mapped).toHaveLength(refused + 1);
  }, 60_000);

  it('maps everything again when the mapping’s settings change, and sends nothing that did not change', async () => {
    const w = await newWorld({ seed: 42, classesPerGrade: 1, classSize: 10 }, 1_000_000);
    expect((await sync(w, watched(w, { account: 'A' }).target)).state).toBe('succeeded');
    const students = w.school.state.data.students.size;
    const same = watched(w, { account: 'A' });
    expect((await sync(w, same.target)).counts.unchanged).toBe(students);
    expect(same.mapped).toHaveLength(0);
    const other = watched(w, { account: 'B' });
    const applied = w.city.city.state.batchesApplied;
    const result = await sync(w, other.target);
    expect(other.mapped).toHaveLength(students);
    expect(result.counts).toMatchObject({ unchanged: students, created: 0, updated: 0 });
    expect(w.city.city.state.batchesApplied).toBe(applied);
    // …and the run after that skips them again under the new settings.
    const after = watched(w, { account: 'B' });
    await sync(w, after.target);
    expect(after.mapped).toHaveLength(0);
  }, 60_000);

  it('checks in full, once, a record whose ledger row has no source hash (written before the column)', async () => {
    const w = await newWorld({ seed: 43, classesPerGrade: 1, classSize: 10 }, 1_000_000);
    expect((await sync(w, w.target())).state).toBe('succeeded');
    const row = await w.db.kysely
      .selectFrom('ledger')
      .select('record_key')
      .limit(1)
      .executeTakeFirstOrThrow();
    await w.db.kysely
      .updateTable('ledger')
      .set({ source_hash: null })
      .where('record_key', '=', row.record_key)
      .execute();
    const applied = w.city.city.state.batchesApplied;
    const next = watched(w);
    const result = await sync(w, next.target);
    // Mapped, found unchanged by the ledger diff, not sent, and its source hash noted…
    expect(next.mapped).toEqual([row.record_key]);
    expect(result.counts).toMatchObject({ updated: 0, created: 0 });
    expect(w.city.city.state.batchesApplied).toBe(applied);
    // …so the scan after skips it too.
    const after = watched(w);
    await sync(w, after.target);
    expect(after.mapped).toEqual([]);
  }, 60_000);
});

describe('a skipped record still counts for the rules across records', () => {
  it('a new student with the personal ID of an unchanged one is invalid (PERSONAL_ID_DUPLICATE)', async () => {
    const w = await newWorld({ seed: 44, classesPerGrade: 1, classSize: 10 }, 1_000_000);
    expect((await sync(w, w.target())).state).toBe('succeeded');
    let copied: Student | undefined;
    const withTwin = reshaped(async function* (items) {
      for await (const item of items) {
        yield item;
        if (isStudent(item) && item.personalId && !copied) {
          copied = item;
          yield {
            ...item,
            key: `${item.key}-twin`,
            studentCode: `${item.studentCode}9`,
            fullName: 'Trần Thị Song',
          };
        }
      }
    });
    const next = watched(w);
    const result = await sync(w, next.target, withTwin);
    expect(result.state).toBe('succeeded');
    // The original was skipped, the twin checked in full and refused by the dataset rule.
    expect(next.mapped).toEqual([]);
    expect(result.counts).toMatchObject({ invalid: 1, created: 0 });
    expect(result.report.byRule.PERSONAL_ID_DUPLICATE?.count).toBe(1);
    expect(w.city.city.contentOf(SCHOOL).has(`${copied!.key}-twin`)).toBe(false);
  }, 60_000);

  it('a record with a warning is checked on every run, so its warning is reported every time', async () => {
    const w = await newWorld({ seed: 45, classesPerGrade: 1, classSize: 10 }, 1_000_000);
    let spaced: string | undefined;
    const doubleSpaced = reshaped(async function* (items) {
      for await (const item of items) {
        if (isStudent(item) && (spaced === undefined || item.key === spaced)) {
          spaced = item.key;
          yield { ...item, fullName: item.fullName.replace(' ', '  ') };
        } else yield item;
      }
    });
    expect((await sync(w, w.target(), doubleSpaced)).report.byRule.NAME_NORMALISED?.count).toBe(1);
    const next = watched(w);
    const result = await sync(w, next.target, doubleSpaced);
    expect(next.mapped).toEqual([spaced]);
    expect(result.report.byRule.NAME_NORMALISED?.count).toBe(1);
    expect(result.counts).toMatchObject({ unchanged: w.school.state.data.students.size, updated: 0 });
  }, 60_000);
});
