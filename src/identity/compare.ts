/**
 * Compares what we expect of a person (the school's record) with what a source found (C06, a
 * card's QR, its chip). The same function serves the online and the offline checks, so a person is
 * verified by one rule whichever way they were checked.
 *
 * The result names fields and how they differ, never their values: it is stored in the audit log
 * and shown to staff, and must not spread personal data.
 */
import type { Gender } from '../model/personal-id.ts';
import { compareNames } from './names.ts';

export interface IdentityFacts {
  personalId?: string;
  fullName?: string;
  /** YYYY-MM-DD. */
  birthDate?: string;
  /** When only the year is known (C06 may answer with `Nam` alone). */
  birthYear?: number;
  gender?: Gender;
}

export type IdentityField = 'personalId' | 'fullName' | 'birthDate' | 'gender';

export interface FieldMismatch {
  field: IdentityField;
  /** `diacritics_only`: names equal once diacritics are removed (still a mismatch). */
  how: 'diacritics_only' | 'different' | 'missing';
}

export interface IdentityComparison {
  result: 'verified' | 'mismatch';
  /** The fields that did not match, in the order personalId, fullName, birthDate, gender. */
  fields: FieldMismatch[];
}

/** Thrown when the expected side holds nothing to compare: "verified" would then mean nothing. */
export class IdentityCompareError extends Error {
  readonly code = 'IDENTITY_NOTHING_TO_COMPARE';
  constructor() {
    super(
      'Không có thông tin nào để đối chiếu (cần ít nhất một trong: số định danh, họ tên, ngày/năm sinh, giới tính) / Nothing to compare (at least one of personal ID, full name, birth date or year, gender is needed)',
    );
    this.name = 'IdentityCompareError';
  }
}

const text = (value: string | undefined): string | undefined => {
  const trimmed = value?.trim();
  return trimmed ? trimmed : undefined;
};

const yearOf = (isoDate: string): number => Number(isoDate.slice(0, 4));

type Outcome = FieldMismatch['how'] | 'match' | 'not_compared';

function comparePersonalId(expected: IdentityFacts, found: IdentityFacts): Outcome {
  const want = text(expected.personalId);
  if (want === undefined) return 'not_compared';
  const got = text(found.personalId);
  if (got === undefined) return 'missing';
  return want === got ? 'match' : 'different';
}

function compareFullName(expected: IdentityFacts, found: IdentityFacts): Outcome {
  const want = text(expected.fullName);
  if (want === undefined) return 'not_compared';
  const got = text(found.fullName);
  if (got === undefined) return 'missing';
  const how = compareNames(want, got);
  return how === 'exact' ? 'match' : how;
}

/**
 * A full date is compared whole when both sides have one; when either side knows only the year,
 * the years are compared, since that is all the two sides share.
 */
function compareBirth(expected: IdentityFacts, found: IdentityFacts): Outcome {
  const wantDate = text(expected.birthDate);
  const wantYear = expected.birthYear;
  if (wantDate === undefined && wantYear === undefined) return 'not_compared';
  const gotDate = text(found.birthDate);
  const gotYear = found.birthYear;
  if (wantDate !== undefined && gotDate !== undefined) return wantDate === gotDate ? 'match' : 'different';
  const want = wantDate !== undefined ? yearOf(wantDate) : wantYear;
  const got = gotDate !== undefined ? yearOf(gotDate) : gotYear;
  if (got === undefined) return 'missing';
  return want === got ? 'match' : 'different';
}

function compareGender(expected: IdentityFacts, found: IdentityFacts): Outcome {
  if (expected.gender === undefined) return 'not_compared';
  if (found.gender === undefined) return 'missing';
  return expected.gender === found.gender ? 'match' : 'different';
}

/**
 * Compares expected facts with found ones. A field absent on the expected side is not compared; one
 * expected but absent from what was found is `missing`. Names compare by {@link compareNames}: only
 * `exact` matches.
 *
 * @example
 * compareIdentity(
 *   { personalId: '079203001234', fullName: 'Nguyễn Thị Hoà', birthDate: '2003-03-15' },
 *   { personalId: '079203001234', fullName: 'NGUYEN THI HOA', birthYear: 2003 },
 * ) // { result: 'mismatch', fields: [{ field: 'fullName', how: 'diacritics_only' }] }
 */
export function compareIdentity(expected: IdentityFacts, found: IdentityFacts): IdentityComparison {
  const outcomes: Array<[IdentityField, Outcome]> = [
    ['personalId', comparePersonalId(expected, found)],
    ['fullName', compareFullName(expected, found)],
    ['birthDate', compareBirth(expected, found)],
    ['gender', compareGender(expected, found)],
  ];
  if (outcomes.every(([, outcome]) => outcome === 'not_compared')) throw new IdentityCompareError();
  const fields: FieldMismatch[] = [];
  for (const [field, outcome] of outcomes) {
    if (outcome !== 'match' && outcome !== 'not_compared') fields.push({ field, how: outcome });
  }
  return { result: fields.length === 0 ? 'verified' : 'mismatch', fields };
}
