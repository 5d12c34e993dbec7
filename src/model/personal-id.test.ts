import { fc, test as propTest } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { PROVINCE_CODES } from './codes.ts';
import { checkPersonalId, type Gender, genderCenturyDigit, readPersonalIdFacts } from './personal-id.ts';

const asOf = new Date('2026-11-27T00:00:00Z');
const codes = (id: unknown, opts = {}) => checkPersonalId(id, { asOf, ...opts }).problems.map((p) => p.code);

describe('checkPersonalId', () => {
  it('accepts the C06 sample: Vĩnh Phúc, male, born 1992', () => {
    const check = checkPersonalId('026092008262', { asOf, birthDate: '1992-11-22', gender: 'male' });
    expect(check).toMatchObject({
      valid: true,
      normalized: '026092008262',
      facts: { provinceCode: '026', gender: 'male', birthYear: 1992 },
      problems: [],
    });
  });

  it('reads a girl born in 2013 in Ho Chi Minh City', () => {
    expect(readPersonalIdFacts('079313004521')).toEqual({
      provinceCode: '079',
      gender: 'female',
      birthYear: 2013,
    });
  });

  it('reads the 22nd century from digit 4 = 4 or 5', () => {
    expect(readPersonalIdFacts('079405000001').birthYear).toBe(2105);
    expect(readPersonalIdFacts('079505000001').gender).toBe('female');
  });

  it('rejects a number that is not 12 digits', () => {
    expect(codes('07920601234')).toEqual(['PERSONAL_ID_FORMAT']); // 11 digits, restoring gives 0079…: bad province
    expect(codes('0792060123456')).toEqual(['PERSONAL_ID_FORMAT']);
    expect(codes('07920601234A')).toEqual(['PERSONAL_ID_FORMAT']);
    expect(codes('')).toEqual(['PERSONAL_ID_FORMAT']);
    expect(codes(null)).toEqual(['PERSONAL_ID_FORMAT']);
  });

  it('explains an ID mangled into scientific notation by Excel', () => {
    const check = checkPersonalId('7.92060E+10', { asOf });
    expect(check.problems[0]?.code).toBe('PERSONAL_ID_FORMAT');
    expect(check.problems[0]?.message.en).toMatch(/scientific notation/);
  });

  it('says a 9-digit number is a legacy CMND, not a personal ID', () => {
    expect(codes('025123456')).toEqual(['PERSONAL_ID_LEGACY_CMND']);
  });

  it('rejects a province code outside the 63 (e.g. 003, which no province has)', () => {
    expect(codes('003206012345')).toEqual(['PERSONAL_ID_PROVINCE']);
    expect(codes('100206012345')).toEqual(['PERSONAL_ID_PROVINCE']);
  });

  it('accepts a configured extra province code', () => {
    const check = checkPersonalId('100206012345', { asOf, extraProvinceCodes: new Set(['100']) });
    expect(check.valid).toBe(true);
  });

  it('rejects a birth year in the future', () => {
    expect(codes('079227012345')).toEqual(['PERSONAL_ID_FUTURE_BIRTH_YEAR']); // 2027 > 2026
    expect(codes('079426012345')).toEqual(['PERSONAL_ID_FUTURE_BIRTH_YEAR']); // 2126
    expect(codes('079226012345')).toEqual([]); // 2026 is this year
  });

  it('flags digit 4 against the gender given', () => {
    expect(codes('079213012345', { gender: 'female' })).toEqual(['PERSONAL_ID_CENTURY_GENDER']);
    expect(codes('079313012345', { gender: 'female' })).toEqual([]);
  });

  it('flags digit 4 against the century of the birth date', () => {
    // 0 = male born 1900–1999, but the birth date is 2013
    expect(codes('079013012345', { birthDate: '2013-04-02' })).toEqual(['PERSONAL_ID_CENTURY_GENDER']);
  });

  it('flags digits 5–6 against the birth year', () => {
    expect(codes('079212012345', { birthDate: '2013-04-02', gender: 'male' })).toEqual([
      'PERSONAL_ID_BIRTH_YEAR',
    ]);
  });

  it('restores a leading zero dropped by Excel, with a warning', () => {
    const check = checkPersonalId('79213012345', { asOf, birthDate: '2013-04-02', gender: 'male' });
    expect(check.valid).toBe(true);
    expect(check.normalized).toBe('079213012345');
    expect(check.problems).toMatchObject([
      { code: 'PERSONAL_ID_LEADING_ZERO_RESTORED', severity: 'warning' },
    ]);
  });

  it('restores a leading zero from a number as Excel hands it over', () => {
    expect(checkPersonalId(79213012345, { asOf }).normalized).toBe('079213012345');
  });

  it('does not restore an 11-digit number that stays invalid with a zero', () => {
    // 0 + 99… → province 099 does not exist
    expect(codes('99213012345')).toEqual(['PERSONAL_ID_FORMAT']);
  });

  it('restores two leading zeros dropped by Excel (provinces 001–009: Hà Nội 001), with a warning', () => {
    // 001 213 012345: Hà Nội, male, born 2013; Excel keeps 1213012345.
    const check = checkPersonalId(1213012345, { asOf, birthDate: '2013-04-02', gender: 'male' });
    expect(check.valid).toBe(true);
    expect(check.normalized).toBe('001213012345');
    expect(check.problems).toMatchObject([
      { code: 'PERSONAL_ID_LEADING_ZERO_RESTORED', severity: 'warning' },
    ]);
    expect(check.problems[0]!.message.en).toContain('two leading zeros');
    expect(check.problems[0]!.message.en).toContain('format the column as Text before typing or pasting');
    expect(checkPersonalId('8313012345', { asOf }).normalized).toBe('008313012345'); // Tuyên Quang
  });

  it('restores two zeros only into a well-formed number, and checks it against the birth date after', () => {
    // 003… and 009… are no province; 0.0.9.2… would be born in 2092.
    for (const tenDigits of ['3213012345', '9213012345', '1292012345']) {
      expect(codes(tenDigits)).toEqual(['PERSONAL_ID_FORMAT']);
    }
    expect(checkPersonalId('3213012345', { asOf }).problems[0]!.message.en).toMatch(
      /10 digits, 2 short: were Excel to have dropped leading zeros, putting them back still gives no valid number/,
    );
    // Restored, but two digits typed short rather than dropped by Excel: the birth year says so.
    expect(codes('1213012345', { birthDate: '2010-01-01', gender: 'male' })).toEqual([
      'PERSONAL_ID_LEADING_ZERO_RESTORED',
      'PERSONAL_ID_BIRTH_YEAR',
    ]);
  });

  it('explains an 11-digit number that a zero does not make valid', () => {
    const check = checkPersonalId('99213012345', { asOf });
    expect(check.problems[0]!.message.en).toMatch(/11 digits, 1 short.*format the column as Text/);
  });

  it('removes the ".0" of a number stored as a decimal, then restores the zero Excel dropped', () => {
    const check = checkPersonalId('79213012345.0', { asOf });
    expect(check.normalized).toBe('079213012345');
    expect(check.problems.map((p) => p.code)).toEqual([
      'PERSONAL_ID_DECIMAL_REMOVED',
      'PERSONAL_ID_LEADING_ZERO_RESTORED',
    ]);
    expect(checkPersonalId('079213012345,00', { asOf }).normalized).toBe('079213012345');
    expect(checkPersonalId('79,213,012,345.00', { asOf }).normalized).toBe('079213012345');
  });

  it('removes thousands separators (comma, dot or space) and restores the zero they hid', () => {
    for (const grouped of ['79,213,012,345', '79.213.012.345', '79 213 012 345']) {
      const check = checkPersonalId(grouped, { asOf });
      expect(check.normalized, grouped).toBe('079213012345');
      expect(check.problems.map((p) => p.code)).toEqual([
        'PERSONAL_ID_SEPARATORS_REMOVED',
        'PERSONAL_ID_LEADING_ZERO_RESTORED',
      ]);
    }
  });

  it('says the digits of a number in scientific notation are lost, whichever decimal mark', () => {
    for (const sci of ['7.92E+11', '7,92134E+11', '7.92134e11']) {
      const check = checkPersonalId(sci, { asOf });
      expect(
        check.problems.map((p) => p.code),
        sci,
      ).toEqual(['PERSONAL_ID_FORMAT']);
      expect(check.problems[0]!.message.en).toMatch(/scientific notation .* cannot be restored/);
      expect(check.problems[0]!.message.vi).toContain('định dạng cột là Text');
    }
  });

  it('removes spaces and dots with a warning', () => {
    const check = checkPersonalId('079 213 012 345', { asOf });
    expect(check.normalized).toBe('079213012345');
    expect(check.problems.map((p) => p.code)).toEqual(['PERSONAL_ID_SEPARATORS_REMOVED']);
  });

  it('never quotes the number in its messages', () => {
    const all = [
      ...checkPersonalId('79213012345', { asOf }).problems,
      ...checkPersonalId('1213012345', { asOf }).problems,
      ...checkPersonalId('3213012345', { asOf }).problems,
      ...checkPersonalId('79,213,012,345.0', { asOf }).problems,
      ...checkPersonalId('079213012345', { asOf, gender: 'female', birthDate: '1999-01-01' }).problems,
    ];
    expect(all.length).toBeGreaterThan(1);
    for (const p of all) {
      expect(`${p.message.vi} ${p.message.en}`).not.toMatch(/\d{9}/);
    }
  });
});

