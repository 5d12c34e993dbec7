/**
 * The 12-digit personal identification number (số định danh cá nhân), structure of Circular
 * 59/2021/TT-BCA, unchanged by the Law on Identity 26/2023/QH15:
 *   digits 1–3  province (or country) code of the birth registration
 *   digit  4    gender and century: 0/1 male/female 1900–1999, 2/3 2000–2099, 4/5 2100–2199 …
 *   digits 5–6  last two digits of the birth year
 *   digits 7–12 random; there is no check digit, so this is all that can be checked offline.
 */
import { PROVINCE_CODES } from './codes.ts';
import { error, type Problem, warning } from './problem.ts';

export type Gender = 'male' | 'female';

export interface PersonalIdFacts {
  provinceCode: string;
  gender: Gender;
  birthYear: number;
}

export interface PersonalIdCheck {
  valid: boolean;
  /** The number as it should be stored (leading zero restored, separators removed), or null. */
  normalized: string | null;
  /** Facts read from the number when its structure allows, even if it is inconsistent elsewhere. */
  facts: PersonalIdFacts | null;
  problems: Problem[];
}

export interface PersonalIdOptions {
  /** ISO date (YYYY-MM-DD) the holder was born, to cross-check century and year. */
  birthDate?: string | undefined;
  gender?: Gender | undefined;
  /** Reference date for "in the future" (default: today). */
  asOf?: Date;
  /** Province codes accepted beyond the 63 legacy ones (new codes after the 2025 merger are unknown). */
  extraProvinceCodes?: ReadonlySet<string>;
  /** Field name used in problems (default `personalId`). */
  field?: string;
}

/** Reads gender, century and year from digits 4–6; assumes 12 digits. */
export function readPersonalIdFacts(id: string): PersonalIdFacts {
  const genderCentury = id.charCodeAt(3) - 48;
  const yy = Number(id.slice(4, 6));
  return {
    provinceCode: id.slice(0, 3),
    gender: genderCentury % 2 === 0 ? 'male' : 'female',
    birthYear: 1900 + Math.floor(genderCentury / 2) * 100 + yy,
  };
}

/** The digit 4 for a gender and birth year: the inverse of readPersonalIdFacts. */
export function genderCenturyDigit(gender: Gender, birthYear: number): number {
  return (Math.floor(birthYear / 100) - 19) * 2 + (gender === 'female' ? 1 : 0);
}

const TWELVE_DIGITS = /^\d{12}$/;
const SEPARATORS = /[\s.,\-_]/g;

function structureProblems(id: string, opts: PersonalIdOptions, field: string): Problem[] {
  const problems: Problem[] = [];
  const facts = readPersonalIdFacts(id);
  if (!PROVINCE_CODES.has(facts.provinceCode) && !opts.extraProvinceCodes?.has(facts.provinceCode)) {
    problems.push(
      error(
        'PERSONAL_ID_PROVINCE',
        field,
        `Mã tỉnh nơi đăng ký khai sinh "${facts.provinceCode}" (3 chữ số đầu) không có trong danh mục 63 tỉnh`,
        `Province code "${facts.provinceCode}" (digits 1–3) is not one of the 63 birth-registration province codes`,
      ),
    );
  }
  const asOfYear = (opts.asOf ?? new Date()).getUTCFullYear();
  if (facts.birthYear > asOfYear) {
    problems.push(
      error(
        'PERSONAL_ID_FUTURE_BIRTH_YEAR',
        field,
        `Chữ số 4–6 cho năm sinh ${facts.birthYear}, sau năm hiện tại ${asOfYear}`,
        `Digits 4–6 give birth year ${facts.birthYear}, after the current year ${asOfYear}`,
      ),
    );
  }
  return problems;
}

function consistencyProblems(id: string, opts: PersonalIdOptions, field: string): Problem[] {
  const problems: Problem[] = [];
  const facts = readPersonalIdFacts(id);
  const birthYear = opts.birthDate ? Number(opts.birthDate.slice(0, 4)) : undefined;
  const digit4 = id[3];
  if (birthYear !== undefined && Number.isInteger(birthYear)) {
    if (Math.floor(birthYear / 100) !== Math.floor(facts.birthYear / 100)) {
      problems.push(
        error(
          'PERSONAL_ID_CENTURY_GENDER',
          field,
          `Chữ số thứ 4 (${digit4}) chỉ người sinh năm ${Math.floor(facts.birthYear / 100) * 100}–${Math.floor(facts.birthYear / 100) * 100 + 99}, không khớp ngày sinh ${opts.birthDate}`,
          `Digit 4 (${digit4}) means born ${Math.floor(facts.birthYear / 100) * 100}–${Math.floor(facts.birthYear / 100) * 100 + 99}, which does not match birth date ${opts.birthDate}`,
        ),
      );
    } else if (birthYear % 100 !== facts.birthYear % 100) {
      problems.push(
        error(
          'PERSONAL_ID_BIRTH_YEAR',
          field,
          `Chữ số 5–6 (${id.slice(4, 6)}) không khớp năm sinh ${birthYear}`,
          `Digits 5–6 (${id.slice(4, 6)}) do not match birth year ${birthYear}`,
        ),
      );
    }
  }
  if (opts.gender && opts.gender !== facts.gender) {
    const vi = { male: 'nam', female: 'nữ' };
    problems.push(
      error(
        'PERSONAL_ID_CENTURY_GENDER',
        field,
        `Chữ số thứ 4 (${digit4}) chỉ giới tính ${vi[facts.gender]}, không khớp giới tính ${vi[opts.gender]}`,
        `Digit 4 (${digit4}) means ${facts.gender}, which does not match gender ${opts.gender}`,
      ),
    );
  }
  return problems;
}

