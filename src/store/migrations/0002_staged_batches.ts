import { type Kysely, sql } from 'kysely';

// Records between the steps of a run wait here, not in Redis: job data is visible to anyone who
// can read the queue, and these records hold children's personal data. Each batch is one sealed
// (AES-256-GCM) JSON document, so personal data is encrypted at rest here too.
const UP = [
  `create table staged_batches (
    id bigserial primary key,
    run_id uuid not null references runs (id) on delete cascade,
    target text not null,
    stream text not null,
    kind text not null check (kind in ('push')),
    payload bytea not null,
    key_id text not null,
    record_count integer not null,
    created_at timestamptz not null default now(),
    pushed_at timestamptz
  )`,
  'create index staged_batches_run on staged_batches (run_id, target, stream) where pushed_at is null',
];

const DOWN = ['drop table staged_batches'];

// biome-ignore lint/suspicious/noExplicitAny: migrations run against whatever schema exists then.
export async function up(db: Kysely<any>): Promise<void> {
  for (const statement of UP) await sql.raw(statement).execute(db);
}

// biome-ignore lint/suspicious/noExplicitAny: see `up`.
export async function down(db: Kysely<any>): Promise<void> {
  for (const statement of DOWN) await sql.raw(statement).execute(db);
}
