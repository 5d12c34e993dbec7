/**
 * Length limits on the text people type into school software: names, addresses, class, subject
 * and fee item names. Without them a name of any length was accepted and sent on, and the first to
 * object was the city Education DB or SSC, one record at a time, after the run had counted it valid.
 *
 * Lengths are counted in Unicode code points of the NFC form. Not UTF-16 units, which count a
 * character outside the BMP twice, and not bytes, which count a Vietnamese letter two or three
 * times; and after NFC because Vietnamese arrives decomposed from old Windows-1258 input and macOS:
 * "ễ" is one code point composed but three (e, U+0302, U+0303) decomposed, and a limit must not
 * depend on the keyboard. The value checked is the value sent: a field is stored in NFC as it is
 * measured (names are normalised further by `checkName`), so the targets' zod schemas, which count
 * code points too (zod's `.max()` does since colinhacks/zod#6441; mappings/text-limits.test.ts
 * would fail on a letter outside the BMP if it went back to UTF-16 units), count what the hub did.
 *
 * No MOET template publishes a length (domain README §4.2, §10). Where a target's schema, as we
 * model it, caps a field, that cap is the most configuration may allow (`max`), so a record the
 * hub passes is never refused there for its length; the defaults are our own choice where nothing
 * is known (`assumed`), and `TEXT_LIMITS` overrides them.
 *
 * Pure: the table and the functions that apply it; the configuration layer passes overrides in.
 */
import { error, type Problem } from './problem.ts';
import type { CanonicalRecord, RecordType } from './records.ts';

export interface TextKind {
  /** Characters (code points after NFC) accepted when configuration sets nothing. */
  default: number;
  /** Most characters configuration may allow: a target's cap, or else `TEXT_GUARD`. */
  max: number;
  /** Where `default` and `max` come from. */
  source: string;
  /** True when the default is our own reasonable choice, not a published or modelled cap. */
  assumed: boolean;
  /** What the text is, as a message names it. */
  vi: string;
  en: string;
}

/**
 * Every canonical text field is refused by its schema beyond this many code points, before any
 * rule copies or normalises it: 32,767 is the most an Excel cell holds (Microsoft's "Excel
 * specifications and limits"), and schools' data comes from Excel and goes to the MOET Excel
 * templates, so nothing longer was typed into one field. It is far beyond every default (327 times
 * a full name), so a merely too-long text still gets TEXT_TOO_LONG with its length; the guard is
 * for absurd input only, and the most any limit may be configured to, so it never hides one.
 */
export const TEXT_GUARD = 32_767;

export const TEXT_KINDS = {
  fullName: {
    default: 100,
    max: 200,
    source:
      'assumed: Vietnamese names run 2–6 words and rarely 40 characters; 100 leaves room for foreign and ethnic-minority names while catching two names or a name and an address in one cell. Max: the city Education DB HoTen, HoTenCha, HoTenMe, HoTenNguoiGiamHo (mappings/city-edudb/v1 text(), 200 ❓)',
    assumed: true,
    vi: 'Họ tên',
    en: 'Full name',
  },
  schoolName: {
    default: 200,
    max: TEXT_GUARD,
    source:
      'assumed: official names ("Trường Trung học cơ sở và Trung học phổ thông …") stay under 100; 200, the width of every name column the city takes',
    assumed: true,
    vi: 'Tên trường',
    en: 'School name',
  },
  className: {
    default: 12,
    max: 12,
    source:
      'the city Education DB: MaLop is made from the class name, 1–12 letters or digits (mappings/city-edudb/v1 classCode ❓)',
    assumed: false,
    vi: 'Tên lớp',
    en: 'Class name',
  },
  subjectName: {
    default: 100,
    max: TEXT_GUARD,
    source:
      'assumed: the CTGDPT 2018 subject names stay under 40 ("Hoạt động trải nghiệm, hướng nghiệp"); the city takes subjects by code only',
    assumed: true,
    vi: 'Tên môn học',
    en: 'Subject name',
  },
  feeItemName: {
    default: 200,
    max: 200,
    source: 'SSC TenKhoanThu (mappings/ssc/v1 text(), 200 ⚠️ openapi/ssc.md)',
    assumed: false,
    vi: 'Tên khoản thu',
    en: 'Fee item name',
  },
  paymentPurpose: {
    default: 100,
    max: 100,
    source: 'SSC NoiDungChuyenKhoan (mappings/ssc/v1 fee-notices, 100 ❓)',
    assumed: false,
    vi: 'Nội dung chuyển khoản',
    en: 'Payment purpose',
  },
  position: {
    default: 100,
    max: 200,
    source:
      'assumed: job positions ("Giáo viên trung học cơ sở hạng II") stay under 50. Max: the city Education DB ViTriViecLam (mappings/city-edudb/v1 text(), 200 ❓)',
    assumed: true,
    vi: 'Vị trí việc làm',
    en: 'Job position',
  },
  room: {
    default: 50,
    max: 50,
    source: 'the city Education DB Phong (mappings/city-edudb/v1 timetable, 50 ❓)',
    assumed: false,
    vi: 'Phòng học',
    en: 'Room',
  },
  address: {
    default: 255,
    max: TEXT_GUARD,
    source:
      'assumed: house number, street, hamlet, commune and province stay under 150; 255, the usual width of an address column',
    assumed: true,
    vi: 'Địa chỉ',
    en: 'Address',
  },
} as const satisfies Record<string, TextKind>;

