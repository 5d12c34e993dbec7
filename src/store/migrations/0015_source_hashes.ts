import { type Kysely, sql } from 'kysely';

// The hash of the record as the source gave it (before rules and mapping), beside the hash of what
// the target holds: a full scan skips every record whose source hash matches at each of its
// targets, without validating, mapping or hashing it again (src/pipeline/pull/source-hash.ts).
// Null where the record had problems when it was sent (it is checked again each run) and on every
// row written before this column.
const UP = ['alter table ledger add column source_hash bytea'];

const DOWN = ['alter table ledger drop column source_hash'];

// biome-ignore lint/suspicious/noExplicitAny: migrations run against whatever schema exists then.
export async function up(db: Kysely<any>): Promise<void> {
  for (const statement of UP) await sql.raw(statement).execute(db);
}

// biome-ignore lint/suspicious/noExplicitAny: migrations run against whatever schema exists then.
export async function down(db: Kysely<any>): Promise<void> {
  for (const statement of DOWN) await sql.raw(statement).execute(db);
}
