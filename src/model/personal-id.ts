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
const SEPARATORS = /[\s.\-_]/g;

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

/**
 * Checks a personal ID number alone and, when given, against birth date and gender.
 *
 * An 11-digit number that becomes valid with a leading `0` is what Excel leaves of a number whose
 * leading zero it dropped: it is restored, with a warning, never silently.
 *
 * @example
 * checkPersonalId('079206012345', { birthDate: '2006-03-14', gender: 'male' }).valid // true
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
  const text = clean ? raw : String(raw).trim().replace(/^'/, '');
  let id = clean ? raw : text.replace(SEPARATORS, '');
  if (id !== text && /^\d+$/.test(id)) {
    problems.push(
      warning(
        'PERSONAL_ID_SEPARATORS_REMOVED',
        field,
        'Đã bỏ dấu cách hoặc dấu phân cách trong số định danh',
        'Spaces or separators were removed from the personal ID',
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
  if (/^\d{11}$/.test(id)) {
    const restored = `0${id}`;
    if (structureProblems(restored, opts, field).length === 0) {
      problems.push(
        warning(
          'PERSONAL_ID_LEADING_ZERO_RESTORED',
          field,
          'Số có 11 chữ số (Excel đã bỏ số 0 đầu); đã thêm lại số 0 đầu',
          '11 digits (Excel dropped the leading zero); the leading zero was restored',
        ),
      );
      id = restored;
    }
  }
  if (!TWELVE_DIGITS.test(id)) {
    const sci = /e\+?\d+$/i.test(text);
    return fail(
      error(
        'PERSONAL_ID_FORMAT',
        field,
        sci
          ? 'Số ở dạng khoa học do Excel tạo (ví dụ 7,9E+10), đã mất chữ số; cần định dạng cột là Văn bản và nhập lại'
          : `Số định danh cá nhân phải có đúng 12 chữ số (nhận được ${id.length} ký tự)`,
        sci
          ? "The number is in Excel's scientific notation (e.g. 7.9E+10) and has lost digits; format the column as Text and re-enter it"
          : `A personal ID must be exactly 12 digits (got ${id.length} characters)`,
      ),
    );
  }
  problems.push(...structureProblems(id, opts, field), ...consistencyProblems(id, opts, field));
  const valid = !problems.some((p) => p.severity === 'error');
  return { valid, normalized: valid ? id : null, facts: readPersonalIdFacts(id), problems };
}