const provinceArb = fc.constantFrom(...PROVINCE_CODES.keys());
const genderArb = fc.constantFrom<Gender>('male', 'female');
const yearArb = fc.integer({ min: 1900, max: 2026 });
const serialArb = fc.integer({ min: 0, max: 999_999 });

function buildId(province: string, gender: Gender, year: number, serial: number): string {
  return `${province}${genderCenturyDigit(gender, year)}${String(year % 100).padStart(2, '0')}${String(serial).padStart(6, '0')}`;
}

describe('checkPersonalId: what it says, in both languages', () => {
  const said = (id: unknown, opts = {}) =>
    checkPersonalId(id, { asOf, ...opts }).problems.map((p) => p.message);
  const asText = {
    vi: 'trong Excel, định dạng cột là Text (Văn bản) trước khi nhập hoặc dán',
    en: 'in Excel, format the column as Text before typing or pasting',
  };
  const notTwelveDigits = (length: number) => ({
    vi: `Số định danh cá nhân phải có đúng 12 chữ số (nhận được ${length} ký tự)`,
    en: `A personal ID must be exactly 12 digits (got ${length} characters)`,
  });

  it('names the province code, the years and the digits it read', () => {
    expect(said('003203001234')).toEqual([
      {
        vi: 'Mã tỉnh nơi đăng ký khai sinh "003" (3 chữ số đầu) không có trong danh mục 63 tỉnh',
        en: 'Province code "003" (digits 1–3) is not one of the 63 birth-registration province codes',
      },
    ]);
    expect(said('079227012345')).toEqual([
      {
        vi: 'Chữ số 4–6 cho năm sinh 2027, sau năm hiện tại 2026',
        en: 'Digits 4–6 give birth year 2027, after the current year 2026',
      },
    ]);
    expect(said('079013012345', { birthDate: '2013-04-02' })).toEqual([
      {
        vi: 'Chữ số thứ 4 (0) chỉ người sinh năm 1900–1999, không khớp ngày sinh 2013-04-02',
        en: 'Digit 4 (0) means born 1900–1999, which does not match birth date 2013-04-02',
      },
    ]);
    expect(said('079212012345', { birthDate: '2013-04-02' })).toEqual([
      { vi: 'Chữ số 5–6 (12) không khớp năm sinh 2013', en: 'Digits 5–6 (12) do not match birth year 2013' },
    ]);
    expect(said('079213012345', { gender: 'female' })).toEqual([
      {
        vi: 'Chữ số thứ 4 (2) chỉ giới tính nam, không khớp giới tính nữ',
        en: 'Digit 4 (2) means male, which does not match gender female',
      },
    ]);
  });

  it('says what is not a personal ID, and how long what it got is', () => {
    expect(said(null)).toEqual([
      {
        vi: 'Số định danh cá nhân phải là chuỗi 12 chữ số',
        en: 'A personal ID must be a string of 12 digits',
      },
    ]);
    expect(said('123456789')).toEqual([
      {
        vi: 'Đây là số CMND 9 chữ số cũ, không phải số định danh cá nhân 12 chữ số',
        en: 'This is a legacy 9-digit ID card (CMND) number, not a 12-digit personal ID',
      },
    ]);
    expect(said('0792130123456')).toEqual([notTwelveDigits(13)]);
    expect(said('99213012345')).toEqual([
      {
        vi: `Số có 11 chữ số, thiếu 1: nếu Excel đã bỏ số 0 đầu thì thêm lại vẫn không thành số hợp lệ (mã tỉnh hoặc năm sinh sai); đối chiếu giấy tờ và nhập lại — ${asText.vi}`,
        en: `11 digits, 1 short: were Excel to have dropped leading zero, putting it back still gives no valid number (province code or birth year wrong); check the documents and re-enter it — ${asText.en}`,
      },
    ]);
    expect(said('3213012345')[0]?.vi).toBe(
      `Số có 10 chữ số, thiếu 2: nếu Excel đã bỏ các số 0 đầu thì thêm lại vẫn không thành số hợp lệ (mã tỉnh hoặc năm sinh sai); đối chiếu giấy tờ và nhập lại — ${asText.vi}`,
    );
  });

  it('says what it repaired and how to keep Excel from doing it again', () => {
    expect(said('79213012345')).toEqual([
      {
        vi: `Số có 11 chữ số (Excel đã bỏ số 0 đầu); đã thêm lại số 0 đầu — ${asText.vi}`,
        en: `11 digits (Excel dropped the leading zero); the leading zero was restored — ${asText.en}`,
      },
    ]);
    expect(said('1213012345')[0]?.vi).toBe(
      `Số có 10 chữ số (Excel đã bỏ hai số 0 đầu của mã tỉnh 00x); đã thêm lại hai số 0 đầu — ${asText.vi}`,
    );
    expect(said('079213012345.0')).toEqual([
      {
        vi: `Số có phần thập phân ",0" (Excel hoặc phần mềm đã lưu thành số thực); đã bỏ phần thập phân — ${asText.vi}`,
        en: `The number had a decimal ".0" (Excel or a program stored it as a decimal); the decimal part was removed — ${asText.en}`,
      },
    ]);
    expect(said('079 213 012 345')).toEqual([
      {
        vi: `Đã bỏ dấu cách hoặc dấu phân cách hàng nghìn trong số định danh (Excel định dạng cột là số có dấu phân cách) — ${asText.vi}`,
        en: `Spaces or thousands separators were removed from the personal ID (Excel formatted the column as a number with separators) — ${asText.en}`,
      },
    ]);
  });

  it('takes an apostrophe Excel users type to keep a number as text, and nothing else it could mistake', () => {
    expect(checkPersonalId("'079213012345", { asOf }).normalized).toBe('079213012345');
    expect(checkPersonalId('  079213012345 ', { asOf }).normalized).toBe('079213012345');
    // Letters are not separators: a number with one is refused, not cleaned into another number.
    expect(codes('079213012345x')).toEqual(['PERSONAL_ID_FORMAT']);
    expect(codes('x079213012345')).toEqual(['PERSONAL_ID_FORMAT']);
    // A 10- or 11-digit run inside a longer text is not a number Excel shortened.
    for (const text of ['a79213012345', '79213012345a', 'ab9213012345', '9213012345ab']) {
      expect(said(text), text).toEqual([notTwelveDigits(12)]);
    }
    // A clean ID with an error has facts but no normalized form.
    const wrong = checkPersonalId('079213012345', { asOf, gender: 'female' });
    expect(wrong).toMatchObject({ valid: false, normalized: null, facts: { birthYear: 2013 } });
  });

  it('judges the birth year against the date it is given, and a birth date only when it has a year', () => {
    // Born 2021: in the future on 1 June 2020, whatever today is.
    expect(codes('079221012345', { asOf: new Date('2020-06-01T00:00:00Z') })).toEqual([
      'PERSONAL_ID_FUTURE_BIRTH_YEAR',
    ]);
    expect(codes('079213012345', { birthDate: 'unknown' })).toEqual([]);
    // Separators taken out of something that is still not a number: no "removed" warning.
    expect(said('079 213 01234x')).toEqual([notTwelveDigits(12)]);
    expect(checkPersonalId(null, { asOf })).toMatchObject({ valid: false, normalized: null, facts: null });
  });

  it('gives digit 4 for each gender and century, the inverse of reading it', () => {
    expect(genderCenturyDigit('male', 1992)).toBe(0);
    expect(genderCenturyDigit('female', 1992)).toBe(1);
    expect(genderCenturyDigit('male', 2013)).toBe(2);
    expect(genderCenturyDigit('female', 2013)).toBe(3);
    expect(genderCenturyDigit('female', 2199)).toBe(5);
  });
});

