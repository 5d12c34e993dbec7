/**
 * The education reports' queries over the projection (migration 0013), the persons table (C06
 * coverage) and the runs (data quality). Each returns grouped counts; src/reports/ shapes them.
 * A report's rows are limited to `schools` when given (a key's scope), else every school.
 */
import { type RawBuilder, sql } from 'kysely';
import { ACTIVE_STUDENT_STATUSES } from '../model/index.ts';
import { type Db, kyselyOf } from './db.ts';

export interface FactFilter {
  /** The schools the caller may see; undefined: every school. */
  schools?: readonly string[] | undefined;
  schoolYear?: string | undefined;
  grade?: number | undefined;
  className?: string | undefined;
}

// Enrolment counts the students the code list calls active (studying, transferred in, readmitted,
// changed class, repeating), and those whose source gives no status.
const ACTIVE = [...ACTIVE_STUDENT_STATUSES];

// The grade of a class: the school's Class record when it has one, else the class name's digits.
const CLASS_GRADES = sql`class_grades as (
  select distinct on (school_code, school_year, class_name) school_code, school_year, class_name, grade
  from education_classes
  order by school_code, school_year, class_name, updated_at desc
)`;

function where(alias: string, f: FactFilter, extra: RawBuilder<unknown>[] = []): RawBuilder<unknown> {
  const a = sql.raw(alias);
  const parts: RawBuilder<unknown>[] = [sql`true`];
  if (f.schools) parts.push(sql`${a}.school_code = any(${sql.val([...f.schools])}::text[])`);
  if (f.schoolYear) parts.push(sql`${a}.school_year = ${f.schoolYear}`);
  if (f.className) parts.push(sql`${a}.class_name = ${f.className}`);
  if (f.grade !== undefined) parts.push(sql`coalesce(g.grade, ${a}.name_grade) = ${f.grade}`);
  parts.push(...extra);
  return sql.join(parts, sql` and `);
}

export interface EnrolmentCount {
  school_code: string;
  school_year: string | null;
  grade: number | null;
  gender: string | null;
  ethnicity_code: string | null;
  students: number;
}

export async function enrolmentCounts(db: Db, f: FactFilter): Promise<EnrolmentCount[]> {
  const { rows } = await sql<EnrolmentCount>`
    with ${CLASS_GRADES}
    select s.school_code, s.school_year, coalesce(g.grade, s.name_grade)::int as grade, s.gender,
      s.ethnicity_code, count(*)::int as students
    from education_students s
    left join class_grades g
      on g.school_code = s.school_code and g.school_year = s.school_year and g.class_name = s.class_name
    where ${where('s', f, [sql`(s.status is null or s.status = any(${sql.val(ACTIVE)}::text[]))`])}
    group by 1, 2, 3, 4, 5
    order by 1, 2, 3 nulls last, 4, 5
  `.execute(kyselyOf(db));
  return rows;
}

export interface ScoreCount {
  school_code: string;
  school_year: string;
  semester: number;
  grade: number | null;
  subject_code: string;
  evaluation: 'scored' | 'commented';
  /** 0–9 for a scored average ([9, 10] is 9), null while no average. */
  band: number | null;
  comment: string | null;
  records: number;
  /** Sum of the averages in tenths. */
  tenths: number;
}

export async function scoreCounts(
  db: Db,
  f: FactFilter & { subject?: string | undefined; semester?: number | undefined },
): Promise<ScoreCount[]> {
  const extra: RawBuilder<unknown>[] = [];
  if (f.subject) extra.push(sql`r.subject_code = ${f.subject}`);
  if (f.semester !== undefined) extra.push(sql`r.semester = ${f.semester}`);
  const { rows } = await sql<ScoreCount>`
    with ${CLASS_GRADES}
    select r.school_code, r.school_year, r.semester::int as semester,
      coalesce(g.grade, r.name_grade)::int as grade, r.subject_code, r.evaluation,
      -- least() ignores nulls: a row without an average has no band, not band 9.
      case when r.average is null then null else least(floor(r.average), 9)::int end as band, r.comment, count(*)::int as records,
      coalesce(sum(round(r.average * 10)), 0)::int as tenths
    from education_results r
    left join class_grades g
      on g.school_code = r.school_code and g.school_year = r.school_year and g.class_name = r.class_name
    where ${where('r', f, extra)}
    group by 1, 2, 3, 4, 5, 6, 7, 8
    order by 1, 2, 3, 4 nulls last, 5, 7 nulls last, 8
  `.execute(kyselyOf(db));
  return rows;
}

