/**
 * The CLI contracts that scripts outside the project rely on, run as a user runs them: the real
 * `bin/edubridge.js` in a child process.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const BIN = join(import.meta.dirname, '..', 'bin', 'edubridge.js');

function run(args: string[], stdin?: string, env: Record<string, string> = {}) {
  const result = spawnSync(process.execPath, [BIN, ...args], {
    input: stdin ?? '',
    encoding: 'utf8',
    timeout: 30_000,
    env: { ...process.env, ...env },
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

const json = (stdout: string) => JSON.parse(stdout) as Record<string, unknown>;

describe('edubridge id check', () => {
  it('prints the contract JSON and exits 0 for a valid number', () => {
    const r = run(['id', 'check', '079206012345', '--dob', '2006-03-14', '--gender', 'male', '--json']);
    expect(r.code).toBe(0);
    expect(json(r.stdout)).toEqual({ valid: true, provinceCode: '079', gender: 'male', errors: [] });
  });

  it('exits 1 with coded errors when the number contradicts the gender', () => {
    const r = run(['id', 'check', '079206012345', '--gender', 'female', '--json']);
    expect(r.code).toBe(1);
    const out = json(r.stdout);
    expect(out).toMatchObject({ valid: false, provinceCode: '079', gender: 'male' });
    expect(out.errors).toEqual([
      { code: 'PERSONAL_ID_CENTURY_GENDER', message: expect.stringContaining(' / ') },
    ]);
  });

  it('gives null facts for a number it cannot read', () => {
    const r = run(['id', 'check', '12345', '--json']);
    expect(r.code).toBe(1);
    expect(json(r.stdout)).toMatchObject({ valid: false, provinceCode: null, gender: null });
  });

  it('reports a legacy CMND number as such', () => {
    const r = run(['id', 'check', '025123456', '--json']);
    expect((json(r.stdout).errors as Array<{ code: string }>)[0]?.code).toBe('PERSONAL_ID_LEGACY_CMND');
  });

  it('restores a dropped leading zero with a warning', () => {
    const r = run(['id', 'check', '79206012345', '--json']);
    expect(r.code).toBe(0);
    expect(json(r.stdout)).toMatchObject({
      valid: true,
      normalized: '079206012345',
      warnings: [{ code: 'PERSONAL_ID_LEADING_ZERO_RESTORED' }],
    });
  });

  it('prints a readable line without --json', () => {
    const r = run(['id', 'check', '079306012345']);
    expect(r.stdout).toContain('Hợp lệ / Valid');
    expect(r.stdout).toContain('TP. Hồ Chí Minh');
  });

  it('rejects a bad --dob in one line, without a stack', () => {
    const r = run(['id', 'check', '079206012345', '--dob', '2006-13-45']);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain('--dob');
    expect(r.stderr).not.toMatch(/at .*\.ts:\d+/);
  });
});

describe('edubridge grades', () => {
  it('computes the semester average of Circular 22', () => {
    const r = run(['grades', 'average', '--json'], '{"regular":[5.9,5.1,4.9],"midterm":6.2,"final":5.2}');
    expect(r.code).toBe(0);
    expect(json(r.stdout)).toEqual({ average: 5.5 });
  });

  it('computes the yearly average', () => {
    const r = run(['grades', 'average', '--json'], '{"semester1":8.5,"semester2":8.6}');
    expect(json(r.stdout)).toEqual({ average: 8.6 });
  });

  it('rounds an exact half up (51.3 / 6 = 8.55 → 8.6)', () => {
    const r = run(['grades', 'average', '--json'], '{"regular":[8.3],"midterm":8.6,"final":8.6}');
    expect(json(r.stdout)).toEqual({ average: 8.6 });
  });

  it('names the field of an out-of-range score', () => {
    const r = run(['grades', 'average', '--json'], '{"regular":[5, 11],"midterm":6,"final":7}');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('regular.1');
    expect(r.stderr).toContain('0–10');
  });

  it('computes the learning level with the Art. 9(3) adjustment', () => {
    const r = run(['grades', 'level', '--json'], '{"scored":[9,9,9,9,9,9,3],"commented":["Đ"]}');
    expect(r.code).toBe(0);
    expect(json(r.stdout)).toEqual({ level: 'Đạt' });
  });

  it('takes D and CD for Đ and CĐ, as scripts type them', () => {
    const r = run(['grades', 'level', '--json'], '{"scored":[9,9,9,9,9,9],"commented":["D","D"]}');
    expect(json(r.stdout)).toEqual({ level: 'Tốt' });
  });

  it('computes Tốt', () => {
    const r = run(['grades', 'level', '--json'], '{"scored":[8,8,8,8,8,8,7],"commented":["Đ","Đ"]}');
    expect(json(r.stdout)).toEqual({ level: 'Tốt' });
  });

  it('says malformed JSON in one line', () => {
    const r = run(['grades', 'level', '--json'], '{"scored":[8,');
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/malformed/);
  });

  it('says what shape it expected', () => {
    const r = run(['grades', 'average', '--json'], '{"scores":[1]}');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('"semester1"');
  });
});

describe('edubridge validate', () => {
  const dir = mkdtempSync(join(tmpdir(), 'edubridge-cli-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const source = { adapter: 'excel', schoolCode: '79NB0001', pulledAt: '2026-11-20T08:00:00+07:00' };
  const student = {
    type: 'student',
    key: 'x:1',
    source,
    schoolCode: '79NB0001',
    studentCode: 'HS1',
    personalId: '079213004521',
    fullName: 'Nguyễn Minh Khôi',
    birthDate: '2013-04-02',
    gender: 'male',
    guardians: [{ relationship: 'mother', fullName: 'Trần Thị Lan', personalId: '079185002345' }],
  };

  it('exits 0 and counts records for clean data', () => {
    const file = join(dir, 'clean.jsonl');
    writeFileSync(file, `${JSON.stringify(student)}\n`);
    const r = run(['validate', file, '--json', '--as-of', '2026-11-27']);
    expect(r.code).toBe(0);
    expect(json(r.stdout)).toMatchObject({ totals: { records: 1, valid: 1, invalid: 0, errors: 0 } });
  });

  it('names file, line, field and code of each problem and exits 1', () => {
    const file = join(dir, 'bad.jsonl');
    const lines = [
      JSON.stringify(student),
      '{not json',
      JSON.stringify({
        ...student,
        key: 'x:2',
        studentCode: 'HS2',
        personalId: '079213004522',
        guardians: [],
      }),
    ];
    writeFileSync(file, `${lines.join('\n')}\n`);
    const r = run(['validate', file, '--json', '--as-of', '2026-11-27']);
    expect(r.code).toBe(1);
    const report = json(r.stdout);
    expect(report.problems).toEqual([
      expect.objectContaining({ file: 'bad.jsonl', line: 2, code: 'JSON_MALFORMED' }),
      expect.objectContaining({
        file: 'bad.jsonl',
        line: 3,
        field: 'guardians',
        code: 'STUDENT_GUARDIAN_MISSING',
        key: 'x:2',
      }),
    ]);
    expect(report.byRule).toEqual({
      JSON_MALFORMED: { severity: 'error', count: 1 },
      STUDENT_GUARDIAN_MISSING: { severity: 'error', count: 1 },
    });
  });

  it('prints a bilingual report without --json', () => {
    const r = run(['validate', join(dir, 'bad.jsonl'), '--as-of', '2026-11-27']);
    expect(r.stdout).toContain('BÁO CÁO CHẤT LƯỢNG DỮ LIỆU / DATA-QUALITY REPORT');
    expect(r.stdout).toContain('bad.jsonl:3  guardians  STUDENT_GUARDIAN_MISSING');
  });

  it('says a missing path in one line', () => {
    const r = run(['validate', join(dir, 'nope')]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain('not found');
  });

  it('reports a name over its length limit at its file, line and field, with the limit and the length', () => {
    const file = join(dir, 'long-name.jsonl');
    const longName = `Nguyễn ${'Văn '.repeat(25)}An`;
    const lines = [
      JSON.stringify(student),
      JSON.stringify({
        ...student,
        key: 'x:3',
        studentCode: 'HS3',
        personalId: '079213004523',
        guardians: [{ relationship: 'mother', fullName: longName }],
      }),
    ];
    writeFileSync(file, `${lines.join('\n')}\n`);
    const r = run(['validate', file, '--json', '--as-of', '2026-11-27']);
    expect(r.code).toBe(1);
    const report = json(r.stdout);
    expect(report.problems).toEqual([
      expect.objectContaining({
        file: 'long-name.jsonl',
        line: 2,
        field: 'guardians.0.fullName',
        code: 'TEXT_TOO_LONG',
        key: 'x:3',
        message: {
          vi: 'Họ tên dài 109 ký tự, vượt giới hạn 100 ký tự',
          en: 'Full name is 109 characters long, over the limit of 100',
        },
      }),
    ]);
    expect(r.stdout).not.toContain(longName);
  });

  it('takes the limits of TEXT_LIMITS, as the sync does', () => {
    const file = join(dir, 'long-name.jsonl');
    const r = run(['validate', file, '--json', '--as-of', '2026-11-27'], '', {
      TEXT_LIMITS: '{"fullName": 120}',
    });
    expect(r.code).toBe(0);
    expect(json(r.stdout)).toMatchObject({ totals: { records: 2, valid: 2, errors: 0 } });
  });

  it('stops at a TEXT_LIMITS naming an unknown kind, in one line', () => {
    const r = run(['validate', join(dir, 'clean.jsonl')], '', { TEXT_LIMITS: '{"fulName": 120}' });
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain('TEXT_LIMITS must be JSON');
    expect(r.stderr).toContain('unknown kind "fulName"');
  });

  it('rejects a --max-problems that is not a whole number, naming the flag and its range', () => {
    const r = run(['validate', join(dir, 'bad.jsonl'), '--max-problems', '1.5']);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain('--max-problems must be an integer from 0 to 1000000 (got "1.5")');
  });

  it("names the error's code, and for a setting also what to do, from the error catalogue", () => {
    const option = run(['validate', join(dir, 'bad.jsonl'), '--max-problems', '1.5']);
    expect(option.stderr).toMatch(/^Lỗi \/ Error \[OPTION_INVALID\]: --max-problems phải là số nguyên/);
    expect(option.stderr).not.toContain('What to do');
    const setting = run(['validate', join(dir, 'clean.jsonl')], '', { TEXT_LIMITS: '{"fulName": 120}' });
    expect(setting.stderr.trim().split('\n')).toHaveLength(1);
    expect(setting.stderr).toMatch(/^Lỗi \/ Error \[CONFIG_INVALID\]: Cấu hình sai/);
    expect(setting.stderr).toContain('What to do: ');
    expect(setting.stderr).toContain('then start again');
  });
});

describe('edubridge rules', () => {
  it('lists the catalogue of rule codes with both languages', () => {
    const r = run(['rules', '--json']);
    const rules = JSON.parse(r.stdout) as Array<{ code: string; severity: string; vi: string; en: string }>;
    expect(rules.find((x) => x.code === 'PERSONAL_ID_CENTURY_GENDER')).toEqual({
      code: 'PERSONAL_ID_CENTURY_GENDER',
      severity: 'error',
      vi: expect.stringContaining('Chữ số thứ 4'),
      en: expect.stringContaining('Digit 4'),
    });
    expect(rules.find((x) => x.code === 'TEXT_TOO_LONG')).toMatchObject({
      severity: 'error',
      en: expect.stringContaining('TEXT_LIMITS'),
    });
  });
});

describe('bad input to any command', () => {
  it('rejects an unknown flag in one line', () => {
    const r = run(['grades', 'average', '--jsn']);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain('--jsn');
  });

  it('rejects an unknown command', () => {
    const r = run(['frobnicate']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('frobnicate');
  });

  it('prints help with exit 0', () => {
    const r = run(['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('validate');
    expect(r.stdout).toContain('sandbox');
  });
});

describe('edubridge serve', () => {
  const serveDir = mkdtempSync(join(tmpdir(), 'edubridge-serve-'));
  const sourcesFile = join(serveDir, 'sources.json');
  writeFileSync(
    sourcesFile,
    JSON.stringify({
      '79NB0001': { adapter: 'rest', config: { baseUrl: 'http://127.0.0.1:9', profile: 'sandbox-school' } },
    }),
  );
  const SERVE_ENV = {
    SOURCES_FILE: sourcesFile,
    CITY_EDUDB_GATEWAY_URL: 'http://127.0.0.1:9',
    CITY_EDUDB_CONSUMER_KEY: 'ck',
    CITY_EDUDB_CONSUMER_SECRET: 'cs',
  };
  afterAll(() => rmSync(serveDir, { recursive: true, force: true }));

  it.each([
    ['CITY_EDUDB_GATEWAY_URL', { CITY_EDUDB_GATEWAY_URL: '' }],
    ['CITY_EDUDB_CONSUMER_SECRET', { CITY_EDUDB_CONSUMER_SECRET: '' }],
    ['SOURCES_FILE', { SOURCES_FILE: join(serveDir, 'missing.json') }],
    // C06 configured without its credentials or without who asks: the variable it lacks first.
    ['C06_', { C06_GATEWAY_URL: 'http://127.0.0.1:9' }],
  ])('refuses to start without %s, naming it in one line', (variable, change) => {
    const r = run(['serve'], '', { ...SERVE_ENV, PORT: '1', LOG_LEVEL: 'warn', DATABASE_URL: '', ...change });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain(variable);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).not.toMatch(/\.ts:\d+|node_modules/);
  });

  it('keeps serving until SIGTERM, then exits 0', async () => {
    const { spawn } = await import('node:child_process');
    const port = 20_000 + Math.floor(Math.random() * 20_000);
    const child = spawn(process.execPath, [BIN, 'serve'], {
      env: { ...process.env, ...SERVE_ENV, PORT: String(port), LOG_LEVEL: 'warn', DATABASE_URL: '' },
      stdio: 'ignore',
    });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    let health: unknown;
    // Up to 30 s: a busy machine (CI runs suites side by side) loads the server's modules slowly.
    for (let i = 0; i < 120 && health === undefined; i++) {
      await new Promise((r) => setTimeout(r, 250));
      health = await fetch(`http://127.0.0.1:${port}/healthz`)
        .then((r) => r.json())
        .catch(() => undefined);
    }
    expect(health).toEqual({ status: 'ok' });
    const ready = await fetch(`http://127.0.0.1:${port}/readyz`);
    expect(ready.status).toBe(200);
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  }, 60_000);
});
