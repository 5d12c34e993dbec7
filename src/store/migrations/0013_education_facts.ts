import { type Kysely, sql } from 'kysely';

// The education reports' projection: what a sync read of students, classes, assessments and
// learning results, reduced to what the reports count. No names, personal IDs or birth dates; a
// record is known by a keyed hash of its key (`factHash`), a student's results are grouped by a
// keyed hash of the student code. One row per (school, record), replaced when a run reads the
// record again and removed when a full run no longer finds it, so the tables say what the schools
// hold now. `name_grade` is the grade the class name's leading digits give (`6A1` → 6); the
// reports prefer the grade of the school's Class record when there is one.
//
// run_rule_records: for each run, record type and rule, how many records had at least one problem
// of that rule. The run's report counts problems (a student with two guardians' bad IDs counts
// twice); the data-quality scorecard is a share of records, so it needs records.
const UP = [
  `create table education_students (
    school_code text not null,
    key_hash text not null,
    school_year text,
    class_name text,
    name_grade smallint,
    gender text,
    ethnicity_code text,
    status text,
    updated_at timestamptz not null default now(),
    primary key (school_code, key_hash)
  )`,
  `create table education_classes (
    school_code text not null,
    key_hash text not null,
    school_year text not null,
    class_name text not null,
    grade smallint not null,
    updated_at timestamptz not null default now(),
    primary key (school_code, key_hash)
  )`,
  'create index education_classes_name on education_classes (school_code, school_year, class_name)',
  `create table education_results (
    school_code text not null,
    key_hash text not null,
    student_hash text not null,
    school_year text not null,
    semester smallint not null,
    class_name text not null,
    name_grade smallint,
    subject_code text not null,
    evaluation text not null,
    average numeric(3, 1),
    comment text,
    updated_at timestamptz not null default now(),
    primary key (school_code, key_hash)
  )`,
  'create index education_results_subject on education_results (school_code, subject_code, semester)',
  `create table education_levels (
    school_code text not null,
    key_hash text not null,
    student_hash text not null,
    school_year text not null,
    period text not null,
    class_name text not null,
    name_grade smallint,
    level text,
    conduct text,
    updated_at timestamptz not null default now(),
    primary key (school_code, key_hash)
  )`,
  'create index education_levels_student on education_levels (school_code, student_hash, school_year, period)',
  `create table run_rule_records (
    run_id uuid not null references runs (id) on delete cascade,
    record_type text not null,
    rule_code text not null,
    severity text not null,
    records integer not null,
    primary key (run_id, record_type, rule_code)
  )`,
];

const DOWN = [
  'drop table run_rule_records',
  'drop table education_levels',
  'drop table education_results',
  'drop table education_classes',
  'drop table education_students',
];

// biome-ignore lint/suspicious/noExplicitAny: migrations run against whatever schema exists then.
export async function up(db: Kysely<any>): Promise<void> {
  for (const statement of UP) await sql.raw(statement).execute(db);
}

// biome-ignore lint/suspicious/noExplicitAny: see `up`.
export async function down(db: Kysely<any>): Promise<void> {
  for (const statement of DOWN) await sql.raw(statement).execute(db);
}