const fail = (p: Problem): PersonalIdCheck => ({
  valid: false,
  normalized: null,
  facts: null,
  problems: [p],
});

// Messages never quote the number itself: reports and logs must not spread personal data.

/** "Format the column as Text before typing or pasting": how Excel is kept from touching an ID. */
const AS_TEXT = {
  vi: 'trong Excel, định dạng cột là Text (Văn bản) trước khi nhập hoặc dán',
  en: 'in Excel, format the column as Text before typing or pasting',
};

/**
 * A number Excel or a program wrote as a decimal: `79213012345.0`, `79213012345,00`, grouped
 * `79,213,012,345.00` (a thousands group has three digits, a decimal part one or two zeros).
 */
const DECIMAL = /^(\d{1,3}(?:[.,\s]\d{3})+|\d{9,13})[.,]0{1,2}$/;
/** Excel's scientific notation, as a CSV or a copied cell keeps it: `7.92E+11`, `7,92134E+11`. */
const SCIENTIFIC = /^\d+(?:[.,]\d+)?e[+-]?\d+$/i;

/**
 * Leading zeros Excel dropped, put back when the result is a well-formed number: the digits are
 * 12 − n long, and with n zeros in front the province code and digits 4–6 are valid (a known
 * province, a birth year not in the future). Excel drops only leading zeros, so no other digit
 * can be missing from a number it turned into 11 or 10 digits.
 *
 * One zero (provinces 010–096): always restored when well-formed, as before.
 *
 * Two zeros (provinces 001–009: Hà Nội 001, Hà Giang 002, Cao Bằng 004, Bắc Kạn 006, Tuyên Quang
 * 008) are restored too, on purpose. A 10-digit value is either Excel's number of such an ID or a
 * number typed with two digits short; the first digit must then be 1, 2, 4, 6 or 8 and the next
 * a century-and-gender digit that gives a past birth year, and the person's birth date and gender
 * are checked against the restored digits right after (PERSONAL_ID_CENTURY_GENDER,
 * PERSONAL_ID_BIRTH_YEAR are errors): a short number restored by mistake is still refused with
 * those, and the warning says what was done. Three or more zeros would be province 000, which
 * does not exist: a 9-digit value is a legacy CMND.
 */
function restoreLeadingZeros(id: string, opts: PersonalIdOptions, field: string): string | null {
  const missing = 12 - id.length;
  if (missing < 1 || missing > 2) return null;
  const restored = `${'0'.repeat(missing)}${id}`;
  return structureProblems(restored, opts, field).length === 0 ? restored : null;
}

/**
 * Checks a personal ID number alone and, when given, against birth date and gender.
 *
 * What Excel does to an ID typed or pasted into a General column is undone where it can be, with a
 * warning that says what Excel did and how to keep it from doing it: a dropped leading zero (one,
 * or two for provinces 001–009), a decimal `.0`, thousands separators or spaces. Where it cannot
 * (scientific notation, whose last digits are gone), the error says so and what to do.
 *
 * @example
 * checkPersonalId('079206012345', { birthDate: '2006-03-14', gender: 'male' }).valid // true
 * checkPersonalId('1213012345').normalized // '001213012345' (Hà Nội; Excel dropped two zeros)
 */
