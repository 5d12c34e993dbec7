/**
 * What the QR and the chip readings share: the error they throw, dates as printed on cards, and
 * the cross-checks of the personal ID against birth date and gender (rules of src/model/personal-id).
 *
 * Messages never quote a value read from the card (ID number, name, dates): they end up in logs,
 * audit records and support tickets. They name the field and say what is wrong with it.
 */
import { checkPersonalId, type Gender, readPersonalIdFacts } from '../../model/personal-id.ts';
import type { Problem } from '../../model/problem.ts';

export type CardPayloadErrorCode =
  | 'QR_EMPTY'
  | 'QR_FIELD_COUNT'
  | 'QR_PERSONAL_ID'
  | 'QR_LEGACY_ID'
  | 'QR_FULL_NAME'
  | 'QR_BIRTH_DATE'
  | 'QR_GENDER'
  | 'QR_ISSUE_DATE'
  | 'QR_ID_INCONSISTENT'
  | 'CHIP_JSON'
  | 'CHIP_SCHEMA'
  | 'CHIP_PASSIVE_AUTH_FAILED'
  | 'CHIP_PERSONAL_ID'
  | 'CHIP_BIRTH_DATE'
  | 'CHIP_ISSUE_DATE'
  | 'CHIP_ID_INCONSISTENT';

/** A card payload (QR text or chip JSON) that cannot be read or cannot be trusted. */
export class CardPayloadError extends Error {
  readonly code: CardPayloadErrorCode;
  /** The field: its name (`birthDate`) or, for chip JSON, its path (`dg13.birthDate`); `''` for the whole payload. */
  readonly field: string;
  /** 1-based position of the field in the QR's `|` list; null for chip JSON or the whole payload. */
  readonly position: number | null;
  readonly vi: string;
  readonly en: string;
  constructor(code: CardPayloadErrorCode, field: string, position: number | null, vi: string, en: string) {
    super(`${vi} / ${en}`);
    this.name = 'CardPayloadError';
    this.code = code;
    this.field = field;
    this.position = position;
    this.vi = vi;
    this.en = en;
  }

  /** The error as a record problem, for reports that collect them. */
  toProblem(): Problem {
    return { code: this.code, severity: 'error', field: this.field, message: { vi: this.vi, en: this.en } };
  }
}

/** Where a field sits in the payload, and how to name it to people. */
export interface FieldRef {
  field: string;
  position: number | null;
}

const LABELS: Record<string, { vi: string; en: string }> = {
  personalId: { vi: 'Số định danh cá nhân', en: 'Personal ID' },
  legacyId: { vi: 'Số CMND cũ', en: 'Legacy ID (CMND)' },
  fullName: { vi: 'Họ và tên', en: 'Full name' },
  birthDate: { vi: 'Ngày sinh', en: 'Birth date' },
  gender: { vi: 'Giới tính', en: 'Gender' },
  address: { vi: 'Nơi cư trú', en: 'Residence' },
  residence: { vi: 'Nơi cư trú', en: 'Residence' },
  issueDate: { vi: 'Ngày cấp', en: 'Issue date' },
  expiryDate: { vi: 'Ngày hết hạn', en: 'Expiry date' },
};

/** "Ngày sinh (trường 4)" / "Birth date (field 4)", or with the JSON path for chip data. */
export function fieldLabel(ref: FieldRef): { vi: string; en: string } {
  const last = ref.field.split('.').at(-1) ?? ref.field;
  const label = LABELS[last] ?? { vi: ref.field, en: ref.field };
  if (ref.position !== null) {
    return { vi: `${label.vi} (trường ${ref.position})`, en: `${label.en} (field ${ref.position})` };
  }
  return label.vi === ref.field
    ? label
    : { vi: `${label.vi} (${ref.field})`, en: `${label.en} (${ref.field})` };
}

/** A label inside a sentence: "giới tính (trường 5)" rather than "Giới tính (trường 5)". */
const midSentence = (label: { vi: string; en: string }) => ({
  vi: label.vi.charAt(0).toLowerCase() + label.vi.slice(1),
  en: label.en.charAt(0).toLowerCase() + label.en.slice(1),
});

