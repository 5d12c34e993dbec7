import type { ColumnType, Generated } from 'kysely';

/** A `timestamptz` column: read as a Date, written as a Date or an ISO string. */
type Timestamp = ColumnType<Date, Date | string, Date | string>;
/** A `timestamptz` column the database fills in (`default now()`). */
type CreatedAt = ColumnType<Date, Date | string | undefined, Date | string>;
/** A `jsonb` column: read parsed, written as JSON text (`JSON.stringify`). */
type Json<T = unknown> = ColumnType<T, string, string>;
/** A nullable `jsonb` column, optional on insert. */
type NullableJson<T = unknown> = ColumnType<T | null, string | null | undefined, string | null>;
/** A `bigserial`: pg reads int8 as a string, to keep every digit. */
type BigSerial = ColumnType<string, never, never>;

export const RUN_STATES = [
  'queued',
  'pulling',
  'validating',
  'diffing',
  'held',
  'pushing',
  'succeeded',
  'failed',
  'cancelled',
] as const;
export type RunState = (typeof RUN_STATES)[number];
export const SYNC_MODES = ['full', 'incremental'] as const;
export type SyncMode = (typeof SYNC_MODES)[number];
export const API_KEY_ROLES = ['vendor', 'school', 'district', 'city'] as const;
export type ApiKeyRole = (typeof API_KEY_ROLES)[number];

/**
 * What a run did with its records. Pull side, records: `pulled` = `valid` + `invalid` +
 * `excluded`. Per target, changes: `staged` (upserts and deletes in staged batches) = `created` +
 * `updated` + `deleted` (accepted) + `refused` + `failed` (dead-lettered after its attempts).
 * `unchanged`: valid records a target already held as they are.
 */
export interface RunCounts {
  pulled: number;
  valid: number;
  invalid: number;
  /** Staged, then found invalid by a rule that needs the whole stream (a minor with no guardian). */
  excluded: number;
  unchanged: number;
  staged: number;
  created: number;
  updated: number;
  deleted: number;
  refused: number;
  failed: number;
}

/** What a run's pull step leaves for its push steps and its end. */
export interface RunCarry {
  /** Checkpoints to save once everything read has been delivered. */
  pendingCheckpoints: Array<{ stream: string; checkpoint: unknown }>;
  /** Keys staged before they were found invalid: older runs only; now taken out of their batch. */
  excluded?: string[];
  /** When the run started pushing (ISO), for its timings. */
  pushStartedAt?: string;
}

export interface RunsTable {
  id: Generated<string>;
  school_code: string;
  adapter_id: string;
  adapter_version: string;
  /** Target → mapping version used, e.g. `{ "city-edu-db": "v1" }`. */
  mapping_versions: Json<Record<string, string>>;
  streams: string[];
  mode: SyncMode;
  state: Generated<RunState>;
  counts: ColumnType<RunCounts, string | undefined, string>;
  report: NullableJson;
  hold: NullableJson;
  /** What the pull step leaves for the end of the run (see `RunCarry`). */
  carry: NullableJson<RunCarry>;
  timings: ColumnType<Record<string, number>, string | undefined, string>;
  created_at: CreatedAt;
  started_at: Timestamp | null;
  finished_at: Timestamp | null;
  requested_by: string | null;
  /** The pull step's lease: its fencing token (int8, read as a string), expiry and owner. */
  lease_token: string | null;
  lease_until: Timestamp | null;
  lease_owner: string | null;
  /** The client's `Idempotency-Key` and a hash of what it asked, when it sent one. */
  idempotency_key: string | null;
  request_hash: string | null;
}

export interface CheckpointsTable {
  school_code: string;
  adapter_id: string;
  stream: string;
  checkpoint: Json;
  run_id: string | null;
  updated_at: CreatedAt;
}

export interface LedgerTable {
  target: string;
  stream: string;
  record_key: string;
  school_code: string;
  /** SHA-256 of the mapped record, 32 bytes. */
  content_hash: Buffer;
  target_version: string | null;
  first_pushed_at: CreatedAt;
  last_pushed_at: CreatedAt;
  run_id: string | null;
  /** Set when the target confirmed a delete; the row stays as a tombstone for history. */
  deleted_at: Timestamp | null;
  /**
   * The source record's hash (16 bytes, see pipeline/pull/source-hash.ts) when it went out with no
   * problem: a scan that reads the same source record again skips it.
   */
  source_hash: Buffer | null;
}

