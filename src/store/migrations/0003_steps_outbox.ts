import { type Kysely, sql } from 'kysely';

// Runs become steps carried out as separate jobs (pull, then one push per staged batch), so the
// state between steps moves into PostgreSQL:
// - `outbox`: one row per job to carry out, written in the same transaction as the state change
//   that calls for it (a run queued, a run entering `pushing`), completed in the transaction of its
//   effect. What is not completed is re-enqueued by the sweeper, whatever Redis forgot.
// - `runs.carry`: what the pull step leaves for the end of the run (checkpoints to save, keys
//   found invalid after they were staged, when pushing started).
// - `staged_batches`: its ordinal in the run (fair scheduling between schools), its answer counts,
//   and a payload that may be purged: the sealed batch is the body kept for debugging, dropped
//   after LINEAGE_BODY_DAYS (hashes, ids and answers stay in the ledger and lineage).
// - `lineage.staged_batch_id` points at that body; the clear-text body columns planned in 0001
//   are dropped (bodies hold children's personal data and stay sealed).
const UP = [
  'alter table outbox add column key text',
  'alter table outbox add column completed_at timestamptz',
  'update outbox set key = id::text where key is null',
  'alter table outbox alter column key set not null',
  'create unique index outbox_topic_key on outbox (topic, key)',
  'drop index if exists outbox_pending',
  'create index outbox_pending on outbox (created_at) where completed_at is null',
  'alter table runs add column carry jsonb',
  'alter table staged_batches alter column payload drop not null',
  'alter table staged_batches add column ordinal integer not null default 0',
  'alter table staged_batches add column result jsonb',
  'alter table staged_batches add column purged_at timestamptz',
  'create index staged_batches_purge on staged_batches (pushed_at) where payload is not null',
  'alter table lineage add column staged_batch_id bigint',
  'drop index if exists lineage_body_expiry',
  'alter table lineage drop column body',
  'alter table lineage drop column body_expires_at',
  "create index runs_active_school on runs (school_code) where state in ('pulling', 'pushing')",
];

const DOWN = [
  'drop index runs_active_school',
  'alter table lineage add column body jsonb',
  'alter table lineage add column body_expires_at timestamptz',
  'alter table lineage drop column staged_batch_id',
  'drop index staged_batches_purge',
  'alter table staged_batches drop column purged_at',
  'alter table staged_batches drop column result',
  'alter table staged_batches drop column ordinal',
  'alter table runs drop column carry',
  'drop index outbox_pending',
  'drop index outbox_topic_key',
  'alter table outbox drop column completed_at',
  'alter table outbox drop column key',
  'create index outbox_pending on outbox (id) where dispatched_at is null',
];

// biome-ignore lint/suspicious/noExplicitAny: migrations run against whatever schema exists then.
export async function up(db: Kysely<any>): Promise<void> {
  for (const statement of UP) await sql.raw(statement).execute(db);
}

// biome-ignore lint/suspicious/noExplicitAny: see `up`.
export async function down(db: Kysely<any>): Promise<void> {
  for (const statement of DOWN) await sql.raw(statement).execute(db);
}
