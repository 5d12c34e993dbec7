import { describe, expect, it } from 'vitest';
import { type Finding, FindingGroups } from './findings.ts';
import { maskDigits, maskPersonalText, maskValue, personalDataClassOf, valueAtPath } from './mask.ts';
import { renderFindingGroups } from './render-findings.ts';

const zeroDropped = (row: number, sheet = 'Sheet1'): Finding => ({
  sheet,
  row,
  column: 'K',
  field: 'personalId',
  code: 'PERSONAL_ID_LEADING_ZERO_RESTORED',
  level: 'warning',
  message: {
    vi: 'Số có 11 chữ số (Excel đã bỏ số 0 đầu); đã thêm lại số 0 đầu',
    en: '11 digits (Excel dropped the leading zero); the leading zero was restored',
  },
});

describe('FindingGroups', () => {
  it('makes one group of a fault on 3,850 rows: its count, one message and the first 10 rows', () => {
    const groups = new FindingGroups(10, (sheet, column) =>
      sheet === 'Sheet1' && column === 'K' ? 'Số định danh cá nhân' : undefined,
    );
    let asked = 0;
    for (let row = 6; row < 6 + 3850; row++) {
      groups.add(zeroDropped(row), () => {
        asked++;
        return maskValue(`0792143${String(row).padStart(5, '0')}`, 'personal');
      });
    }
    const [group, ...rest] = groups.build();
    expect(rest).toEqual([]);
    expect(group).toMatchObject({
      code: 'PERSONAL_ID_LEADING_ZERO_RESTORED',
      level: 'warning',
      column: 'K',
      header: 'Số định danh cá nhân',
      field: 'personalId',
      count: 3850,
      message:
        'Số có 11 chữ số (Excel đã bỏ số 0 đầu); đã thêm lại số 0 đầu / 11 digits (Excel dropped the leading zero); the leading zero was restored',
    });
    expect(group!.samples.map((s) => s.row)).toEqual([6, 7, 8, 9, 10, 11, 12, 13, 14, 15]);
    expect(group!.samples[0]).toEqual({ sheet: 'Sheet1', row: 6, value: '07********06' });
    // The value is looked up for the examples only.
    expect(asked).toBe(10);
  });

  it('groups by rule and column: the father’s and the mother’s phone are two groups, each guardian index one', () => {
    const phone = (row: number, index: number, column: string): Finding => ({
      sheet: 'Sheet1',
      row,
      column,
      field: `guardians.${index}.phone`,
      code: 'PHONE_INVALID',
      level: 'error',
      message: { vi: 'Không phải số điện thoại', en: 'Not a phone number' },
    });
    const groups = new FindingGroups();
    groups.add(phone(6, 0, 'L'));
    groups.add(phone(7, 1, 'L'));
    groups.add(phone(8, 1, 'P'));
    expect(groups.build().map((g) => [g.column, g.field, g.count])).toEqual([
      ['L', 'guardians[].phone', 2],
      ['P', 'guardians[].phone', 1],
    ]);
  });

  it('lists errors first, then the largest groups, then in the order of the file', () => {
    const groups = new FindingGroups();
    const error = (row: number, code: string): Finding => ({ ...zeroDropped(row), code, level: 'error' });
    groups.add(zeroDropped(5));
    groups.add(zeroDropped(6));
    groups.add(error(7, 'B_ERROR'));
    groups.add(error(8, 'A_ERROR'));
    groups.add(error(9, 'C_ERROR'));
    groups.add(error(10, 'C_ERROR'));
    expect(groups.build().map((g) => g.code)).toEqual([
      'C_ERROR',
      'B_ERROR',
      'A_ERROR',
      'PERSONAL_ID_LEADING_ZERO_RESTORED',
    ]);
  });

  it('takes a late finding of an earlier row (a dataset rule’s) among the first rows, in row order', () => {
    const groups = new FindingGroups(3);
    for (const row of [10, 11, 12, 13]) groups.add(zeroDropped(row));
    groups.add(zeroDropped(4));
    groups.add(zeroDropped(2, 'Sheet2'));
    const [group] = groups.build();
    expect(group!.count).toBe(6);
    expect(group!.samples.map((s) => `${s.sheet}!${s.row}`)).toEqual(['Sheet1!4', 'Sheet1!10', 'Sheet1!11']);
  });

  it("keeps a row's own message when it is not the group's, numbers masked", () => {
    const groups = new FindingGroups();
    const age = (row: number, age: number): Finding => ({
      ...zeroDropped(row),
      code: 'STUDENT_AGE_GRADE',
      message: { vi: `Tuổi ${age} không phù hợp`, en: `Age ${age} does not fit` },
    });
    groups.add(age(6, 20));
    groups.add(age(7, 21));
    groups.add({ ...age(8, 20), message: { vi: 'Số 079214300109 trùng', en: 'ID 079214300109 repeated' } });
    const [group] = groups.build();
    expect(group!.message).toBe('Tuổi 20 không phù hợp / Age 20 does not fit');
    expect(group!.samples.map((s) => s.message)).toEqual([
      undefined,
      'Tuổi 21 không phù hợp / Age 21 does not fit',
      'Số 07********09 trùng / ID 07********09 repeated',
    ]);
  });

  it('renders one line a group with its count and first rows', () => {
    const groups = new FindingGroups(10, () => 'Số định danh cá nhân');
    for (let row = 6; row < 6 + 3850; row++) groups.add(zeroDropped(row));
    const lines = renderFindingGroups(groups.build());
    expect(lines).toEqual([
      '  CẢNH BÁO/WARNING  K (Số định danh cá nhân)  personalId  PERSONAL_ID_LEADING_ZERO_RESTORED  × 3,850  dòng/rows Sheet1!6, 7, 8, 9, 10, … — Số có 11 chữ số (Excel đã bỏ số 0 đầu); đã thêm lại số 0 đầu / 11 digits (Excel dropped the leading zero); the leading zero was restored',
    ]);
  });
});