describe('personal ID properties', () => {
  propTest.prop([provinceArb, genderArb, yearArb, serialArb, fc.integer({ min: 1, max: 28 })])(
    'a generated ID always passes, alone and against its birth date and gender',
    (province, gender, year, serial, day) => {
      const id = buildId(province, gender, year, serial);
      const birthDate = `${year}-03-${String(day).padStart(2, '0')}`;
      const check = checkPersonalId(id, { asOf, birthDate, gender });
      expect(check.problems).toEqual([]);
      expect(check.facts).toEqual({ provinceCode: province, gender, birthYear: year });
    },
  );

  propTest.prop([
    provinceArb,
    genderArb,
    yearArb,
    serialArb,
    fc.integer({ min: 0, max: 5 }),
    fc.integer({ min: 1, max: 9 }),
  ])(
    'changing one of digits 1–6 is caught, or leaves a number still consistent with what it says',
    (province, gender, year, serial, position, delta) => {
      const id = buildId(province, gender, year, serial);
      const digit = (Number(id[position]) + delta) % 10;
      const changed = `${id.slice(0, position)}${digit}${id.slice(position + 1)}`;
      const birthDate = `${year}-06-15`;
      const check = checkPersonalId(changed, { asOf, birthDate, gender });
      if (check.valid) {
        // Still valid means the change kept every checkable fact true: a known province, and the
        // same gender, century and year as the person's.
        expect(PROVINCE_CODES.has(changed.slice(0, 3))).toBe(true);
        expect(readPersonalIdFacts(changed)).toMatchObject({ gender, birthYear: year });
        expect(position).toBeLessThan(3);
      } else {
        expect(check.problems.some((p) => p.severity === 'error')).toBe(true);
      }
    },
  );
});
