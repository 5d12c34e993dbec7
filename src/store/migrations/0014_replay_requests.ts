import { type Kysely, sql } from 'kysely';

// Four eyes on large replays: a replay of more dead letters than REPLAY_APPROVAL_THRESHOLD is kept
// here as a request, with the letters it covered when it was asked, until a second district user
// approves or rejects it. The letters are listed, not the filter: the approver approves what the
// requester saw, not what the filter matches by the time they look.
const UP = [
  `create table replay_requests (
    id uuid primary key default gen_random_uuid(),
    schools text[] not null,
    filter jsonb not null,
    letter_ids uuid[] not null,
    requested_by text not null,
    requested_at timestamptz not null default now(),
    state text not null default 'pending' check (state in ('pending', 'approved', 'rejected')),
    decided_by text,
    decided_at timestamptz,
    result jsonb
  )`,
  // The console lists a school's pending requests: by school, newest first.
  'create index replay_requests_schools on replay_requests using gin (schools)',
];

const DOWN = ['drop table replay_requests'];

// biome-ignore lint/suspicious/noExplicitAny: migrations run against whatever schema exists then.
export async function up(db: Kysely<any>): Promise<void> {
  for (const statement of UP) await sql.raw(statement).execute(db);
}

// biome-ignore lint/suspicious/noExplicitAny: migrations run against whatever schema exists then.
export async function down(db: Kysely<any>): Promise<void> {
  for (const statement of DOWN) await sql.raw(statement).execute(db);
}
