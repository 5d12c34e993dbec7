/**
 * The education reports' projection (migration 0013): rows replaced by (school, record key hash)
 * as runs read records, removed when a full run no longer finds them or the source renames them.
 * The rows carry no names, personal IDs or birth dates (see reports/facts.ts for what they hold).
 */
import { sql } from 'kysely';
import { type Db, kyselyOf } from './db.ts';

export interface StudentFact {
  keyHash: string;
  schoolYear: string | null;
  className: string | null;
  nameGrade: number | null;
  gender: string | null;
  ethnicityCode: string | null;
  status: string | null;
}

export interface ClassFact {
  keyHash: string;
  schoolYear: string;
  className: string;
  grade: number;
}

export interface ResultFact {
  keyHash: string;
  studentHash: string;
  schoolYear: string;
  semester: 1 | 2;
  className: string;
  nameGrade: number | null;
  subjectCode: string;
  evaluation: 'scored' | 'commented';
  /** ĐTBmhk, one decimal; null while the midterm or final is missing and the source gave none. */
  average: number | null;
  /** Đ or CĐ of a commented subject; null while it cannot be told. */
  comment: 'Đ' | 'CĐ' | null;
}

export interface LevelFact {
  keyHash: string;
  studentHash: string;
  schoolYear: string;
  period: 'semester1' | 'semester2' | 'year';
  className: string;
  nameGrade: number | null;
  level: string | null;
  conduct: string | null;
}

export interface EducationFacts {
  students: StudentFact[];
  classes: ClassFact[];
  results: ResultFact[];
  levels: LevelFact[];
}

export type FactTable = 'education_students' | 'education_classes' | 'education_results' | 'education_levels';
export const FACT_TABLES: readonly FactTable[] = [
  'education_students',
  'education_classes',
  'education_results',
  'education_levels',
];

// One statement per table and batch: the rows go as one JSON document, taken apart by
// jsonb_to_recordset, so a batch of 500 costs one round trip and no parameter limit applies.
const UPSERTS: Record<FactTable, { columns: string; types: string; set: string }> = {
  education_students: {
    columns: 'key_hash, school_year, class_name, name_grade, gender, ethnicity_code, status',
    types:
      'key_hash text, school_year text, class_name text, name_grade smallint, gender text, ethnicity_code text, status text',
    set: 'school_year = excluded.school_year, class_name = excluded.class_name, name_grade = excluded.name_grade, gender = excluded.gender, ethnicity_code = excluded.ethnicity_code, status = excluded.status',
  },
  education_classes: {
    columns: 'key_hash, school_year, class_name, grade',
    types: 'key_hash text, school_year text, class_name text, grade smallint',
    set: 'school_year = excluded.school_year, class_name = excluded.class_name, grade = excluded.grade',
  },
  education_results: {
    columns:
      'key_hash, student_hash, school_year, semester, class_name, name_grade, subject_code, evaluation, average, comment',
    types:
      'key_hash text, student_hash text, school_year text, semester smallint, class_name text, name_grade smallint, subject_code text, evaluation text, average numeric(3,1), comment text',
    set: 'student_hash = excluded.student_hash, school_year = excluded.school_year, semester = excluded.semester, class_name = excluded.class_name, name_grade = excluded.name_grade, subject_code = excluded.subject_code, evaluation = excluded.evaluation, average = excluded.average, comment = excluded.comment',
  },
  education_levels: {
    columns: 'key_hash, student_hash, school_year, period, class_name, name_grade, level, conduct',
    types:
      'key_hash text, student_hash text, school_year text, period text, class_name text, name_grade smallint, level text, conduct text',
    set: 'student_hash = excluded.student_hash, school_year = excluded.school_year, period = excluded.period, class_name = excluded.class_name, name_grade = excluded.name_grade, level = excluded.level, conduct = excluded.conduct',
  },
};

const snake = (name: string) => name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

function rowsOf(facts: readonly object[]): string {
  return JSON.stringify(
    facts.map((f) => Object.fromEntries(Object.entries(f).map(([k, v]) => [snake(k), v]))),
  );
}

/** Replaces the school's rows for these records (by key hash). */
export async function upsertEducationFacts(db: Db, schoolCode: string, facts: EducationFacts): Promise<void> {
  const byTable: Array<[FactTable, readonly object[]]> = [
    ['education_students', facts.students],
    ['education_classes', facts.classes],
    ['education_results', facts.results],
    ['education_levels', facts.levels],
  ];
  for (const [table, rows] of byTable) {
    if (rows.length === 0) continue;
    // A batch may carry the same record twice (a source that repeats a row): the last one wins,
    // as a second upsert would have it; ON CONFLICT refuses one command touching a row twice.
    const unique = [...new Map(rows.map((r) => [(r as { keyHash: string }).keyHash, r])).values()];
    const u = UPSERTS[table];
    await sql`
      insert into ${sql.table(table)} (school_code, ${sql.raw(u.columns)}, updated_at)
      select ${schoolCode}, ${sql.raw(u.columns)}, now()
      from jsonb_to_recordset(${rowsOf(unique)}::jsonb) as x(${sql.raw(u.types)})
      on conflict (school_code, key_hash) do update set ${sql.raw(u.set)}, updated_at = now()
    `.execute(kyselyOf(db));
  }
}

/** Removes the school's rows of these tables whose key hash is not in `keep` (a full run's end). */
export async function removeEducationFactsNotIn(
  db: Db,
  schoolCode: string,
  tables: readonly FactTable[],
  keep: readonly string[],
): Promise<number> {
  let removed = 0;
  for (const table of tables) {
    const result = await sql`
      delete from ${sql.table(table)}
      where school_code = ${schoolCode}
        -- NOT IN a subquery is hashed once; "<> all(array)" would compare every row with every key.
        and key_hash not in (select unnest(${sql.val(keep)}::text[]))
    `.execute(kyselyOf(db));
    removed += Number(result.numAffectedRows ?? 0);
  }
  return removed;
}

/** Removes the school's rows of these tables with these key hashes (deleted or renamed at the source). */
export async function removeEducationFacts(
  db: Db,
  schoolCode: string,
  tables: readonly FactTable[],
  hashes: readonly string[],
): Promise<void> {
  if (hashes.length === 0) return;
  for (const table of tables) {
    await sql`
      delete from ${sql.table(table)}
      where school_code = ${schoolCode} and key_hash = any(${sql.val(hashes)}::text[])
    `.execute(kyselyOf(db));
  }
}