/** Per school, the scored rows with an average and the sum of their averages in tenths. */
export interface ScoreTotal {
  school_code: string;
  records: number;
  tenths: number;
}

/**
 * The district report's average per school in one pass grouped by school alone (100 groups):
 * `scoreCounts` groups 2,000,000 rows of a district by band and subject, seconds where this is a
 * fraction of one (bench/reports.ts).
 */
export async function scoreTotals(
  db: Db,
  f: FactFilter & { subject?: string | undefined; semester?: number | undefined },
): Promise<ScoreTotal[]> {
  const extra: RawBuilder<unknown>[] = [sql`r.evaluation = 'scored'`, sql`r.average is not null`];
  if (f.subject) extra.push(sql`r.subject_code = ${f.subject}`);
  if (f.semester !== undefined) extra.push(sql`r.semester = ${f.semester}`);
  const { rows } = await sql<ScoreTotal>`
    with ${CLASS_GRADES}
    select r.school_code, count(*)::int as records, sum(round(r.average * 10))::int as tenths
    from education_results r
    left join class_grades g
      on g.school_code = r.school_code and g.school_year = r.school_year and g.class_name = r.class_name
    where ${where('r', f, extra)}
    group by 1
    order by 1
  `.execute(kyselyOf(db));
  return rows;
}

export interface StatedLevelCount {
  school_code: string;
  school_year: string;
  period: string;
  grade: number | null;
  level: string | null;
  conduct: string | null;
  students: number;
}

/** Levels the learning results state (as the rules normalised them), counted. */
export async function statedLevelCounts(
  db: Db,
  f: FactFilter & { period?: string | undefined },
): Promise<StatedLevelCount[]> {
  const extra = f.period ? [sql`l.period = ${f.period}`] : [];
  const { rows } = await sql<StatedLevelCount>`
    with ${CLASS_GRADES}
    select l.school_code, l.school_year, l.period, coalesce(g.grade, l.name_grade)::int as grade,
      l.level, l.conduct, count(distinct l.student_hash)::int as students
    from education_levels l
    left join class_grades g
      on g.school_code = l.school_code and g.school_year = l.school_year and g.class_name = l.class_name
    where ${where('l', f, extra)}
    group by 1, 2, 3, 4, 5, 6
  `.execute(kyselyOf(db));
  return rows;
}

/** One student's subject results for a semester or the year, for those without a learning result. */
export interface StudentSubjects {
  school_code: string;
  school_year: string;
  period: string;
  grade: number | null;
  /** Per subject: evaluation, first and second semester average or comment (null when missing). */
  subjects: Array<{ e: string; a1: number | null; a2: number | null; c1: string | null; c2: string | null }>;
}

/**
 * Each student's subjects per semester (and, for the year, both semesters side by side), for the
 * students whose learning result for that period the school did not send: the report computes
 * their level from the assessments (Circular 22 Art. 9).
 */
