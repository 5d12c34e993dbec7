/**
 * `edubridge identity compare-name` and `edubridge identity parse-qr` run as a user runs them: the
 * real `bin/edubridge.js` in a child process.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseCccdQr } from '../src/identity/index.ts';

const BIN = join(import.meta.dirname, '..', 'bin', 'edubridge.js');

function run(args: string[], input = '') {
  const result = spawnSync(process.execPath, [BIN, 'identity', ...args], {
    input,
    encoding: 'utf8',
    timeout: 30_000,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

const OLD_CARD =
  '079203001234|123456789|Nguyễn Văn An|15032003|Nam|12 Lê Lợi, Phường Bến Nghé, Quận 1, TP.HCM|20042021';
const NEW_CARD =
  '001319012345||Trần Thị Thuỳ Dương|02092019|Nữ|Số 5 ngõ 12 Phố Huế, Phường Hai Bà Trưng, Hà Nội|15082024||Trần Văn Bình|Lê Thị Hoà';

describe('edubridge identity compare-name', () => {
  it('prints {"result":"exact"} and exits 0 for two spellings of one name', () => {
    const r = run(['compare-name', 'Nguyễn Thị Hoà', 'NGUYỄN  THỊ HÒA', '--json']);
    expect(r).toEqual({ code: 0, stdout: '{"result":"exact"}\n', stderr: '' });
  });

  it('prints {"result":"diacritics_only"} and exits 1 for a name without its marks', () => {
    const r = run(['compare-name', 'Đặng Văn An', 'Dang Van An', '--json']);
    expect(r).toEqual({ code: 1, stdout: '{"result":"diacritics_only"}\n', stderr: '' });
  });

  it('prints one bilingual line without --json', () => {
    const r = run(['compare-name', 'Lê Văn An', 'Lý Văn An']);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('✗ Khác nhau / Different\n');
  });
});

describe('edubridge identity parse-qr', () => {
  it('prints the card as JSON, exactly the seven fields of an old card', () => {
    const r = run(['parse-qr', OLD_CARD, '--json']);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toEqual({
      personalId: '079203001234',
      legacyId: '123456789',
      fullName: 'Nguyễn Văn An',
      birthDate: '2003-03-15',
      gender: 'male',
      address: '12 Lê Lợi, Phường Bến Nghé, Quận 1, TP.HCM',
      issueDate: '2021-04-20',
    });
  });

  it('adds "extra" for a new card with more fields', () => {
    const r = run(['parse-qr', NEW_CARD, '--json']);
    expect(r.code).toBe(0);
    const { extra, ...fields } = parseCccdQr(NEW_CARD);
    expect(JSON.parse(r.stdout)).toEqual({ ...fields, extra });
    expect(extra).toEqual(['', 'Trần Văn Bình', 'Lê Thị Hoà']);
  });

  it('reads the QR text from stdin with "-", as a reader pipes it', () => {
    const r = run(['parse-qr', '-', '--json'], `\ufeff${OLD_CARD}\r\n`);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).birthDate).toBe('2003-03-15');
  });

  it('prints labelled bilingual lines without --json', () => {
    const r = run(['parse-qr', OLD_CARD]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Ngày sinh / Birth date: 2003-03-15\n');
    expect(r.stdout).toContain('Giới tính / Gender: nam / male\n');
  });

  it('refuses a broken card: exit 1, one bilingual line with code and field, no stack, no personal value', () => {
    const broken = OLD_CARD.replace('|Nam|', '|Nữ|');
    const r = run(['parse-qr', broken, '--json']);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    const lines = r.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^Lỗi \/ Error: QR_ID_INCONSISTENT \(personalId, trường \/ field 1\): .+ \/ .+/);
    expect(r.stderr).not.toMatch(/at .*\.ts:\d+/);
    expect(r.stderr).not.toContain('079203001234');
    expect(r.stderr).not.toContain('Nguyễn Văn An');
  });

  it('names the field of a bad date', () => {
    const r = run(['parse-qr', OLD_CARD.replace('15032003', '31022003')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/QR_BIRTH_DATE \(birthDate, trường \/ field 4\).*Ngày sinh.* \/ .*Birth date/);
  });

  it('refuses text that is not a card QR', () => {
    const r = run(['parse-qr', 'https://example.vn']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^Lỗi \/ Error: QR_FIELD_COUNT: /);
  });

  it('rejects a bad --as-of as a usage error (exit 2)', () => {
    const r = run(['parse-qr', OLD_CARD, '--as-of', '2026-13-01']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--as-of/);
  });
});
