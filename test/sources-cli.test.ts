/**
 * `edubridge sources check` and `edubridge adapter read` as district IT and vendors run them: a
 * table a person reads, JSON for scripts, canonical records with personal data masked, and an
 * unmasked read on the audit log.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { maskRecord } from '../src/cli/commands/adapter-read.ts';
import { freshPostgres } from './support/services.ts';

const ROOT = join(import.meta.dirname, '..');
const BIN = join(ROOT, 'bin', 'edubridge.js');
const dir = mkdtempSync(join(tmpdir(), 'edubridge-sources-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// The kit's small adapter over a JSON file, named by its path relative to the sources file.
const ADAPTER = relative(dir, join(ROOT, 'fixtures', 'kit', 'static-adapter.ts'));
const STUDENTS = join(ROOT, 'fixtures', 'kit', 'students.json');
const SOURCES = join(dir, 'edubridge.sources.json');
writeFileSync(
  SOURCES,
  JSON.stringify({
    '79NB0001': { adapter: ADAPTER, config: { studentsFile: STUDENTS, token: { env: 'STATIC_TOKEN' } } },
    '79NB0002': { adapter: ADAPTER, config: { studentsFile: STUDENTS, token: 'wrong-token' } },
    '79NB0003': { adapter: ADAPTER, config: { studentsFile: '', token: { env: 'STATIC_TOKEN' } } },
  }),
);

const run = (args: string[], env: Record<string, string> = {}) =>
  spawnSync(process.execPath, [BIN, ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 60_000,
    env: { ...process.env, DATABASE_URL: '', LOG_LEVEL: 'warn', STATIC_TOKEN: 'open-sesame', ...env },
  });

describe('edubridge sources check', () => {
  it('prints one row per school with its adapter, version, SDK and check, and exits 1 when any fails', () => {
    const r = run(['sources', 'check', SOURCES]);
    expect(r.status).toBe(1);
    const lines = r.stdout.split('\n');
    expect(lines[1]).toMatch(/^Trường \/ School\s+Adapter\s+Phiên bản \/ Version\s+SDK\s+Kiểm tra \/ Check$/);
    expect(r.stdout).toMatch(
      /79NB0001\s+static-json \(.*static-adapter\.ts\)\s+1\.0\.0\s+1\.0\.0\s+✓ được \/ ok/,
    );
    expect(r.stdout).toMatch(/79NB0002\s+static-json .*✗ lỗi \/ failed/);
    expect(r.stdout).toContain('AUTH_REFUSED: Mã truy cập bị từ chối / The token was refused');
    // A secret written inline is pointed out; one given by reference is not.
    expect(r.stdout).toMatch(/secret written inline, prefer \{"env": …\}: token/);
    expect(r.stdout.match(/secret written inline/g)).toHaveLength(1);
    expect(r.stdout).toMatch(/79NB0003\s+.*✗ không dùng được \/ unusable/);
    expect(r.stdout).toMatch(/SOURCE_CONFIG_INVALID: .*79NB0003.*static-json.*studentsFile/);
    expect(r.stdout).toContain('1/3 trường dùng được / schools usable; 2 cần sửa / need fixing');
    expect(r.stdout).not.toContain('open-sesame');
  });

  it('answers JSON for scripts, for the schools asked', () => {
    const r = run(['sources', 'check', SOURCES, '--school', '79NB0001', '79NB0003', '--json']);
    const out = JSON.parse(r.stdout) as {
      schools: Array<{ school: string; status: string; adapter?: string }>;
    };
    expect(out.schools.map((s) => [s.school, s.status])).toEqual([
      ['79NB0001', 'ok'],
      ['79NB0003', 'unusable'],
    ]);
    expect(r.status).toBe(1);
  });

  it('names the variable when a referenced secret is not set', () => {
    const r = run(['sources', 'check', SOURCES, '--school', '79NB0001'], { STATIC_TOKEN: '' });
    expect(r.stdout).toMatch(/SOURCE_SECRET_UNRESOLVED: .*79NB0001.*token.*STATIC_TOKEN is not set/);
    expect(r.status).toBe(1);
  });
});

describe('edubridge adapter read', () => {
  let database: { url: string; drop(): Promise<void> };
  beforeAll(async () => {
    database = await freshPostgres('adapter_read');
  });
  afterAll(() => database?.drop());

  it('prints canonical records as JSONL, personal data masked, and the problems on stderr', () => {
    const r = run(['adapter', 'read', SOURCES, '--school', '79NB0001']);
    const records = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(records).toHaveLength(2);
    expect(records[0]).toMatchObject({
      type: 'student',
      key: 'static-json:student-HS1',
      schoolCode: '79NB0001',
    });
    expect(records[0].fullName).toMatch(/^\S\**( \S\**)*$/);
    expect(records[0].fullName).not.toBe('Nguyễn Minh Khôi');
    expect(records[0].birthDate).toMatch(/^\d{4}-\*\*-\*\*$/);
    // The record the adapter rejected, where it is and why.
    expect(r.stderr).toMatch(/✗ id HS3\s+birthDate\s+DATE_UNPARSEABLE/);
    expect(r.stderr).toContain('2 bản ghi / records');
    expect(r.stderr).not.toContain('[object Object]');
    expect(r.status).toBe(1);
  });

  it('stops after --limit records', () => {
    const r = run(['adapter', 'read', SOURCES, '--school', '79NB0001', '--limit', '1']);
    expect(r.stdout.trim().split('\n')).toHaveLength(1);
  });

  it('shows personal data with --unmasked, and the audit log says who looked', async () => {
    const r = run(['adapter', 'read', SOURCES, '--school', '79NB0001', '--unmasked'], {
      DATABASE_URL: database.url,
      USER: 'vendor-dev',
    });
    const records = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(records[0].birthDate).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    try {
      const { rows } = await client.query('select actor, action, resource, detail from audit_log');
      expect(rows).toEqual([
        {
          actor: 'cli:vendor-dev',
          action: 'adapter:read:unmasked',
          resource: 'school:79NB0001',
          detail: { school: '79NB0001', adapter: 'static-json', stream: 'students' },
        },
      ]);
    } finally {
      await client.end();
    }
  });

  it('refuses a stream the adapter does not offer, naming the ones it does', () => {
    const r = run(['adapter', 'read', SOURCES, '--school', '79NB0001', '--stream', 'teachers']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('has no stream "teachers" (it has: students)');
  });
});

describe('masking', () => {
  it('masks every field the model marks personal, nested ones included', () => {
    const masked = maskRecord({
      type: 'student',
      key: 'k:student-1',
      studentCode: 'HS0001',
      fullName: 'Nguyễn Minh Khôi',
      personalId: '079213004521',
      birthDate: '2013-04-02',
      ethnicityCode: '01',
      guardians: [{ relationship: 'mother', fullName: 'Trần Thị Lan', phone: '0903123456' }],
    });
    expect(masked).toEqual({
      type: 'student',
      key: 'k:student-1',
      studentCode: 'HS0001',
      fullName: 'N***** M*** K***',
      personalId: '07********21',
      birthDate: '2013-**-**',
      ethnicityCode: '***',
      // The model marks the relationship itself personal: it says who is family.
      guardians: [{ relationship: 'm*****', fullName: 'T*** T** L**', phone: '09******56' }],
    });
  });
});
