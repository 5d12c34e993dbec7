/**
 * `edubridge vietqr` run as a user runs it: the real `bin/edubridge.js` in a child process.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildVietQr, crc16CcittFalse, parseVietQr } from '../src/model/vietqr.ts';

const BIN = join(import.meta.dirname, '..', 'bin', 'edubridge.js');

function run(args: string[]) {
  const result = spawnSync(process.execPath, [BIN, 'vietqr', ...args], {
    input: '',
    encoding: 'utf8',
    timeout: 30_000,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

const expectOneLineUsageError = (r: ReturnType<typeof run>, mention: RegExp) => {
  expect(r.code).toBe(2);
  expect(r.stdout).toBe('');
  expect(r.stderr.trim().split('\n')).toHaveLength(1);
  expect(r.stderr).toMatch(mention);
  expect(r.stderr).toContain(' / ');
  expect(r.stderr).not.toMatch(/at .*\.ts:\d+/);
};

describe('edubridge vietqr', () => {
  it('prints exactly {"payload":…} with --json, equal to buildVietQr and with a CRC that verifies', () => {
    const r = run([
      '--bank',
      '970436',
      '--account',
      '9889559357',
      '--amount',
      '10000',
      '--purpose',
      'Học phí tháng 9',
      '--json',
    ]);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    const payload = buildVietQr({
      bankBin: '970436',
      account: '9889559357',
      amount: 10000,
      purpose: 'Học phí tháng 9',
    });
    expect(r.stdout).toBe(`${JSON.stringify({ payload })}\n`);
    const printed = (JSON.parse(r.stdout) as { payload: string }).payload;
    expect(crc16CcittFalse(printed.slice(0, -4))).toBe(printed.slice(-4));
    expect(parseVietQr(printed)).toMatchObject({ amount: 10000, purpose: 'Hoc phi thang 9', dynamic: true });
  });

  it('passes --service and --bill through (the NAPAS dynamic card vector)', () => {
    const r = run([
      '--bank',
      '970403',
      '--account',
      '9704031101234567',
      '--service',
      'QRIBFTTC',
      '--amount',
      '180000',
      '--bill',
      'NPS6869',
      '--purpose',
      'thanh toan don hang',
      '--json',
    ]);
    expect(r.code).toBe(0);
    const { payload } = JSON.parse(r.stdout) as { payload: string };
    expect(payload).toBe(
      buildVietQr({
        bankBin: '970403',
        account: '9704031101234567',
        service: 'QRIBFTTC',
        amount: 180000,
        billNumber: 'NPS6869',
        purpose: 'thanh toan don hang',
      }),
    );
    expect(payload.slice(-4)).toBe('A203');
  });

  it('prints the payload and a bilingual line without --json', () => {
    const r = run(['--bank', '970436', '--account', '9889559357']);
    expect(r.code).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toBe(buildVietQr({ bankBin: '970436', account: '9889559357' }));
    expect(lines[1]).toMatch(/tĩnh.* \/ static/);
  });

  it('rejects a bad BIN: exit 2, one bilingual line naming the field, no stack', () => {
    const r = run(['--bank', '97043', '--account', '9889559357', '--json']);
    expectOneLineUsageError(r, /--bank/);
    expect(r.stderr).toMatch(/Mã ngân hàng \(BIN\).* \/ .*bank BIN/);
  });

  it('rejects an amount that is not digits only', () => {
    for (const amount of ['10,000', '1e4', '10000.5', '-5']) {
      const r = run(['--bank', '970436', '--account', '9889559357', `--amount=${amount}`]);
      expectOneLineUsageError(r, /--amount.*digits only/);
    }
  });

  it('rejects a purpose over 25 characters, naming the flag', () => {
    const r = run([
      '--bank',
      '970436',
      '--account',
      '9889559357',
      '--purpose',
      'day la noi dung chuyen khoan',
    ]);
    expectOneLineUsageError(r, /--purpose.*25/);
  });
});
