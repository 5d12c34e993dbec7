import { type Kysely, sql } from 'kysely';

// Payments flow back from SSC (the city's revenue system) into the hub: what parents paid, by
// which channel, for which fee notice. The bank reference is financial personal data: sealed
// (AES-256-GCM) like personal IDs. Which pull last saw what is a checkpoint (adapter `ssc`).
const UP = [
  `create table payments (
    school_code text not null,
    payment_id text not null,
    receivable_no text not null,
    student_code text not null,
    amount bigint not null,
    fee integer,
    channel text not null,
    paid_at timestamptz not null,
    bank_reference bytea,
    key_id text,
    pulled_at timestamptz not null default now(),
    primary key (school_code, payment_id)
  )`,
  'create index payments_school_paid on payments (school_code, paid_at)',
  'create index payments_receivable on payments (school_code, receivable_no)',
];

const DOWN = ['drop table payments'];

// biome-ignore lint/suspicious/noExplicitAny: migrations run against whatever schema exists then.
export async function up(db: Kysely<any>): Promise<void> {
  for (const statement of UP) await sql.raw(statement).execute(db);
}

// biome-ignore lint/suspicious/noExplicitAny: see `up`.
export async function down(db: Kysely<any>): Promise<void> {
  for (const statement of DOWN) await sql.raw(statement).execute(db);
}
