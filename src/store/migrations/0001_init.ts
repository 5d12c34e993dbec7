import { type Kysely, sql } from 'kysely';

// Plain SQL, one statement per call: PGlite's extended protocol takes a single statement at a
// time, and the DDL reads the same as in psql. Names are snake_case, times timestamptz, JSON jsonb.

const ZERO_COUNTS =
  '{"pulled":0,"valid":0,"invalid":0,"unchanged":0,"created":0,"updated":0,"deleted":0,"refused":0,"failed":0}';

const UP = [
  `create table runs (
    id uuid primary key default gen_random_uuid(),
    school_code text not null,
    adapter_id text not null,
    adapter_version text not null,
    mapping_versions jsonb not null default '{}',
    streams text[] not null,
    mode text not null check (mode in ('full', 'incremental')),
    state text not null default 'queued' check (state in
      ('queued', 'pulling', 'validating', 'diffing', 'held', 'pushing', 'succeeded', 'failed', 'cancelled')),
    counts jsonb not null default '${ZERO_COUNTS}',
    report jsonb,
    hold jsonb,
    timings jsonb not null default '{}',
    created_at timestamptz not null default now(),
    started_at timestamptz,
    finished_at timestamptz,
    requested_by text
  )`,
  'create index runs_school_created on runs (school_code, created_at desc)',
  // The sweeper and the dashboard look for unfinished runs only.
  `create index runs_active on runs (state) where state not in ('succeeded', 'failed', 'cancelled')`,

  `create table checkpoints (
    school_code text not null,
    adapter_id text not null,
    stream text not null,
    checkpoint jsonb not null,
    run_id uuid references runs (id) on delete set null,
    updated_at timestamptz not null default now(),
    primary key (school_code, adapter_id, stream)
  )`,

  // content_hash is bytea: 32 bytes a row instead of 64 hex characters, on the largest table.
  `create table ledger (
    target text not null,
    stream text not null,
    record_key text not null,
    school_code text not null,
    content_hash bytea not null,
    target_version text,
    first_pushed_at timestamptz not null default now(),
    last_pushed_at timestamptz not null default now(),
    run_id uuid,
    deleted_at timestamptz,
    primary key (target, stream, record_key)
  )`,
  'create index ledger_target_school on ledger (target, school_code, stream)',

  `create table lineage (
    id bigserial primary key,
    target text not null,
    stream text not null,
    record_key text not null,
    run_id uuid not null,
    adapter_id text not null,
    adapter_version text not null,
    source_location text,
    mapping_version text not null,
    gateway_message_id text,
    target_answer jsonb,
    body jsonb,
    body_expires_at timestamptz,
    created_at timestamptz not null default now()
  )`,
  'create index lineage_record on lineage (target, stream, record_key, created_at desc)',
  // The expiry sweep touches only rows that still carry a body.
  'create index lineage_body_expiry on lineage (body_expires_at) where body is not null',

  `create table outbox (
    id bigserial primary key,
    topic text not null,
    payload jsonb not null,
    created_at timestamptz not null default now(),
    dispatched_at timestamptz,
    attempts integer not null default 0
  )`,
  'create index outbox_pending on outbox (id) where dispatched_at is null',

  `create table dead_letters (
    id uuid primary key default gen_random_uuid(),
    run_id uuid not null,
    school_code text not null,
    target text not null,
    stream text not null,
    record_key text,
    batch jsonb not null,
    code text not null,
    answer jsonb,
    attempts integer not null default 0,
    created_at timestamptz not null default now(),
    replayed_at timestamptz,
    discarded_at timestamptz
  )`,
  `create index dead_letters_open on dead_letters (school_code, target, code)
    where replayed_at is null and discarded_at is null`,

  `create table audit_log (
    id bigserial primary key,
    at timestamptz not null default now(),
    actor text not null,
    role text,
    action text not null,
    resource text not null,
    decision text not null check (decision in ('allow', 'deny')),
    detail jsonb
  )`,
  'create index audit_log_at on audit_log (at)',
  // Append-only: a trigger, not a rule, so the attempt fails loudly instead of doing nothing.
  `create function audit_log_append_only() returns trigger language plpgsql as $$
  begin
    raise exception 'audit_log is append-only: % refused', tg_op using errcode = 'insufficient_privilege';
  end
  $$`,
  `create trigger audit_log_no_update_delete before update or delete on audit_log
    for each row execute function audit_log_append_only()`,
  `create trigger audit_log_no_truncate before truncate on audit_log
    for each statement execute function audit_log_append_only()`,

  `create table api_keys (
    id uuid primary key default gen_random_uuid(),
    prefix text not null unique,
    hash text not null,
    role text not null check (role in ('vendor', 'school', 'district', 'city')),
    schools text[] not null default '{}',
    vendor_adapters text[] not null default '{}',
    created_at timestamptz not null default now(),
    revoked_at timestamptz,
    last_used_at timestamptz
  )`,

  `create table persons (
    id uuid primary key default gen_random_uuid(),
    school_code text not null,
    record_key text not null,
    personal_id_cipher bytea,
    personal_id_key_id text,
    personal_id_index bytea,
    updated_at timestamptz not null default now(),
    unique (school_code, record_key),
    check ((personal_id_cipher is null) = (personal_id_key_id is null))
  )`,
  'create index persons_personal_id on persons (school_code, personal_id_index)',
  // Rotation looks for rows under an old key.
  'create index persons_key_id on persons (personal_id_key_id)',

  `create table schedules (
    school_code text primary key,
    cron text not null,
    streams text[] not null,
    mode text not null check (mode in ('full', 'incremental')),
    updated_at timestamptz not null default now()
  )`,
];

const DOWN = [
  'drop table schedules',
  'drop table persons',
  'drop table api_keys',
  'drop table audit_log',
  'drop function audit_log_append_only',
  'drop table dead_letters',
  'drop table outbox',
  'drop table lineage',
  'drop table ledger',
  'drop table checkpoints',
  'drop table runs',
];

// biome-ignore lint/suspicious/noExplicitAny: a migration runs against the schema as it was then.
export async function up(db: Kysely<any>): Promise<void> {
  for (const statement of UP) await sql.raw(statement).execute(db);
}

// biome-ignore lint/suspicious/noExplicitAny: see `up`.
export async function down(db: Kysely<any>): Promise<void> {
  for (const statement of DOWN) await sql.raw(statement).execute(db);
}
