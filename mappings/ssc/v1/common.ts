/**
 * Shared pieces of the SSC (Hệ thống quản lý nguồn thu trực tuyến) v1 mapping. SSC publishes no
 * API (domain README §5.1, §10.4): the record kinds follow the README's proposal (khoản thu →
 * phiếu báo thu → giao dịch → biên lai/hóa đơn) with Vietnamese field names in the style of the
 * city's other systems; every name is assumed and listed in `openapi/ssc.md`.
 */
import { z } from 'zod';
import { RecordError } from '../../../src/sdk/errors.ts';

/** Every record SSC cannot take is this error, naming the canonical field. */
export function unmappable(field: string, vi: string, en: string): RecordError {
  return new RecordError('FIELD_UNMAPPABLE', `${vi} / ${en}`, { field });
}

// ---------------------------------------------------------------------------------------------
// Output field formats (zod), shared by the kinds' schemas

export const code = () => z.string().trim().min(1).max(50);
export const text = () => z.string().trim().min(1).max(200);
/** Whole đồng. */
export const vnd = () => z.int().nonnegative().max(9_999_999_999_999);
export const schoolYearOut = () => z.string().regex(/^\d{4}-\d{4}$/, 'NamHoc as YYYY-YYYY');
/** SSC dates as ISO `yyyy-MM-dd`, like the e-invoice's `NLap` (❓ for SSC itself). */
export const isoDateOut = () => z.iso.date();
/** ISO 8601 with an offset (`2025-09-27T17:41:04+07:00`). */
export const timestampOut = () => z.iso.datetime({ offset: true });
/** Mã khoản thu: upper-case letters, digits, `_` and `-`. */
export const feeCodeOut = () =>
  z
    .string()
    .regex(/^[A-Z0-9][A-Z0-9_-]{0,19}$/, 'MaKhoanThu: 1–20 of A-Z, 0-9, "_", "-", starting with A-Z or 0-9');

/** A school's collection account (tài khoản thu): bank BIN (6 digits) and account number. */
export interface CollectionAccount {
  bankBin: string;
  account: string;
}

export const CollectionAccountSchema = z.strictObject({
  bankBin: z.string().regex(/^\d{6}$/, 'bankBin: 6 digits (NAPAS BIN)'),
  account: z.string().regex(/^[0-9A-Za-z]{1,19}$/, 'account: 1–19 of 0-9, A-Z, a-z'),
});

/** `{ "79NB0001": { bankBin, account } }`, as the SSC_COLLECTION_ACCOUNTS setting holds it. */
export const CollectionAccountsSchema = z.record(z.string().min(1), CollectionAccountSchema);

export interface SscMappingOptions {
  /** The school's collection account, by school code: the QR of a notice pays into it. */
  collectionAccounts: Readonly<Record<string, CollectionAccount>>;
}

// ---------------------------------------------------------------------------------------------

/**
 * The path of the field a zod issue is about. An unknown key is reported on its parent object by
 * zod; here it is named itself, so "field GhiChu is not allowed" points at GhiChu.
 */
export function issuePath(issue: z.core.$ZodIssue): string[] {
  const path = issue.path.map(String);
  if (issue.code === 'unrecognized_keys' && issue.keys.length > 0) path.push(issue.keys[0]!);
  return path;
}

/**
 * Parses a mapped record with SSC's schema; a failure becomes a RecordError naming the canonical
 * field: each segment of the output path is renamed through `fields` (output → canonical) when it
 * is there, so `ChiTiet.1.SoTien` reads `items.1.amount`.
 */
export function conform<S extends z.ZodType>(
  schema: S,
  value: unknown,
  fields: Record<string, string> = {},
): z.infer<S> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  const path = issuePath(issue);
  const out = path.join('.');
  const field = path.map((p) => fields[p] ?? p).join('.');
  throw unmappable(
    field,
    `Trường ${out} không hợp lệ: ${issue.message}`,
    `Field ${out} is invalid: ${issue.message}`,
  );
}
