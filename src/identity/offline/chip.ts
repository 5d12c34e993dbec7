/**
 * What a chip reader reports after reading a card's chip (ICAO 9303, domain §6.4): the DG13 fields
 * as text, the result of passive authentication (SOD signature and data-group hashes), and,
 * when the reader has a camera, a face-match score against DG2.
 *
 * Passive authentication is what makes chip data worth more than the QR: `invalid` means the data
 * may have been altered, so the reading is refused; `not_checked` is accepted and reported as such,
 * for the caller to weigh.
 */
import { z } from 'zod';
import { checkName } from '../../model/names.ts';
import type { Gender } from '../../model/personal-id.ts';
import { type CardParseOptions, CardPayloadError, checkCardFacts, isoDate, readGender } from './card.ts';

/** dd/MM/yyyy as printed on the card, or ISO YYYY-MM-DD, to an ISO date; null when not a real day. */
function chipDate(raw: string): string | null {
  const printed = /^(\d{2})\/(\d{2})\/(\d{4})$/.exec(raw);
  if (printed) return isoDate(Number(printed[1]), Number(printed[2]), Number(printed[3]));
  const iso = /^(\d{4})-(\d{2})-(\d{2})$/.exec(raw);
  if (iso) return isoDate(Number(iso[3]), Number(iso[2]), Number(iso[1]));
  return null;
}

const DATE_MESSAGE = 'must be a real date as dd/MM/yyyy or YYYY-MM-DD';

const date = z
  .string()
  .trim()
  .transform((raw, ctx) => {
    const iso = chipDate(raw);
    if (iso === null || iso < '1900-01-01') {
      ctx.addIssue({ code: 'custom', message: DATE_MESSAGE });
      return z.NEVER;
    }
    return iso;
  });

// Cards issued to people aged 60 and over do not expire: the chip says "Không thời hạn".
const NO_EXPIRY = new Set(['không thời hạn', 'khong thoi han', 'none', 'indefinite']);
const expiry = z
  .string()
  .trim()
  .transform((raw, ctx) => {
    if (NO_EXPIRY.has(raw.normalize('NFC').toLowerCase())) return null;
    const iso = chipDate(raw);
    if (iso === null) {
      ctx.addIssue({ code: 'custom', message: `${DATE_MESSAGE}, or "Không thời hạn"` });
      return z.NEVER;
    }
    return iso;
  });

const optionalText = z
  .string()
  .nullish()
  .transform((v) => (v == null || v.trim() === '' ? null : v.normalize('NFC').trim()));

const name = z.string().transform((raw, ctx) => {
  const checked = checkName(raw);
  if (checked.value === null) {
    ctx.addIssue({ code: 'custom', message: 'must be a name: letters, not empty' });
    return z.NEVER;
  }
  return checked.value;
});

const gender = z.string().transform((raw, ctx): Gender => {
  const value = readGender(raw, true);
  if (value === null) {
    ctx.addIssue({ code: 'custom', message: 'must be "Nam", "Nữ", "male" or "female"' });
    return z.NEVER;
  }
  return value;
});

/** DG13 as a reader reports it (tags of the Vietnamese DG13 profile in brackets). */
export const Dg13Schema = z.object({
  /** [1] */
  personalId: z
    .string()
    .trim()
    .regex(/^\d{12}$/, { message: 'must be exactly 12 digits' }),
  /** [2] */
  fullName: name,
  /** [3] */
  birthDate: date,
  /** [4] */
  gender,
  /** [5] */
  nationality: optionalText,
  /** [6] */
  ethnicity: optionalText,
  /** [7] */
  religion: optionalText,
  /** [8] quê quán / nơi đăng ký khai sinh */
  placeOfOrigin: optionalText,
  /** [9] nơi thường trú / nơi cư trú */
  residence: optionalText,
  /** [10] */
  identifyingMarks: optionalText,
  /** [11] */
  issueDate: date.nullish().transform((v) => v ?? null),
  /** [12] */
  expiryDate: expiry.nullish().transform((v) => v ?? null),
  /** [13] */
  fatherName: optionalText,
  /** [13] */
  motherName: optionalText,
  /** [15] the 9-digit CMND number, if any */
  legacyId: z
    .string()
    .trim()
    .regex(/^(\d{9})?$/, { message: 'must be 9 digits or empty' })
    .nullish()
    .transform((v) => (v ? v : null)),
});

export const PassiveAuthenticationSchema = z.object({
  result: z.enum(['valid', 'invalid', 'not_checked']),
  reason: z.string().optional(),
  /** Subject of the Document Signer certificate that signed the SOD. */
  documentSigner: z.string().optional(),
});

export const ChipReadingSchema = z.object({
  dg13: Dg13Schema,
  passiveAuthentication: PassiveAuthenticationSchema,
  readerId: z.string().optional(),
  readAt: z.iso.datetime({ offset: true }).optional(),
  /** Similarity of the live face to DG2, 0–1. */
  faceMatchScore: z.number().min(0).max(1).optional(),
});