export type TextKindName = keyof typeof TEXT_KINDS;
export const TEXT_KIND_NAMES = Object.keys(TEXT_KINDS) as TextKindName[];

/** Limits set by configuration (`TEXT_LIMITS`), by kind; a kind left out keeps its default. */
export type TextLimits = Readonly<Partial<Record<TextKindName, number>>>;

/**
 * The text fields of each record type and their kind. A field inside a list is written
 * `guardians[].fullName` and reported as `guardians.0.fullName`. Codes and identifiers are not
 * here: they have their own rules. No canonical record holds notes, a birthplace or a hometown
 * yet; such a field joins this table (and a kind, e.g. free text at 1000) when it is added.
 */
export const TEXT_FIELDS = {
  school: { name: 'schoolName', commune: 'address', address: 'address' },
  class: { className: 'className' },
  subject: { name: 'subjectName' },
  person: { fullName: 'fullName' },
  student: { fullName: 'fullName', className: 'className', 'guardians[].fullName': 'fullName' },
  teacher: { fullName: 'fullName', position: 'position' },
  enrollment: { className: 'className' },
  assessment: { className: 'className' },
  learningResult: { className: 'className' },
  timetableSlot: { className: 'className', room: 'room' },
  feeItem: { name: 'feeItemName' },
  receivable: { paymentReference: 'paymentPurpose' },
} as const satisfies { [T in RecordType]?: Record<string, TextKindName> };

/** The limit of a kind: the configured one, else the default. */
export function textLimitOf(kind: TextKindName, limits?: TextLimits): number {
  return limits?.[kind] ?? TEXT_KINDS[kind].default;
}

// Code points below U+0300 and the precomposed Latin block U+1E00–U+1EFF (every Vietnamese letter
// with its tone mark) hold no combining mark and no surrogate: such text is NFC already and its
// UTF-16 length is its length in code points. Nearly all text is like this; testing it is far
// cheaper than normalising.
const NFC_STABLE = /^[\u0000-\u02ff\u1e00-\u1eff]*$/;

/** The NFC form of a text, without normalising what is NFC already. */
function nfc(text: string): string {
  return NFC_STABLE.test(text) ? text : text.normalize('NFC');
}

/** Length in Unicode code points, counted without an array of characters. */
function codePointLength(text: string): number {
  let length = text.length;
  for (let i = 0; i < text.length - 1; i++) {
    const unit = text.charCodeAt(i);
    if (unit >= 0xd800 && unit <= 0xdbff) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        length--;
        i++;
      }
    }
  }
  return length;
}

/** Length of a text as the limits count it: code points of its NFC form. */
export function textLength(text: string): number {
  return NFC_STABLE.test(text) ? text.length : codePointLength(text.normalize('NFC'));
}

function tooLong(field: string, kind: TextKindName, length: number, limit: number): Problem {
  const { vi, en } = TEXT_KINDS[kind];
  // The text is personal data more often than not: the message gives its length, never the text.
  return error(
    'TEXT_TOO_LONG',
    field,
    `${vi} dài ${length} ký tự, vượt giới hạn ${limit} ký tự`,
    `${en} is ${length} characters long, over the limit of ${limit}`,
  );
}

/** Measures one field in NFC, stores the NFC form back, and reports it if over its limit. */
function checkField(
  holder: Record<string, unknown>,
  name: string,
  field: string,
  kind: TextKindName,
  limits: TextLimits | undefined,
): Problem[] {
  const value = holder[name];
  if (typeof value !== 'string') return [];
  const composed = nfc(value);
  if (composed !== value) holder[name] = composed;
  const length = textLength(composed);
  const limit = textLimitOf(kind, limits);
  return length > limit ? [tooLong(field, kind, length, limit)] : [];
}

/**
 * Checks every text field of a parsed record against its limit (TEXT_TOO_LONG), storing each
 * field in NFC as it measures it. Runs after the other rules, so a name is measured as
 * `checkName` left it (trimmed, single spaces).
 *
 * @example
 * textLimitProblems(student, { fullName: 120 }) // [] unless a name is over 120 characters
 */
export function textLimitProblems(record: CanonicalRecord, limits?: TextLimits): Problem[] {
  const fields: Readonly<Record<string, TextKindName>> | undefined =
    TEXT_FIELDS[record.type as keyof typeof TEXT_FIELDS];
  if (!fields) return [];
  const problems: Problem[] = [];
  const holder = record as unknown as Record<string, unknown>;
  for (const [path, kind] of Object.entries(fields)) {
    const inList = path.indexOf('[].');
    if (inList < 0) {
      problems.push(...checkField(holder, path, path, kind, limits));
      continue;
    }
    const list = path.slice(0, inList);
    const name = path.slice(inList + 3);
    const items = holder[list];
    if (!Array.isArray(items)) continue;
    items.forEach((item: Record<string, unknown>, i) => {
      problems.push(...checkField(item, name, `${list}.${i}.${name}`, kind, limits));
    });
  }
  return problems;
}