export interface LineageTable {
  id: BigSerial;
  target: string;
  stream: string;
  record_key: string;
  run_id: string;
  adapter_id: string;
  adapter_version: string;
  source_location: string | null;
  mapping_version: string;
  gateway_message_id: string | null;
  target_answer: NullableJson;
  /** The staged batch that carried the record: its sealed body, until purged. */
  staged_batch_id: string | null;
  created_at: CreatedAt;
}

export interface OutboxTable {
  id: BigSerial;
  topic: string;
  payload: Json;
  created_at: CreatedAt;
  /** What the job is about: a run id for `run.pull`, a staged batch id for `batch.push`. */
  key: string;
  dispatched_at: Timestamp | null;
  /** Set in the transaction of the job's effect; until then the sweeper re-enqueues it. */
  completed_at: Timestamp | null;
  attempts: Generated<number>;
}

export interface DeadLettersTable {
  id: Generated<string>;
  /** The last run that met the record refused (its staged batch holds the newest body). */
  run_id: string;
  school_code: string;
  target: string;
  stream: string;
  record_key: string;
  batch: Json;
  code: string;
  answer: NullableJson;
  attempts: Generated<number>;
  created_at: CreatedAt;
  replayed_at: Timestamp | null;
  discarded_at: Timestamp | null;
  /** Runs (and replays) that met the record refused for this reason. */
  occurrences: Generated<number>;
  first_seen_at: CreatedAt;
  last_seen_at: CreatedAt;
  first_run_id: string | null;
  /** Closed by the hub: the record was delivered since, or refused again for another reason. */
  resolved_at: Timestamp | null;
}

export interface AuditLogTable {
  id: BigSerial;
  at: CreatedAt;
  actor: string;
  role: string | null;
  action: string;
  resource: string;
  decision: 'allow' | 'deny';
  detail: NullableJson;
  /** The hash of the entry before (null for the first of the chain, or rows older than the chain). */
  prev_hash: Buffer | null;
  /** SHA-256 over `prev_hash` and this entry's content (see store/audit.ts `entryHash`). */
  hash: Buffer | null;
  /** Which of the chains side by side the entry belongs to (see store/audit.ts `chainOf`). */
  chain: Generated<number>;
}

export interface ApiKeysTable {
  id: Generated<string>;
  /** The first characters of the key, shown to people and used to find the row. */
  prefix: string;
  /** Hex SHA-256 of the whole key (the key is 32 random bytes: nothing to stretch). */
  hash: string;
  role: ApiKeyRole;
  schools: Generated<string[]>;
  vendor_adapters: Generated<string[]>;
  created_at: CreatedAt;
  revoked_at: Timestamp | null;
  last_used_at: Timestamp | null;
}

export interface PersonsTable {
  id: Generated<string>;
  school_code: string;
  record_key: string;
  /** iv (12 bytes) | GCM tag (16 bytes) | ciphertext. */
  personal_id_cipher: Buffer | null;
  personal_id_key_id: string | null;
  /** HMAC-SHA256 of the normalised ID under BLIND_INDEX_KEY. */
  personal_id_index: Buffer | null;
  updated_at: CreatedAt;
  role: ColumnType<PersonRole, PersonRole | undefined, PersonRole>;
  /** Sealed identity facts (name, birth date, gender, sector code) under `facts_key_id`. */
  facts: Buffer | null;
  facts_key_id: string | null;
  /** HMAC of the personal ID and the facts: tells a change without decrypting. */
  facts_hash: Buffer | null;
  status: ColumnType<VerificationStatus, VerificationStatus | undefined, VerificationStatus>;
  status_method: string | null;
  status_at: Date | null;
  /** Which fields differed and how, or an error code; never personal values. */
  status_detail: NullableJson;
  /** Until when the status stands before a new check is due. */
  status_until: Date | null;
  first_seen_at: CreatedAt;
}