/** What a reader sends, before normalisation. */
export type ChipReadingInput = z.input<typeof ChipReadingSchema>;

/** The card's data from its chip, in the shape of the QR's CardData where they overlap. */
export interface ChipCardData {
  personalId: string;
  legacyId: string | null;
  /** NFC, single spaces. */
  fullName: string;
  /** ISO YYYY-MM-DD. */
  birthDate: string;
  gender: Gender;
  /** DG13 residence (nơi cư trú), as `address` is on the QR. */
  address: string | null;
  /** ISO YYYY-MM-DD. */
  issueDate: string | null;
  /** ISO YYYY-MM-DD; null when absent or when the card does not expire ("Không thời hạn"). */
  expiryDate: string | null;
  nationality: string | null;
  ethnicity: string | null;
  religion: string | null;
  placeOfOrigin: string | null;
  identifyingMarks: string | null;
  fatherName: string | null;
  motherName: string | null;
}

export interface ChipReading {
  card: ChipCardData;
  /** Never `invalid`: such a reading is refused. `not_checked` means the data is unverified. */
  passiveAuthentication: {
    result: 'valid' | 'not_checked';
    reason: string | null;
    documentSigner: string | null;
  };
  readerId: string | null;
  /** ISO date-time. */
  readAt: string | null;
  faceMatchScore: number | null;
}

// The reader's reason may be long (a stack, a certificate dump); a message keeps its start.
const MAX_REASON = 200;

/**
 * Validates a chip reader's JSON, refuses data whose passive authentication failed, and checks the
 * personal ID against birth date and gender as for the QR.
 *
 * @throws CardPayloadError: `CHIP_SCHEMA` (field = the JSON path), `CHIP_PASSIVE_AUTH_FAILED`,
 *   `CHIP_PERSONAL_ID`, `CHIP_BIRTH_DATE`, `CHIP_ISSUE_DATE`, `CHIP_ID_INCONSISTENT`.
 * @example
 * parseChipReading({
 *   dg13: { personalId: '079203001234', fullName: 'Nguyễn Văn An', birthDate: '15/03/2003', gender: 'Nam' },
 *   passiveAuthentication: { result: 'valid' },
 * }).card.birthDate // '2003-03-15'
 */
export function parseChipReading(json: unknown, options: CardParseOptions = {}): ChipReading {
  const parsed = ChipReadingSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const path = issue.path.map(String).join('.');
    // Zod's messages name the expected type or format, never the value received.
    throw new CardPayloadError(
      'CHIP_SCHEMA',
      path,
      null,
      `Dữ liệu đọc từ chip không đúng cấu trúc tại "${path || '(gốc)'}": ${issue.message}`,
      `The chip reading does not match its schema at "${path || '(root)'}": ${issue.message}`,
    );
  }
  const { dg13, passiveAuthentication: pa, readerId, readAt, faceMatchScore } = parsed.data;
  if (pa.result === 'invalid') {
    const reason = pa.reason?.trim().slice(0, MAX_REASON) || 'không rõ / not given';
    throw new CardPayloadError(
      'CHIP_PASSIVE_AUTH_FAILED',
      'passiveAuthentication.result',
      null,
      `Xác thực thụ động chip thất bại, dữ liệu trên chip không đáng tin (lý do: ${reason})`,
      `Passive authentication of the chip failed, its data cannot be trusted (reason: ${reason})`,
    );
  }
  const ref = (field: string) => ({ field: `dg13.${field}`, position: null });
  checkCardFacts(
    {
      personalId: dg13.personalId,
      birthDate: dg13.birthDate,
      gender: dg13.gender,
      issueDate: dg13.issueDate,
    },
    {
      personalId: ref('personalId'),
      birthDate: ref('birthDate'),
      gender: ref('gender'),
      issueDate: ref('issueDate'),
    },
    {
      personalId: 'CHIP_PERSONAL_ID',
      birthDate: 'CHIP_BIRTH_DATE',
      issueDate: 'CHIP_ISSUE_DATE',
      inconsistent: 'CHIP_ID_INCONSISTENT',
    },
    options,
  );
  return {
    card: {
      personalId: dg13.personalId,
      legacyId: dg13.legacyId,
      fullName: dg13.fullName,
      birthDate: dg13.birthDate,
      gender: dg13.gender,
      address: dg13.residence,
      issueDate: dg13.issueDate,
      expiryDate: dg13.expiryDate,
      nationality: dg13.nationality,
      ethnicity: dg13.ethnicity,
      religion: dg13.religion,
      placeOfOrigin: dg13.placeOfOrigin,
      identifyingMarks: dg13.identifyingMarks,
      fatherName: dg13.fatherName,
      motherName: dg13.motherName,
    },
    passiveAuthentication: {
      result: pa.result,
      reason: pa.reason ?? null,
      documentSigner: pa.documentSigner ?? null,
    },
    readerId: readerId ?? null,
    readAt: readAt ?? null,
    faceMatchScore: faceMatchScore ?? null,
  };
}
