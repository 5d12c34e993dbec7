/**
 * The demo as CI runs it: a small district, `--once`, exit 0 only when every school synced and the
 * city Education DB and SSC hold exactly what they should, payments pulled back from SSC, and the
 * score and level reports read from the schools' grade books.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { reservePort } from '../sandbox/ports.ts';
import { gradesDir } from '../sandbox/vendors/rest-school/fees-dir.ts';
import { districtDir, readStream } from '../sandbox/vendors/shared/district.ts';
import { type Assessment, gradeOfClassName, meanOfTenths } from '../src/model/index.ts';
import { freshPostgres } from './support/services.ts';

const bin = join(import.meta.dirname, '..', 'bin', 'edubridge.js');

/** An address where nothing answers: a port the system gave and that was closed at once. */
async function silentRedisUrl(): Promise<string> {
  const reserved = await reservePort();
  await reserved.release();
  return `redis://127.0.0.1:${reserved.port}`;
}

/** The environment without REDIS_URL: the demo decides where Redis is. */
function withoutRedisUrl(extra: Record<string, string>): NodeJS.ProcessEnv {
  const { REDIS_URL: _r, ...env } = process.env;
  return { ...env, DATABASE_URL: '', ...extra };
}

let postgres: Awaited<ReturnType<typeof freshPostgres>> | undefined;
afterAll(async () => {
  await postgres?.drop();
});

