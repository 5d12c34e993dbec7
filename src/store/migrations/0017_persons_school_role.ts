import { type Kysely, sql } from 'kysely';

// Every `persons` row a first sync writes (a student and each guardian) went into four indexes;
// `persons_school_role (school_code, role, status)` was one of them, and no query needs it. What
// each remaining index is for:
// - `persons_pkey (id)`: a person by id (the identity worker's checks, `peopleByIds`, the
//   foreign key of `identity_checks`);
// - `persons_school_code_record_key_key (school_code, record_key)`: the sync's upsert and
//   `changedPeople`, and every per-school query: `identityCoverage`, `peopleToFollowUp`, the
//   checks of a whole school (`personIdsOf`) and the overview's counts read a school's rows through
//   its `school_code` prefix and filter role and status there (about 4,000 rows a school: 6–9 ms
//   measured on 300,000 rows, the same plan as with the dropped index);
// - `persons_index_only (personal_id_index)`: the sign-in's and C06's look-ups by ID number
//   across schools.
// Inserting 15,000 rows into a table of 300,000 took 360–500 ms with the four indexes and about
// 15 % less without this one (psql on the bench machine, 2026-12-07).
const UP = ['drop index persons_school_role'];

const DOWN = ['create index persons_school_role on persons (school_code, role, status)'];

// biome-ignore lint/suspicious/noExplicitAny: migrations run against whatever schema exists then.
export async function up(db: Kysely<any>): Promise<void> {
  for (const statement of UP) await sql.raw(statement).execute(db);
}

// biome-ignore lint/suspicious/noExplicitAny: migrations run against whatever schema exists then.
export async function down(db: Kysely<any>): Promise<void> {
  for (const statement of DOWN) await sql.raw(statement).execute(db);
}
