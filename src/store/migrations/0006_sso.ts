import { type Kysely, sql } from 'kysely';

// The SSO relay (src/identity/sso): what oidc-provider keeps (sessions, interactions, grants, codes,
// tokens, and the registered school applications) in one table keyed by model and id, and the
// relay's own signing keys. A client's secret and every private key are sealed under the keyring
// (`sealed`, `key_id`), never stored in clear.
const UP = [
  `create table sso_payloads (
    model text not null,
    id text not null,
    payload jsonb not null,
    grant_id text,
    user_code text,
    uid text,
    expires_at timestamptz,
    consumed_at timestamptz,
    sealed bytea,
    key_id text,
    created_at timestamptz not null default now(),
    primary key (model, id)
  )`,
  'create index sso_payloads_grant on sso_payloads (grant_id) where grant_id is not null',
  'create index sso_payloads_uid on sso_payloads (model, uid) where uid is not null',
  'create index sso_payloads_user_code on sso_payloads (model, user_code) where user_code is not null',
  'create index sso_payloads_expires on sso_payloads (expires_at) where expires_at is not null',
  `create table sso_signing_keys (
    kid text primary key,
    alg text not null,
    sealed bytea not null,
    key_id text not null,
    created_at timestamptz not null default clock_timestamp(),
    retired_at timestamptz
  )`,
];

const DOWN = ['drop table sso_signing_keys', 'drop table sso_payloads'];

// biome-ignore lint/suspicious/noExplicitAny: migrations run against whatever schema exists then.
export async function up(db: Kysely<any>): Promise<void> {
  for (const statement of UP) await sql.raw(statement).execute(db);
}

// biome-ignore lint/suspicious/noExplicitAny: see `up`.
export async function down(db: Kysely<any>): Promise<void> {
  for (const statement of DOWN) await sql.raw(statement).execute(db);
}