export async function studentSubjects(
  db: Db,
  f: FactFilter & { period?: string | undefined },
): Promise<StudentSubjects[]> {
  const periods = f.period ? [f.period] : ['semester1', 'semester2', 'year'];
  const { rows } = await sql<StudentSubjects>`
    with ${CLASS_GRADES},
    -- The students with a learning result for every period asked: the report counts the levels
    -- the school stated for them, so their subjects are left out before grouping (most of a
    -- district; grouping all 2,000,000 results of 100 schools took 11 s, bench/reports.ts).
    complete as (
      select school_code, student_hash, school_year
      from education_levels
      where period = any(${sql.val(periods)}::text[])
        ${f.schools ? sql`and school_code = any(${sql.val([...f.schools])}::text[])` : sql``}
        ${f.schoolYear ? sql`and school_year = ${f.schoolYear}` : sql``}
      group by 1, 2, 3
      having count(distinct period) = ${periods.length}
    ),
    r as (
      select r.*, coalesce(g.grade, r.name_grade)::int as grade
      from education_results r
      left join class_grades g
        on g.school_code = r.school_code and g.school_year = r.school_year and g.class_name = r.class_name
      where ${where('r', f)}
        -- NOT IN a subquery is one hash of the complete students (the columns are never null);
        -- NOT EXISTS let the planner, misjudging the HAVING, merge on the school code alone.
        and (r.school_code, r.student_hash, r.school_year) not in (
          select school_code, student_hash, school_year from complete
        )
    ),
    per_subject as (
      select school_code, student_hash, school_year, subject_code, min(evaluation) as e,
        max(grade) as grade, bool_or(semester = 1) as has1, bool_or(semester = 2) as has2,
        max(average) filter (where semester = 1) as a1, max(average) filter (where semester = 2) as a2,
        max(comment) filter (where semester = 1) as c1, max(comment) filter (where semester = 2) as c2
      from r group by 1, 2, 3, 4
    ),
    periods as (
      select p.period, s.*
      from per_subject s
      cross join unnest(${sql.val(periods)}::text[]) as p(period)
      where (p.period = 'semester1' and s.has1) or (p.period = 'semester2' and s.has2) or p.period = 'year'
    )
    select p.school_code, p.school_year, p.period, max(p.grade)::int as grade,
      json_agg(json_build_object('e', p.e, 'a1', p.a1, 'a2', p.a2, 'c1', p.c1, 'c2', p.c2)) as subjects
    from periods p
    where not exists (
      select 1 from education_levels l
      where l.school_code = p.school_code and l.student_hash = p.student_hash
        and l.school_year = p.school_year and l.period = p.period
    )
    group by p.school_code, p.student_hash, p.school_year, p.period
  `.execute(kyselyOf(db));
  return rows.map((r) => ({
    ...r,
    subjects: r.subjects.map((s) => ({
      ...s,
      a1: s.a1 === null ? null : Number(s.a1),
      a2: s.a2 === null ? null : Number(s.a2),
    })),
  }));
}

/** Students the identity registry knows per school, and those whose personal ID C06 confirmed. */
export async function studentIdentityCounts(
  db: Db,
  schools: readonly string[] | undefined,
): Promise<Array<{ school_code: string; people: number; confirmed: number }>> {
  const { rows } = await sql<{ school_code: string; people: number; confirmed: number }>`
    select school_code, count(*)::int as people,
      count(*) filter (where personal_id_index is not null and status = 'verified')::int as confirmed
    from persons
    where role = 'student' ${schools ? sql`and school_code = any(${sql.val([...schools])}::text[])` : sql``}
    group by school_code order by school_code
  `.execute(kyselyOf(db));
  return rows;
}

export interface QualityRun {
  school_code: string;
  stream: string;
  run_id: string;
  state: string;
  created_at: Date;
  /** The run's records read per record type (its report's byType). */
  by_type: Record<string, { records: number; invalid: number }> | null;
  /** Records with each rule's problems per record type. */
  rules: Array<{ record_type: string; rule_code: string; severity: string; records: number }>;
}

/**
 * Each school's last run per stream whose pull ended (pushing, succeeded or held): a failed or
 * running pull read only part of the source and would make the school look better or worse.
 */
export async function lastQualityRuns(db: Db, schools: readonly string[] | undefined): Promise<QualityRun[]> {
  const { rows } = await sql<QualityRun>`
    with last as (
      select distinct on (r.school_code, s.stream) r.school_code, s.stream, r.id, r.state, r.created_at
      from runs r cross join lateral unnest(r.streams) as s(stream)
      where r.state in ('pushing', 'succeeded', 'held')
        ${schools ? sql`and r.school_code = any(${sql.val([...schools])}::text[])` : sql``}
      order by r.school_code, s.stream, r.created_at desc, r.id desc
    )
    select l.school_code, l.stream, l.id::text as run_id, l.state, l.created_at,
      (select r.report -> 'byType' from runs r where r.id = l.id) as by_type,
      coalesce((
        select json_agg(json_build_object('record_type', q.record_type, 'rule_code', q.rule_code,
          'severity', q.severity, 'records', q.records) order by q.record_type, q.rule_code)
        from run_rule_records q where q.run_id = l.id
      ), '[]'::json) as rules
    from last l
    order by l.school_code, l.stream
  `.execute(kyselyOf(db));
  return rows;
}
