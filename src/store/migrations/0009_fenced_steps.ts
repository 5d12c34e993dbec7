import { type Kysely, sql } from 'kysely';

// Every step of a run is owned through a lease with a fencing token (see store/leases.ts):
// - `fencing_tokens`: one sequence for every lease, so a token only ever grows, whichever step;
// - `runs.lease_*`: the pull step's owner, token and expiry (db time, so workers' clocks do not
//   matter). A claim of a run still `pulling` under a live lease is refused; every write of the
//   pull (staged batches, progress, the move to `pushing` or `held`) names the token;
// - `staged_batches.pull_token`: which claim staged the batch (a stale claim's rows are never
//   announced);
// - `staged_batches.push_*`: the push step's owner, token and expiry, per batch;
// - `staged_batches.attempts`: tries the target answered (kept here, not in Redis, which may
//   forget them); `waits` and `unavailable_since`: tries that found the target down, which cost no
//   attempt but are bounded in time; `last_error`: the last failure's code and message;
// - `runs.idempotency_key`, `runs.request_hash`: a request for a run repeated with the same
//   `Idempotency-Key` gets the same run back.
const UP = [
  'create sequence fencing_tokens',
  'alter table runs add column lease_token bigint',
  'alter table runs add column lease_until timestamptz',
  'alter table runs add column lease_owner text',
  'alter table runs add column idempotency_key text',
  'alter table runs add column request_hash text',
  'create unique index runs_idempotency on runs (requested_by, idempotency_key) where idempotency_key is not null',
  'alter table staged_batches add column pull_token bigint',
  'alter table staged_batches add column push_token bigint',
  'alter table staged_batches add column push_lease_until timestamptz',
  'alter table staged_batches add column push_owner text',
  'alter table staged_batches add column attempts integer not null default 0',
  'alter table staged_batches add column waits integer not null default 0',
  'alter table staged_batches add column unavailable_since timestamptz',
  'alter table staged_batches add column last_error jsonb',
];

const DOWN = [
  'alter table staged_batches drop column last_error',
  'alter table staged_batches drop column unavailable_since',
  'alter table staged_batches drop column waits',
  'alter table staged_batches drop column attempts',
  'alter table staged_batches drop column push_owner',
  'alter table staged_batches drop column push_lease_until',
  'alter table staged_batches drop column push_token',
  'alter table staged_batches drop column pull_token',
  'drop index runs_idempotency',
  'alter table runs drop column request_hash',
  'alter table runs drop column idempotency_key',
  'alter table runs drop column lease_owner',
  'alter table runs drop column lease_until',
  'alter table runs drop column lease_token',
  'drop sequence fencing_tokens',
];

// biome-ignore lint/suspicious/noExplicitAny: migrations run against whatever schema exists then.
export async function up(db: Kysely<any>): Promise<void> {
  for (const statement of UP) await sql.raw(statement).execute(db);
}

// biome-ignore lint/suspicious/noExplicitAny: see `up`.
export async function down(db: Kysely<any>): Promise<void> {
  for (const statement of DOWN) await sql.raw(statement).execute(db);
}