/** An ISO date from day, month and year, or null when that day does not exist. */
export function isoDate(day: number, month: number, year: number): string | null {
  if (year < 1 || month < 1 || month > 12 || day < 1) return null;
  const date = new Date(Date.UTC(year, month - 1, day));
  date.setUTCFullYear(year); // Date.UTC maps years 0–99 to 1900–1999
  if (date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) return null;
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

/** Cards print dates in Vietnam's time (UTC+7): "today" is today there, whatever the host's zone. */
export function vietnamToday(asOf: Date): string {
  return new Date(asOf.getTime() + 7 * 3_600_000).toISOString().slice(0, 10);
}

export interface CardParseOptions {
  /** Reference instant for "in the future" (default: now). */
  asOf?: Date;
  /** Birth-registration province codes accepted beyond the 63 legacy ones. */
  extraProvinceCodes?: ReadonlySet<string>;
}

export interface CardChecks {
  personalId: string;
  birthDate: string;
  gender: Gender;
  issueDate: string | null;
}

interface CardCheckCodes {
  personalId: CardPayloadErrorCode;
  birthDate: CardPayloadErrorCode;
  issueDate: CardPayloadErrorCode;
  inconsistent: CardPayloadErrorCode;
}

/**
 * The checks a card must pass once each field has the right form: a birth date not in the future, a
 * known province code, the ID's gender/century digit and year agreeing with the birth date and
 * gender, and an issue date between the birth date and today.
 */
export function checkCardFacts(
  facts: CardChecks,
  refs: Record<keyof CardChecks, FieldRef>,
  codes: CardCheckCodes,
  options: CardParseOptions,
): void {
  const asOf = options.asOf ?? new Date();
  const today = vietnamToday(asOf);
  if (facts.birthDate > today) {
    const l = fieldLabel(refs.birthDate);
    throw new CardPayloadError(
      codes.birthDate,
      refs.birthDate.field,
      refs.birthDate.position,
      `${l.vi} ở tương lai`,
      `${l.en} is in the future`,
    );
  }
  const check = checkPersonalId(facts.personalId, {
    birthDate: facts.birthDate,
    gender: facts.gender,
    // Shifted so that the year in "future birth year" is Vietnam's year, as the birth date is.
    asOf: new Date(`${today}T00:00:00Z`),
    ...(options.extraProvinceCodes ? { extraProvinceCodes: options.extraProvinceCodes } : {}),
  });
  const idLabel = fieldLabel(refs.personalId);
  if (check.problems.some((p) => p.code === 'PERSONAL_ID_PROVINCE')) {
    throw new CardPayloadError(
      codes.personalId,
      refs.personalId.field,
      refs.personalId.position,
      `${idLabel.vi}: mã tỉnh nơi đăng ký khai sinh (3 chữ số đầu) không có trong danh mục`,
      `${idLabel.en}: the birth-registration province code (digits 1–3) is not a known one`,
    );
  }
  if (check.problems.some((p) => p.severity === 'error')) {
    const read = readPersonalIdFacts(facts.personalId);
    const birthYear = Number(facts.birthDate.slice(0, 4));
    const birth = midSentence(fieldLabel(refs.birthDate));
    const gender = midSentence(fieldLabel(refs.gender));
    const vi: string[] = [];
    const en: string[] = [];
    if (read.gender !== facts.gender) {
      vi.push(`chữ số thứ 4 chỉ giới tính khác với ${gender.vi}`);
      en.push(`digit 4 gives a gender other than ${gender.en}`);
    }
    if (Math.floor(read.birthYear / 100) !== Math.floor(birthYear / 100)) {
      vi.push(`chữ số thứ 4 chỉ thế kỷ sinh khác với ${birth.vi}`);
      en.push(`digit 4 gives a birth century other than ${birth.en}`);
    } else if (read.birthYear !== birthYear) {
      vi.push(`chữ số 5–6 không khớp năm của ${birth.vi}`);
      en.push(`digits 5–6 do not match the year of ${birth.en}`);
    }
    throw new CardPayloadError(
      codes.inconsistent,
      refs.personalId.field,
      refs.personalId.position,
      `${idLabel.vi} không khớp với thông tin trên thẻ: ${vi.join('; ')}`,
      `${idLabel.en} disagrees with the card: ${en.join('; ')}`,
    );
  }
  if (facts.issueDate !== null) {
    const l = fieldLabel(refs.issueDate);
    if (facts.issueDate < facts.birthDate) {
      throw new CardPayloadError(
        codes.issueDate,
        refs.issueDate.field,
        refs.issueDate.position,
        `${l.vi} trước ${midSentence(fieldLabel(refs.birthDate)).vi}`,
        `${l.en} is before ${midSentence(fieldLabel(refs.birthDate)).en}`,
      );
    }
    if (facts.issueDate > today) {
      throw new CardPayloadError(
        codes.issueDate,
        refs.issueDate.field,
        refs.issueDate.position,
        `${l.vi} ở tương lai`,
        `${l.en} is in the future`,
      );
    }
  }
}

/** Reads Nam / Nữ (any case, NFC or NFD; "Nu" without its mark) and male / female. */
export function readGender(raw: string, english: boolean): Gender | null {
  const value = raw.normalize('NFC').trim().toLowerCase();
  if (value === 'nam' || (english && value === 'male')) return 'male';
  if (value === 'nữ' || value === 'nu' || (english && value === 'female')) return 'female';
  return null;
}
