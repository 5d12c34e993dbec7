import { type Kysely, sql } from 'kysely';

// Dead letters a person can work through: one open letter per target, stream, school, record and
// reason (the code the target gave), however many runs met it.
// - `occurrences`, `first_seen_at`, `last_seen_at`, `first_run_id`: a record refused by three runs
//   is one letter seen three times, not three letters; `run_id` names the last run (its staged batch
//   holds the newest body, which a replay sends);
// - `resolved_at`: closed by the hub itself when a later run or replay delivered the record, or when
//   the target refused it again for another reason (that reason is a letter of its own);
// - a whole batch given up on was one letter naming its keys; it becomes one letter per record, so
//   every letter is about one record, its reason is kept as the target or the gateway gave it, and a
//   replay answers per letter. Existing batch letters are split; duplicates of an open letter are
//   folded into the newest (their count and first sighting kept).
const UP = [
  'alter table dead_letters add column occurrences integer not null default 1',
  'alter table dead_letters add column first_seen_at timestamptz',
  'alter table dead_letters add column last_seen_at timestamptz',
  'alter table dead_letters add column first_run_id uuid',
  'alter table dead_letters add column resolved_at timestamptz',
  'update dead_letters set first_seen_at = created_at, last_seen_at = created_at, first_run_id = run_id',
  // One letter per record of each batch letter, with the batch's reason.
  `insert into dead_letters (run_id, school_code, target, stream, record_key, batch, code, answer, attempts,
     created_at, replayed_at, discarded_at, occurrences, first_seen_at, last_seen_at, first_run_id)
   select d.run_id, d.school_code, d.target, d.stream, k.key,
     jsonb_build_object('stagedBatchId', d.batch ->> 'stagedBatchId', 'idempotencyKey', d.batch ->> 'idempotencyKey'),
     d.code, d.answer, d.attempts, d.created_at, d.replayed_at, d.discarded_at, 1, d.created_at, d.created_at, d.run_id
   from dead_letters d, jsonb_array_elements_text(coalesce(d.batch -> 'keys', '[]'::jsonb)) as k(key)
   where d.record_key is null`,
  'delete from dead_letters where record_key is null',
  // Duplicates of an open letter: the newest keeps them all.
  `with ranked as (
     select id,
       row_number() over (partition by target, stream, school_code, record_key, code order by created_at desc) as rn,
       count(*) over (partition by target, stream, school_code, record_key, code) as n,
       min(created_at) over (partition by target, stream, school_code, record_key, code) as first_seen,
       first_value(run_id) over (partition by target, stream, school_code, record_key, code order by created_at) as first_run
     from dead_letters
     where replayed_at is null and discarded_at is null
   )
   update dead_letters d set occurrences = r.n, first_seen_at = r.first_seen, first_run_id = r.first_run
   from ranked r where d.id = r.id and r.rn = 1 and r.n > 1`,
  `delete from dead_letters d using (
     select id, row_number() over (partition by target, stream, school_code, record_key, code order by created_at desc) as rn
     from dead_letters where replayed_at is null and discarded_at is null
   ) r where d.id = r.id and r.rn > 1`,
  'alter table dead_letters alter column record_key set not null',
  'alter table dead_letters alter column first_seen_at set not null',
  'alter table dead_letters alter column first_seen_at set default now()',
  'alter table dead_letters alter column last_seen_at set not null',
  'alter table dead_letters alter column last_seen_at set default now()',
  `create unique index dead_letters_one_open on dead_letters (target, stream, school_code, record_key, code)
   where replayed_at is null and discarded_at is null and resolved_at is null`,
];

const DOWN = [
  'drop index dead_letters_one_open',
  'alter table dead_letters alter column record_key drop not null',
  'alter table dead_letters drop column resolved_at',
  'alter table dead_letters drop column first_run_id',
  'alter table dead_letters drop column last_seen_at',
  'alter table dead_letters drop column first_seen_at',
  'alter table dead_letters drop column occurrences',
];

// biome-ignore lint/suspicious/noExplicitAny: migrations run against whatever schema exists then.
export async function up(db: Kysely<any>): Promise<void> {
  for (const statement of UP) await sql.raw(statement).execute(db);
}

// biome-ignore lint/suspicious/noExplicitAny: see `up`.
export async function down(db: Kysely<any>): Promise<void> {
  for (const statement of DOWN) await sql.raw(statement).execute(db);
}
