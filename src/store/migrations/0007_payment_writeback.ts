import { type Kysely, sql } from 'kysely';

// Payments go on from the hub into the school's own software (its fee book), when the school's
// adapter can write them: per payment, when the school's software took it, or the code and message
// it gave when it refused (kept, and offered again at the next pull). Rows that exist already
// start unwritten: a school whose adapter writes gets them at its next pull, once.
const UP = [
  'alter table payments add column written_back_at timestamptz',
  'alter table payments add column write_back_code text',
  'alter table payments add column write_back_error text',
  'alter table payments add column write_back_attempts integer not null default 0',
  // The pull asks for a school's unwritten payments, oldest first, every time.
  `create index payments_unwritten on payments (school_code, paid_at, payment_id)
    where written_back_at is null`,
];

const DOWN = [
  'drop index payments_unwritten',
  'alter table payments drop column write_back_attempts',
  'alter table payments drop column write_back_error',
  'alter table payments drop column write_back_code',
  'alter table payments drop column written_back_at',
];

// biome-ignore lint/suspicious/noExplicitAny: migrations run against whatever schema exists then.
export async function up(db: Kysely<any>): Promise<void> {
  for (const statement of UP) await sql.raw(statement).execute(db);
}

// biome-ignore lint/suspicious/noExplicitAny: see `up`.
export async function down(db: Kysely<any>): Promise<void> {
  for (const statement of DOWN) await sql.raw(statement).execute(db);
}
