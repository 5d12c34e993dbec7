import { type Kysely, sql } from 'kysely';

// The audit log's hash chain becomes several chains side by side (`chain`, a small number chosen
// from the actor): one chain serialized every writer of the hub behind one lock, so a burst of
// refused requests slowed every honest request that audits. Rows already written are chain 0 (a
// constant default adds the column without rewriting the table, or tripping the append-only trigger),
// and chain 0 goes on from its last entry.
const UP = [
  'alter table audit_log add column chain smallint not null default 0',
  'create index audit_log_chain_last on audit_log (chain, id)',
];

const DOWN = ['drop index audit_log_chain_last', 'alter table audit_log drop column chain'];

// biome-ignore lint/suspicious/noExplicitAny: migrations run against whatever schema exists then.
export async function up(db: Kysely<any>): Promise<void> {
  for (const statement of UP) await sql.raw(statement).execute(db);
}

// biome-ignore lint/suspicious/noExplicitAny: see `up`.
export async function down(db: Kysely<any>): Promise<void> {
  for (const statement of DOWN) await sql.raw(statement).execute(db);
}
