import { type Kysely, sql } from 'kysely';

// A school's first sync writes two or three `persons` rows a student, and each row was written into
// six indexes. Two of them earn nothing:
// - `persons_personal_id (school_code, personal_id_index)`: every look-up by blind index finds one
//   to three rows through `persons_index_only (personal_id_index)` and filters the school there;
// - `persons_key_id (personal_id_key_id)`: only key rotation asks for rows under an old key, once in
//   a while, and walks the table by id anyway.
// PostgreSQL's own statement times on the sync benchmark put the upsert of people among the
// costliest statements of a first sync. (The effect of dropping these two was not measured apart.)
const UP = ['drop index persons_personal_id', 'drop index persons_key_id'];

const DOWN = [
  'create index persons_personal_id on persons (school_code, personal_id_index)',
  'create index persons_key_id on persons (personal_id_key_id)',
];

// biome-ignore lint/suspicious/noExplicitAny: migrations run against whatever schema exists then.
export async function up(db: Kysely<any>): Promise<void> {
  for (const statement of UP) await sql.raw(statement).execute(db);
}

// biome-ignore lint/suspicious/noExplicitAny: see `up`.
export async function down(db: Kysely<any>): Promise<void> {
  for (const statement of DOWN) await sql.raw(statement).execute(db);
}