export type PersonRole = 'student' | 'teacher' | 'guardian';
export type VerificationStatus =
  | 'unchecked'
  | 'pending'
  | 'verified'
  | 'verified_offline'
  | 'mismatch'
  | 'not_found'
  | 'error';

export interface GuardianLinksTable {
  school_code: string;
  student_key: string;
  guardian_key: string;
  relationship: string;
  verified: ColumnType<boolean, boolean | undefined, boolean>;
  verified_at: Date | null;
  verified_method: string | null;
  updated_at: CreatedAt;
}

export interface IdentityChecksTable {
  id: BigSerial;
  person_id: string;
  at: CreatedAt;
  method: string;
  result: string;
  detail: NullableJson;
  requested_by: string;
  purpose: string;
}

export interface SchedulesTable {
  school_code: string;
  cron: string;
  streams: string[];
  mode: SyncMode;
  updated_at: CreatedAt;
}

export interface PaymentsTable {
  school_code: string;
  payment_id: string;
  receivable_no: string;
  student_code: string;
  /** pg reads int8 as a string. */
  amount: ColumnType<string, number, number>;
  fee: number | null;
  channel: string;
  paid_at: Timestamp;
  /** Sealed (iv | tag | ciphertext) under `key_id`. */
  bank_reference: Buffer | null;
  key_id: string | null;
  pulled_at: CreatedAt;
  /** When the school's software took it (written back through its adapter); null until then. */
  written_back_at: Date | null;
  /** The last refusal or failure of the write-back: the adapter's code and message. */
  write_back_code: string | null;
  write_back_error: string | null;
  write_back_attempts: ColumnType<number, number | undefined, number>;
}

/** Every table the migrations create, as Kysely sees it. */
export interface Tables {
  runs: RunsTable;
  checkpoints: CheckpointsTable;
  ledger: LedgerTable;
  lineage: LineageTable;
  outbox: OutboxTable;
  dead_letters: DeadLettersTable;
  audit_log: AuditLogTable;
  api_keys: ApiKeysTable;
  persons: PersonsTable;
  guardian_links: GuardianLinksTable;
  identity_checks: IdentityChecksTable;
  schedules: SchedulesTable;
  staged_batches: StagedBatchesTable;
  payments: PaymentsTable;
  replay_requests: ReplayRequestsTable;
}

/** A replay of more dead letters than the threshold, waiting for a second district user. */
export interface ReplayRequestsTable {
  id: Generated<string>;
  schools: string[];
  /** What the requester asked for (ids, or school/target/code), for people to read. */
  filter: Json<Record<string, unknown>>;
  /** The open letters it covered when asked: what an approval replays. */
  letter_ids: string[];
  requested_by: string;
  requested_at: CreatedAt;
  state: ColumnType<'pending' | 'approved' | 'rejected', 'pending' | undefined, 'approved' | 'rejected'>;
  decided_by: string | null;
  decided_at: Date | null;
  /** The replay's counts once approved. */
  result: NullableJson<Record<string, number>>;
}

export interface StagedBatchesTable {
  id: BigSerial;
  run_id: string;
  target: string;
  stream: string;
  kind: 'push';
  /** Sealed JSON (AES-256-GCM, iv | tag | ciphertext) under `key_id`; null once purged. */
  payload: Buffer | null;
  key_id: string;
  record_count: number;
  /** 1, 2, 3 … within its run: push jobs are prioritised by it, so schools take turns. */
  ordinal: Generated<number>;
  /** The counts its answer added to the run. */
  result: NullableJson<Partial<RunCounts>>;
  created_at: CreatedAt;
  pushed_at: Timestamp | null;
  purged_at: Timestamp | null;
  /** The pull claim that staged it (int8 as a string). */
  pull_token: string | null;
  /** The push step's lease: fencing token, expiry, owner. */
  push_token: string | null;
  push_lease_until: Timestamp | null;
  push_owner: string | null;
  /** Tries the target answered with a retryable error (they count against PUSH_ATTEMPTS). */
  attempts: Generated<number>;
  /** Tries that found the target unavailable: they cost no attempt. */
  waits: Generated<number>;
  /** When the target was first found unavailable for this batch, since its last answer. */
  unavailable_since: Timestamp | null;
  last_error: NullableJson<{ code: string; message: string; at: string }>;
}
