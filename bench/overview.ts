/**
 * The district overview on a district's year of history: `GET /v1/district/overview` (what the
 * console's first view waits for) over real PostgreSQL holding N schools, a nightly run of three
 * streams each for a year, 1,500 people a school and a backlog of open dead letters. Reports the
 * median and p95 of the answer's time over repeated requests, and the answer's size.
 *
 *   node --import tsx bench/overview.ts [--schools 100] [--days 365] [--requests 30]
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { sql } from 'kysely';
import pg from 'pg';
import { buildApp } from '../src/app/index.ts';
import { loadConfig } from '../src/config/index.ts';
import type { RunService } from '../src/pipeline/service.ts';
import { kyselyOf } from '../src/store/db.ts';
import { createApiKey, createDatabase, migrateToLatest } from '../src/store/index.ts';
import { machine, median } from './machine.ts';

const args = process.argv.slice(2);
const option = (name: string, fallback: number) => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1] ?? fallback) : fallback;
};
const SCHOOLS = option('--schools', 100);
const DAYS = option('--days', 365);
const REQUESTS = option('--requests', 30);
const ADMIN_URL = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

const name = `edubridge_bench_overview_${Date.now()}`;
const admin = new pg.Client({ connectionString: ADMIN_URL });
await admin.connect();
await admin.query(`create database ${name}`);
const url = new URL(ADMIN_URL);
url.pathname = `/${name}`;

try {
  const config = loadConfig({ DATABASE_URL: url.toString(), LOG_LEVEL: 'silent' }, { envFile: false });
  const db = await createDatabase(config);
  await migrateToLatest(db);
  const k = kyselyOf(db);
  const codes = Array.from({ length: SCHOOLS }, (_, i) => `79NB${String(i + 1).padStart(4, '0')}`);
  const loadStarted = Date.now();
  // A nightly run per school for DAYS days; one school in ten failed last night.
  await sql`
    insert into runs (school_code, adapter_id, adapter_version, mapping_versions, streams, mode, state,
                      counts, report, created_at, started_at, finished_at)
    select s.code, 'rest', '1.0.0', '{"city-edudb":"v1"}', array['students','teachers','classes'], 'incremental',
      case when d = 0 and s.i % 10 = 0 then 'failed' else 'succeeded' end,
      '{"pulled":1500,"valid":1490,"invalid":10,"excluded":0,"unchanged":1450,"staged":40,"created":5,"updated":30,"deleted":0,"refused":5,"failed":0}',
      case when d = 0 and s.i % 10 = 0 then '{"failure":{"code":"SOURCE_UNAVAILABLE","message":"Phần mềm trường không trả lời / The school system does not answer"}}'::jsonb end,
      now() - make_interval(days => d), now() - make_interval(days => d), now() - make_interval(days => d) + interval '40 seconds'
    from unnest(${codes}::text[]) with ordinality as s(code, i), generate_series(0, ${DAYS - 1}) as d`.execute(
    k,
  );
  await sql`
    insert into persons (school_code, record_key, role, status, personal_id_index)
    select s.code, 'p' || n, case when n % 3 = 0 then 'guardian' when n % 50 = 0 then 'teacher' else 'student' end,
      case when n % 4 = 0 then 'unchecked' else 'verified' end,
      case when n % 20 = 0 then null else decode(md5(s.code || n), 'hex') end
    from unnest(${codes}::text[]) as s(code), generate_series(1, 1500) as n`.execute(k);
  await sql`
    insert into dead_letters (run_id, school_code, target, stream, record_key, batch, code, answer)
    select gen_random_uuid(), s.code, 'city-edudb', 'students', 'k' || n, '{}'::jsonb, 'UNKNOWN_MASTER',
      '{"message":"MaHocSinh chưa có trong CSDL ngành, chờ duyệt / MaHocSinh unknown to the city DB, held for review"}'::jsonb
    from unnest(${codes}::text[]) with ordinality as s(code, i), generate_series(1, (s.i % 7)::int * 5) as n`.execute(
    k,
  );
  await sql`analyze`.execute(k);
  const loadMs = Date.now() - loadStarted;

  const configured = codes.map((code) => ({ code, adapter: 'rest' }));
  const app = await buildApp(config, {
    database: db,
    runService: { configuredSchools: async () => configured, close: async () => {} } as unknown as RunService,
    sso: null,
  });
  const { key } = await createApiKey(db, { role: 'district', schools: codes });
  const times: number[] = [];
  let bytes = 0;
  for (let i = 0; i < REQUESTS + 3; i++) {
    const started = process.hrtime.bigint();
    const answer = await app.inject({
      method: 'GET',
      url: '/v1/district/overview',
      headers: { 'x-api-key': key },
    });
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    if (answer.statusCode !== 200) throw new Error(`overview answered ${answer.statusCode}: ${answer.body}`);
    bytes = answer.rawPayload.length;
    // The first requests warm the connection pool and the plans.
    if (i >= 3) times.push(ms);
  }
  await app.close();
  await db.close();
  const sorted = [...times].sort((a, b) => a - b);
  const result = {
    benchmark: 'overview',
    machine: machine(),
    schools: SCHOOLS,
    runs: SCHOOLS * DAYS,
    people: SCHOOLS * 1500,
    loadMs,
    requests: REQUESTS,
    medianMs: Math.round(median(times) * 10) / 10,
    p95Ms: Math.round(sorted[Math.floor(sorted.length * 0.95)]! * 10) / 10,
    answerBytes: bytes,
  };
  console.log(JSON.stringify(result, null, 2));
  const out = join(import.meta.dirname, 'results');
  await mkdir(out, { recursive: true });
  await writeFile(join(out, 'overview.json'), `${JSON.stringify(result, null, 2)}\n`);
} finally {
  if (process.env.BENCH_KEEP) console.log(`kept database ${name}`);
  else await admin.query(`drop database if exists ${name} with (force)`);
  await admin.end();
}
