import { describe, expect, it } from 'vitest';
import { checkPhone } from './phone.ts';
import { checkRecord } from './rules.ts';

const codes = (raw: string) => checkPhone(raw, 'phone').problems.map((p) => p.code);

describe('checkPhone', () => {
  it('puts back the 0 Excel dropped from a mobile (9 digits starting 3, 5, 7, 8, 9), with a warning', () => {
    for (const [raw, want] of [
      ['912345678', '0912345678'],
      ['383456789', '0383456789'],
      ['562345678', '0562345678'],
      ['703456789', '0703456789'],
      ['812 345 678', '0812345678'],
    ]) {
      const check = checkPhone(raw!, 'phone');
      expect(check.normalized, raw).toBe(want);
      expect(check.problems.map((p) => p.code)).toEqual(['PHONE_LEADING_ZERO_RESTORED']);
    }
    expect(checkPhone('912345678', 'phone').problems[0]!.message.en).toBe(
      'A 9-digit mobile number (Excel dropped its leading 0); the 0 was restored — in Excel, format the column as Text before typing or pasting',
    );
  });

  it('puts back the 0 of a landline (10 digits starting 2: 028 …)', () => {
    expect(checkPhone('2838123456', 'phone').normalized).toBe('02838123456');
  });

  it('removes the ".0" of a number stored as a decimal, then puts back the 0', () => {
    const check = checkPhone('912345678.0', 'phone');
    expect(check.normalized).toBe('0912345678');
    expect(check.problems.map((p) => p.code)).toEqual([
      'PHONE_DECIMAL_REMOVED',
      'PHONE_LEADING_ZERO_RESTORED',
    ]);
  });

  it('says what it repaired in both languages, landline and decimal alike', () => {
    const asText = {
      vi: 'trong Excel, định dạng cột là Text (Văn bản) trước khi nhập hoặc dán',
      en: 'in Excel, format the column as Text before typing or pasting',
    };
    expect(checkPhone('2838123456', 'phone').problems.map((p) => p.message)).toEqual([
      {
        vi: `Số điện thoại cố định có 10 chữ số (Excel đã bỏ số 0 đầu); đã thêm lại số 0 — ${asText.vi}`,
        en: `A 10-digit landline number (Excel dropped its leading 0); the 0 was restored — ${asText.en}`,
      },
    ]);
    expect(checkPhone('912345678', 'phone').problems[0]!.message.vi).toBe(
      `Số điện thoại di động có 9 chữ số (Excel đã bỏ số 0 đầu); đã thêm lại số 0 — ${asText.vi}`,
    );
    expect(checkPhone('0912345678,00', 'phone').problems.map((p) => p.message)).toEqual([
      {
        vi: `Số điện thoại có phần thập phân ",0" (đã được lưu thành số thực); đã bỏ phần thập phân — ${asText.vi}`,
        en: `The phone number had a decimal ".0" (it was stored as a decimal); the decimal part was removed — ${asText.en}`,
      },
    ]);
    expect(checkPhone(' 0912345678.0 ', 'phone').normalized).toBe('0912345678');
  });

  it('repairs only a whole number: digits around it, or more of them, are left as written', () => {
    for (const raw of [
      '9123456789', // 10 digits starting 9: not a mobile that lost its 0
      '28381234567', // 11 digits starting 2
      'x912345678',
      '912345678x',
      'x2838123456',
      '2838123456x',
      'x0912345678.0',
      '0912345678.0x',
      '0912345678.000',
    ]) {
      expect(checkPhone(raw, 'phone'), raw).toEqual({ normalized: raw, problems: [] });
    }
  });

  it('leaves a number that lost nothing as written, and says nothing', () => {
    for (const raw of [
      '0912345678',
      '0912 345 678',
      '+84912345678',
      '02838123456',
      '123456789',
      '18001234',
    ]) {
      expect(checkPhone(raw, 'phone').problems, raw).toEqual([]);
      expect(checkPhone(raw, 'phone').normalized).toBe(raw);
    }
    expect(codes(' 0912345678 ')).toEqual([]);
  });

  it("normalises a guardian's and a teacher's phone in checkRecord, the warning at the phone's field", () => {
    const source = { adapter: 'excel', schoolCode: '79NB0001', pulledAt: '2026-11-20T08:00:00+07:00' };
    const check = checkRecord(
      {
        type: 'student',
        key: 'excel-79nb0001:student-1',
        source,
        schoolCode: '79NB0001',
        studentCode: '7900000001',
        personalId: '079213004521',
        fullName: 'Nguyễn Minh Khôi',
        birthDate: '2013-04-02',
        gender: 'male',
        guardians: [{ relationship: 'mother', fullName: 'Trần Thị Lan', phone: '912345678' }],
      },
      { asOf: new Date('2026-11-27T00:00:00Z') },
    );
    expect(check.valid).toBe(true);
    expect(check.record).toMatchObject({ guardians: [{ phone: '0912345678' }] });
    expect(check.problems).toMatchObject([
      { code: 'PHONE_LEADING_ZERO_RESTORED', severity: 'warning', field: 'guardians.0.phone' },
    ]);
  });
});
