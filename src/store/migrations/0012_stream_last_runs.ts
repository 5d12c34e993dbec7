import { type Kysely, sql } from 'kysely';

// Each school's last run per stream, kept by a trigger as runs are created, so the district
// overview reads a row per school and stream instead of sorting every run of the year (660 ms for
// 100 schools × 365 nightly runs on the bench machine; a join over this table takes a few).
// A trigger rather than the store's insert functions: every way a run is created keeps it true.
const UP = [
  `create table stream_last_runs (
    school_code text not null,
    stream text not null,
    run_id uuid not null,
    created_at timestamptz not null,
    primary key (school_code, stream)
  )`,
  `insert into stream_last_runs (school_code, stream, run_id, created_at)
    select distinct on (r.school_code, s.stream) r.school_code, s.stream, r.id, r.created_at
    from runs r cross join lateral unnest(r.streams) as s(stream)
    order by r.school_code, s.stream, r.created_at desc, r.id desc`,
  `create function note_stream_last_run() returns trigger language plpgsql as $$
  begin
    insert into stream_last_runs (school_code, stream, run_id, created_at)
      select new.school_code, s, new.id, new.created_at from unnest(new.streams) as s
      on conflict (school_code, stream) do update
        set run_id = excluded.run_id, created_at = excluded.created_at
        where stream_last_runs.created_at <= excluded.created_at;
    return new;
  end $$`,
  `create trigger runs_stream_last after insert on runs
    for each row execute function note_stream_last_run()`,
];

const DOWN = [
  'drop trigger runs_stream_last on runs',
  'drop function note_stream_last_run()',
  'drop table stream_last_runs',
];

// biome-ignore lint/suspicious/noExplicitAny: migrations run against whatever schema exists then.
export async function up(db: Kysely<any>): Promise<void> {
  for (const statement of UP) await sql.raw(statement).execute(db);
}

// biome-ignore lint/suspicious/noExplicitAny: see `up`.
export async function down(db: Kysely<any>): Promise<void> {
  for (const statement of DOWN) await sql.raw(statement).execute(db);
}