describe('masking', () => {
  it('keeps the ends and the length of a number', () => {
    expect(maskDigits('079214300109')).toBe('07********09');
    expect(maskDigits('79214300109')).toBe('79*******09');
    expect(maskDigits('123')).toBe('***');
  });

  it('masks ID and phone numbers and e-mail addresses in a message, not a student code', () => {
    expect(
      maskPersonalText(
        'CCCD 079214300109, CMND 025123456, SĐT 0903123456 hoặc +84 903 123 456, thư an.nguyen@truong.edu.vn; mã HS 7900000101',
      ),
    ).toBe(
      'CCCD 07********09, CMND 02*****56, SĐT 09******56 hoặc 84*******56, thư a***@truong.edu.vn; mã HS 7900000101',
    );
    // A key made of a number keeps its masked form, not a partial one.
    expect(maskPersonalText('excel-79:person-079214300109')).toBe('excel-79:person-07********09');
  });

  it('shows a personal value by its shape: number ends, a date’s year, a name’s initials; a sensitive one not at all', () => {
    expect(maskValue('Nguyễn Văn  An', 'personal')).toBe('N***** V**  A*');
    expect(maskValue('2014-03-12', 'personal')).toBe('2014-**-**');
    expect(maskValue('0903 123 456', 'personal')).toBe('09******56');
    expect(maskValue('hang.nt@truong.edu.vn', 'personal')).toBe('h***@truong.edu.vn');
    expect(maskValue('01', 'sensitive')).toBe('***');
    expect(maskValue('6A1', undefined)).toBe('6A1');
  });

  it('finds the mark of a field from the schemas, indexes and all', () => {
    expect(personalDataClassOf('student', 'guardians.1.personalId')).toBe('personal');
    expect(personalDataClassOf('student', 'ethnicityCode')).toBe('sensitive');
    expect(personalDataClassOf('student', 'className')).toBeUndefined();
    expect(personalDataClassOf('assessment', 'regular.0')).toBeUndefined();
    expect(personalDataClassOf('nonsense', 'x')).toBeUndefined();
  });

  it('reads a value at a dotted path', () => {
    const record = { guardians: [{ phone: '0903' }, { phone: 123 }], nested: { ok: true } };
    expect(valueAtPath(record, 'guardians.0.phone')).toBe('0903');
    expect(valueAtPath(record, 'guardians.1.phone')).toBe('123');
    expect(valueAtPath(record, 'guardians')).toBeUndefined();
    expect(valueAtPath(record, 'guardians.5.phone')).toBeUndefined();
    expect(valueAtPath(record, '')).toBeUndefined();
  });
});