/** The report as the CLI prints it from the database the demo wrote (the API's JSON answer). */
function report<T>(name: string, databaseUrl: string): T {
  const r = spawnSync(process.execPath, [bin, 'report', name, '--json'], {
    encoding: 'utf8',
    timeout: 60_000,
    env: { ...process.env, DATABASE_URL: databaseUrl },
  });
  expect(r.status, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as T;
}

it('syncs every school of a small district and reconciles exactly', async () => {
  // A database of the test's own (the other demo tests keep the embedded PGlite), so that the
  // reports can be read once the demo has gone.
  postgres = await freshPostgres('demo');
  const r = spawnSync(
    process.execPath,
    [bin, 'demo', '--once', '--schools', '2', '--class-size', '10', '--port', '0'],
    {
      encoding: 'utf8',
      timeout: 90_000,
      env: { ...process.env, DATABASE_URL: postgres.url },
    },
  );
  expect(r.stdout).toContain(
    '✓ CSDL ngành và SSC giữ đúng những gì cần giữ / The city DB and SSC hold exactly what they should',
  );
  expect(r.stdout).toMatch(/SSC holds [1-9]\d* fee items and notices, the ledger [1-9]\d*, 0 differ/);
  expect(r.stdout).toMatch(/79NB0001\s+succeeded/);
  expect(r.stdout).toMatch(/79NB0002\s+succeeded/);
  // The SSO issuer it prints is one the hub serves.
  expect(r.stdout).toMatch(
    /discovery: http:\/\/127\.0\.0\.1:\d+\/sso\/\.well-known\/openid-configuration \(✓/,
  );
  // It ends with where the console is, a district key to sign in with, and the CLI's two lines.
  const address = /EDUBRIDGE_URL=(http:\/\/127\.0\.0\.1:\d+)\n/.exec(r.stdout)?.[1];
  const key = /EDUBRIDGE_API_KEY=(eb_\S+)\n/.exec(r.stdout)?.[1];
  expect(address).toBeDefined();
  expect(r.stdout).toContain(`Console: ${address}/console/\n`);
  expect(r.stdout).toContain(`sign in with this district API key (shown once): ${key}\n`);
  // The city refuses the marks of the students on its review list, and only those.
  expect(r.stdout).toMatch(
    /Marks and learning results of students on the review list refused: ([1-9]\d*) \(expected \1\)/,
  );
  expect(r.stdout).toMatch(
    /Reports: 79NB0001 điểm\/scores [1-9]\d*, xếp loại\/levels [1-9]\d*; 79NB0002 .* ✓/,
  );
  expect(r.status).toBe(0);

  // One score row per school, semester, grade and subject of the generated grade books, with
  // its students and (scored subjects) the mean of their ĐTBmhk.
  const dir = (await gradesDir(
    await districtDir({ seed: 2026, schools: 2, classesPerGrade: 2, classSize: 10 }),
  ))!;
  const groups = new Map<string, { students: number; tenths: number; evaluation: string }>();
  for await (const a of readStream<Assessment>(dir, 'assessments')) {
    const id = `${a.schoolCode} ${a.semester} ${gradeOfClassName(a.className)} ${a.subjectCode}`;
    const g = groups.get(id) ?? { students: 0, tenths: 0, evaluation: a.evaluation };
    g.students++;
    if (a.evaluation === 'scored') g.tenths += Math.round(a.average! * 10);
    groups.set(id, g);
  }
  type ScoreRow = {
    schoolCode: string;
    semester: number;
    grade: number;
    subjectCode: string;
    evaluation: string;
    students: number;
    average: number | null;
  };
  const scores = report<{ rows: ScoreRow[] }>('scores', postgres.url);
  const byGroup = Object.fromEntries(
    scores.rows.map((row) => [
      `${row.schoolCode} ${row.semester} ${row.grade} ${row.subjectCode}`,
      { students: row.students, evaluation: row.evaluation, average: row.average },
    ]),
  );
  expect(byGroup).toEqual(
    Object.fromEntries(
      [...groups].map(([id, g]) => [
        id,
        {
          students: g.students,
          evaluation: g.evaluation,
          average: g.evaluation === 'scored' ? meanOfTenths(g.tenths, g.students) : null,
        },
      ]),
    ),
  );
  // 2 schools × 2 semesters × grades 6–9 × 13 subjects, every one with students.
  expect(scores.rows).toHaveLength(2 * 2 * 4 * 13);
  expect(scores.rows.every((row) => row.students > 0)).toBe(true);
  const levels = report<{ rows: Array<{ schoolCode: string; period: string; students: number }> }>(
    'levels',
    postgres.url,
  );
  // Both semesters and the year of grades 6–9 at each school, from the learning results.
  expect(levels.rows.map((row) => `${row.schoolCode} ${row.period}`).sort()).toEqual(
    ['79NB0001', '79NB0002']
      .flatMap((school) => ['semester1', 'semester2', 'year'].flatMap((p) => Array(4).fill(`${school} ${p}`)))
      .sort(),
  );
  expect(levels.rows.every((row) => row.students > 0)).toBe(true);
}, 180_000);

it('starts a redis-server of its own when none answers and REDIS_URL is unset, and stops it', async () => {
  const silent = await silentRedisUrl();
  const r = spawnSync(
    process.execPath,
    [bin, 'demo', '--once', '--schools', '1', '--class-size', '5', '--port', '0'],
    { encoding: 'utf8', timeout: 90_000, env: withoutRedisUrl({ EDUBRIDGE_DEMO_REDIS_PROBE: silent }) },
  );
  const started = new RegExp(
    `No Redis at ${silent}: the demo started its own redis-server \\(pid (\\d+), redis://127\\.0\\.0\\.1:(\\d+), nothing kept on disk`,
  ).exec(r.stdout);
  expect(started, r.stdout + r.stderr).not.toBeNull();
  const pid = Number(started![1]);
  expect(Number(started![2])).not.toBe(Number(new URL(silent).port));
  expect(r.stdout).toMatch(/79NB0001\s+succeeded/);
  expect(r.stdout).toContain(`Stopped the demo's redis-server (pid ${pid})`);
  expect(r.status).toBe(0);
  // The server is gone with the demo: signal 0 to its pid finds no process.
  expect(() => process.kill(pid, 0)).toThrow(expect.objectContaining({ code: 'ESRCH' }));
}, 120_000);

it('without redis-server on PATH stops with the message naming the address and REDIS_URL', async () => {
  const silent = await silentRedisUrl();
  const r = spawnSync(process.execPath, [bin, 'demo', '--once', '--schools', '1', '--port', '0'], {
    encoding: 'utf8',
    timeout: 60_000,
    env: withoutRedisUrl({ EDUBRIDGE_DEMO_REDIS_PROBE: silent, PATH: '/nonexistent' }),
  });
  expect(r.stderr).toContain(
    `Lỗi / Error [REDIS_UNREACHABLE]: Không kết nối được Redis ở ${silent}: hãy chạy "redis-server --daemonize yes" hoặc đặt REDIS_URL / Cannot reach Redis at ${silent}: start one ("redis-server --daemonize yes") or set REDIS_URL`,
  );
  expect(r.stdout).not.toContain('started its own redis-server');
  expect(r.status).toBe(2);
}, 60_000);
