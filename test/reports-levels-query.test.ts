/**
 * Which students' subjects the levels report reads (studentSubjects): only those without a
 * learning result for a period asked, for that period only. The sync tests (reports.test.ts) have
 * no learning results at all; a district has them for most students, and the query leaves those
 * students out before grouping (bench/reports.ts), so a mix is checked here, on real PostgreSQL.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createDatabase,
  type Database,
  type LevelFact,
  migrateToLatest,
  type ResultFact,
  upsertEducationFacts,
} from '../src/store/index.ts';
import { studentSubjects } from '../src/store/reports.ts';
import { freshPostgres } from './support/services.ts';

const YEAR = '2025-2026';
const SCHOOL = '79NB0001';
const OTHER = '79NB0002';
let postgres: { url: string; drop(): Promise<void> };
let db: Database;

const result = (student: string, semester: 1 | 2, subject: string, average: number): ResultFact => ({
  keyHash: `r-${student}-${semester}-${subject}`,
  studentHash: student,
  schoolYear: YEAR,
  semester,
  className: '7A1',
  nameGrade: 7,
  subjectCode: subject,
  evaluation: 'scored',
  average,
  comment: null,
});
const level = (student: string, period: LevelFact['period']): LevelFact => ({
  keyHash: `l-${student}-${period}`,
  studentHash: student,
  schoolYear: YEAR,
  period,
  className: '7A1',
  nameGrade: 7,
  level: 'Khá',
  conduct: 'Tốt',
});
const results = (student: string) =>
  (['TOAN', 'NV'] as const).flatMap((s) => [result(student, 1, s, 7.5), result(student, 2, s, 8)]);

beforeAll(async () => {
  postgres = await freshPostgres('levels_query');
  db = await createDatabase({ DATABASE_URL: postgres.url } as never);
  await migrateToLatest(db);
  // all: every period stated; part: the first semester only; none: no learning result.
  await upsertEducationFacts(db, SCHOOL, {
    students: [],
    classes: [],
    results: [...results('all'), ...results('part'), ...results('none')],
    levels: [
      level('all', 'semester1'),
      level('all', 'semester2'),
      level('all', 'year'),
      level('part', 'semester1'),
    ],
  });
  // The same student hash at another school, with every period stated there: it must not make
  // the first school's 'none' complete.
  await upsertEducationFacts(db, OTHER, {
    students: [],
    classes: [],
    results: results('none'),
    levels: [level('none', 'semester1'), level('none', 'semester2'), level('none', 'year')],
  });
}, 60_000);

afterAll(async () => {
  await db?.close();
  await postgres?.drop();
});

const periodsOf = (rows: Awaited<ReturnType<typeof studentSubjects>>) =>
  rows.map((r) => `${r.school_code} ${r.period} ${r.subjects.length}`).sort();

describe('studentSubjects over students with and without learning results', () => {
  it('reads, for every period, only the students the school stated no level for', async () => {
    const rows = await studentSubjects(db, {});
    // 'part': semester 2 and the year; 'none' at the first school: all three; nothing of 'all'.
    expect(periodsOf(rows)).toEqual([
      `${SCHOOL} semester1 2`,
      `${SCHOOL} semester2 2`,
      `${SCHOOL} semester2 2`,
      `${SCHOOL} year 2`,
      `${SCHOOL} year 2`,
    ]);
    const year = rows.filter((r) => r.period === 'year');
    expect(year.every((r) => r.subjects.every((s) => s.a1 === 7.5 && s.a2 === 8))).toBe(true);
  });

  it('asked for one period, leaves out the students stated for it', async () => {
    expect(periodsOf(await studentSubjects(db, { period: 'semester1' }))).toEqual([`${SCHOOL} semester1 2`]);
    expect(periodsOf(await studentSubjects(db, { period: 'semester2', schools: [SCHOOL] }))).toEqual([
      `${SCHOOL} semester2 2`,
      `${SCHOOL} semester2 2`,
    ]);
  });
});
