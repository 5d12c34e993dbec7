/**
 * The identity commands that use the store, run as a district IT person runs them (the real
 * `bin/edubridge.js` in a child process) on a PGlite directory prepared beforehand: a batch of card
 * readings checked offline, the coverage report with its workbook, and the audit chain verified.
 */
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatCccdQr } from '../src/identity/offline/qr.ts';
import { createDatabase, loadKeyring, migrateToLatest, registerPeople } from '../src/store/index.ts';

const BIN = join(import.meta.dirname, '..', 'bin', 'edubridge.js');
const SCHOOL = '79NB0001';
const KEYS = {
  DATA_KEYS: `k1:${Buffer.alloc(32, 3).toString('base64')}`,
  BLIND_INDEX_KEY: Buffer.alloc(32, 5).toString('base64'),
};
const AN = {
  personalId: '079213001234',
  fullName: 'Nguyễn Văn An',
  birthDate: '2013-03-15',
  gender: 'male' as const,
};
const HOA = {
  personalId: '079313004567',
  fullName: 'Trần Thị Hoà',
  birthDate: '2013-09-02',
  gender: 'female' as const,
};
type Pupil = { personalId: string; fullName: string; birthDate: string; gender: 'male' | 'female' };
const card = (p: Pupil, fullName = p.fullName) =>
  formatCccdQr({
    ...p,
    fullName,
    legacyId: null,
    address: '12 Lê Lợi, xã Nhà Bè',
    issueDate: '2025-08-01',
    extra: [],
  });

let dir: string;
const env = () => ({
  ...process.env,
  ...KEYS,
  DATABASE_URL: '',
  PGLITE_DIR: join(dir, 'pglite'),
  USER: 'it-staff',
});
const run = (args: string[]) => {
  const r = spawnSync(process.execPath, [BIN, ...args], { env: env(), encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
};

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'edubridge-identity-cli-'));
  const db = await createDatabase({ DATABASE_URL: undefined, PGLITE_DIR: join(dir, 'pglite') } as never);
  await migrateToLatest(db);
  const keyring = loadKeyring(KEYS);
  await registerPeople(
    db,
    keyring,
    [AN, HOA].map((p, i) => ({
      schoolCode: SCHOOL,
      role: 'student' as const,
      recordKey: `hs-${i}`,
      personalId: p.personalId,
      facts: { fullName: p.fullName, birthDate: p.birthDate, gender: p.gender, code: `HS${i}` },
    })),
  );
  await db.close();
}, 60_000);

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('edubridge identity offline, report and audit verify', () => {
  it('checks a reader’s batch line by line: verified, mismatched with the field, refused with rule and place', async () => {
    const file = join(dir, 'reader.txt');
    // Hoà written with the new tone placement is the same spelling; a name without marks is not.
    await writeFile(
      file,
      [card(AN), '', card(HOA, 'Trần Thị Hòa'), card(AN, 'Nguyen Van An'), 'not|a|card'].join('\n'),
    );
    const r = run(['identity', 'offline', file, '--school', SCHOOL, '--json']);
    expect(r.code).toBe(1);
    const { results } = JSON.parse(r.stdout) as { results: Array<Record<string, unknown>> };
    expect(results.map((x) => [x.line, x.result])).toEqual([
      [1, 'verified_offline'],
      [3, 'verified_offline'],
      [4, 'mismatch'],
      [5, 'refused'],
    ]);
    expect(results[2]!.fields).toEqual([{ field: 'fullName', how: 'diacritics_only' }]);
    expect(results[3]).toMatchObject({ code: 'IDENTITY_PAYLOAD', rule: 'QR_FIELD_COUNT' });
    expect(r.stdout).not.toContain(AN.personalId);
  });

  it('reports coverage and writes the follow-up list as a workbook', async () => {
    const xlsx = join(dir, 'coverage.xlsx');
    const r = run(['identity', 'report', '--school', SCHOOL, '--xlsx', xlsx, '--json']);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as { roles: { student: Record<string, number> } };
    // An was verified offline and then mismatched: the latest check is the status.
    expect(report.roles.student).toMatchObject({ total: 2, verified_offline: 1, mismatch: 1 });
    const book = new ExcelJS.Workbook();
    await book.xlsx.readFile(xlsx);
    const list = book.getWorksheet('Can xu ly')!;
    expect(list.rowCount).toBe(2);
    expect(list.getRow(2).getCell(3).value).toBe(AN.fullName);
    expect(String(list.getRow(2).getCell(5).value)).toBe('họ tên: chỉ khác dấu');
  });

  it('audit verify walks the chain of every check made above', () => {
    const r = run(['audit', 'verify', '--json']);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as { checked: number; unchained: number; broken?: unknown };
    expect(report.broken).toBeUndefined();
    // Three offline checks and the report's export.
    expect(report.checked).toBe(4);
    expect(report.unchained).toBe(0);
  });
});