export function checkPersonalId(raw: unknown, opts: PersonalIdOptions = {}): PersonalIdCheck {
  const field = opts.field ?? 'personalId';
  if (typeof raw !== 'string' && typeof raw !== 'number') {
    return fail(
      error(
        'PERSONAL_ID_FORMAT',
        field,
        'Số định danh cá nhân phải là chuỗi 12 chữ số',
        'A personal ID must be a string of 12 digits',
      ),
    );
  }
  const problems: Problem[] = [];
  // The common case, a clean 12-digit string, skips the clean-up passes.
  const clean = typeof raw === 'string' && TWELVE_DIGITS.test(raw);
  let text = clean ? raw : String(raw).trim().replace(/^'/, '');
  const decimal = clean ? null : DECIMAL.exec(text);
  if (decimal) {
    text = decimal[1]!;
    problems.push(
      warning(
        'PERSONAL_ID_DECIMAL_REMOVED',
        field,
        `Số có phần thập phân ",0" (Excel hoặc phần mềm đã lưu thành số thực); đã bỏ phần thập phân — ${AS_TEXT.vi}`,
        `The number had a decimal ".0" (Excel or a program stored it as a decimal); the decimal part was removed — ${AS_TEXT.en}`,
      ),
    );
  }
  let id = clean ? raw : text.replace(SEPARATORS, '');
  if (id !== text && /^\d+$/.test(id)) {
    problems.push(
      warning(
        'PERSONAL_ID_SEPARATORS_REMOVED',
        field,
        `Đã bỏ dấu cách hoặc dấu phân cách hàng nghìn trong số định danh (Excel định dạng cột là số có dấu phân cách) — ${AS_TEXT.vi}`,
        `Spaces or thousands separators were removed from the personal ID (Excel formatted the column as a number with separators) — ${AS_TEXT.en}`,
      ),
    );
  }
  if (/^\d{9}$/.test(id)) {
    return fail(
      error(
        'PERSONAL_ID_LEGACY_CMND',
        field,
        'Đây là số CMND 9 chữ số cũ, không phải số định danh cá nhân 12 chữ số',
        'This is a legacy 9-digit ID card (CMND) number, not a 12-digit personal ID',
      ),
    );
  }
  if (/^\d{10,11}$/.test(id)) {
    const restored = restoreLeadingZeros(id, opts, field);
    if (restored) {
      const two = restored.startsWith('00');
      problems.push(
        warning(
          'PERSONAL_ID_LEADING_ZERO_RESTORED',
          field,
          two
            ? `Số có 10 chữ số (Excel đã bỏ hai số 0 đầu của mã tỉnh 00x); đã thêm lại hai số 0 đầu — ${AS_TEXT.vi}`
            : `Số có 11 chữ số (Excel đã bỏ số 0 đầu); đã thêm lại số 0 đầu — ${AS_TEXT.vi}`,
          two
            ? `10 digits (Excel dropped the two leading zeros of province code 00x); the two leading zeros were restored — ${AS_TEXT.en}`
            : `11 digits (Excel dropped the leading zero); the leading zero was restored — ${AS_TEXT.en}`,
        ),
      );
      id = restored;
    }
  }
  if (!TWELVE_DIGITS.test(id)) return fail(formatProblem(text, id, field));
  problems.push(...structureProblems(id, opts, field), ...consistencyProblems(id, opts, field));
  const valid = !problems.some((p) => p.severity === 'error');
  return { valid, normalized: valid ? id : null, facts: readPersonalIdFacts(id), problems };
}

/** The error for a value that is not 12 digits, with what Excel probably did to it. */
function formatProblem(text: string, id: string, field: string): Problem {
  if (SCIENTIFIC.test(text)) {
    return error(
      'PERSONAL_ID_FORMAT',
      field,
      `Số ở dạng khoa học do Excel tạo (ví dụ 7,92E+11): các chữ số cuối đã mất, không khôi phục được; nhập lại số từ giấy tờ — ${AS_TEXT.vi} (hoặc định dạng Number, 0 chữ số thập phân, trước khi lưu CSV)`,
      `The number is in Excel's scientific notation (e.g. 7.92E+11): its last digits are lost and cannot be restored; re-enter it from the documents — ${AS_TEXT.en} (or as Number with 0 decimals before saving as CSV)`,
    );
  }
  if (/^\d{10,11}$/.test(id)) {
    const lost = 12 - id.length;
    return error(
      'PERSONAL_ID_FORMAT',
      field,
      `Số có ${id.length} chữ số, thiếu ${lost}: nếu Excel đã bỏ ${lost === 1 ? 'số 0' : 'các số 0'} đầu thì thêm lại vẫn không thành số hợp lệ (mã tỉnh hoặc năm sinh sai); đối chiếu giấy tờ và nhập lại — ${AS_TEXT.vi}`,
      `${id.length} digits, ${lost} short: were Excel to have dropped leading zero${lost === 1 ? '' : 's'}, putting ${lost === 1 ? 'it' : 'them'} back still gives no valid number (province code or birth year wrong); check the documents and re-enter it — ${AS_TEXT.en}`,
    );
  }
  return error(
    'PERSONAL_ID_FORMAT',
    field,
    `Số định danh cá nhân phải có đúng 12 chữ số (nhận được ${id.length} ký tự)`,
    `A personal ID must be exactly 12 digits (got ${id.length} characters)`,
  );
}
