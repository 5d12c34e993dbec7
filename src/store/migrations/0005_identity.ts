import { type Kysely, sql } from 'kysely';

// Identity: who the hub knows (teachers, students, guardians), what was checked about them and how,
// and a hash chain over the audit log so that tampering shows (Law 91/2025/QH15 and Decree
// 356/2025/NĐ-CP expect a processor of children's data to account for every access).
//
// `persons` already holds the personal ID (encrypted, with its blind index): it gains the role, the
// identity facts the checks compare (name, birth date, gender, sector code), sealed, and the latest
// verification status. `facts_hash` is an HMAC of those facts, so a run can tell that someone's
// identity data changed without decrypting anything.
const UP = [
  `alter table persons
     add column role text not null default 'student',
     add column facts bytea,
     add column facts_key_id text,
     add column facts_hash bytea,
     add column status text not null default 'unchecked',
     add column status_method text,
     add column status_at timestamptz,
     add column status_detail jsonb,
     add column status_until timestamptz,
     add column first_seen_at timestamptz not null default now()`,
  `alter table persons add constraint persons_status check
     (status in ('unchecked', 'pending', 'verified', 'verified_offline', 'mismatch', 'not_found', 'error'))`,
  `alter table persons add constraint persons_role check (role in ('student', 'teacher', 'guardian'))`,
  // SSO looks people up by ID across every school.
  'create index persons_index_only on persons (personal_id_index)',
  'create index persons_school_role on persons (school_code, role, status)',

  // A student ↔ guardian link as the school declares it; `verified` once C06 lists the guardian as
  // father, mother or legal representative of the student. `verified_at` and `verified_method` say
  // when and how it was last checked, whether confirmed or not (null: never checked).
  `create table guardian_links (
    school_code text not null,
    student_key text not null,
    guardian_key text not null,
    relationship text not null,
    verified boolean not null default false,
    verified_at timestamptz,
    verified_method text,
    updated_at timestamptz not null default now(),
    primary key (school_code, student_key, guardian_key)
  )`,
  'create index guardian_links_guardian on guardian_links (school_code, guardian_key)',

  // Every check made, newest last: the person's status is the latest of these.
  `create table identity_checks (
    id bigserial primary key,
    person_id uuid not null references persons(id) on delete cascade,
    at timestamptz not null default now(),
    method text not null,
    result text not null,
    detail jsonb,
    requested_by text not null,
    purpose text not null
  )`,
  'create index identity_checks_person on identity_checks (person_id, id)',

  // The audit log's hash chain: each entry's hash covers its content and the previous entry's hash.
  'alter table audit_log add column prev_hash bytea, add column hash bytea',
];

const DOWN = [
  'alter table audit_log drop column prev_hash, drop column hash',
  'drop table identity_checks',
  'drop table guardian_links',
  'drop index persons_index_only',
  'drop index persons_school_role',
  `alter table persons drop constraint persons_status, drop constraint persons_role,
     drop column role, drop column facts, drop column facts_key_id, drop column facts_hash,
     drop column status, drop column status_method, drop column status_at, drop column status_detail,
     drop column status_until, drop column first_seen_at`,
];

// biome-ignore lint/suspicious/noExplicitAny: migrations run against whatever schema exists then.
export async function up(db: Kysely<any>): Promise<void> {
  for (const statement of UP) await sql.raw(statement).execute(db);
}

// biome-ignore lint/suspicious/noExplicitAny: see `up`.
export async function down(db: Kysely<any>): Promise<void> {
  for (const statement of DOWN) await sql.raw(statement).execute(db);
}
