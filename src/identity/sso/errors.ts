/**
 * Every way a sign-in can be refused, with a stable code, the HTTP status of the page and the text
 * the citizen reads (Vietnamese first, English beside), all from the error catalogue. The short
 * `reason` goes to the audit log and to the page; neither ever carries the ID number.
 */
import { ERRORS, type ErrorCode } from '../../model/error-catalogue.ts';

export class SsoError extends Error {
  readonly code: string;
  override readonly name: string = 'SsoError';
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

/** Bad relay configuration (upstream URL, key, client input). */
export class SsoConfigError extends SsoError {
  override readonly name = 'SsoConfigError';
}

/** A school application registered with bad metadata. */
export class SsoClientInputError extends SsoError {
  override readonly name = 'SsoClientInputError';
}

/** Every reason a sign-in is refused; its code is `SSO_` and the reason in capitals. */
const REASONS = [
  'interaction_expired',
  'state_mismatch',
  'upstream_denied',
  'upstream_code_refused',
  'id_token_signature',
  'id_token_expired',
  'id_token_nonce',
  'id_token_audience',
  'id_token_issuer',
  'id_token_invalid',
  'upstream_tampered',
  'upstream_invalid_response',
  'claims_invalid',
  'not_citizen',
  'level_too_low',
  'unknown_citizen',
  'no_verified_guardianship',
  'role_not_allowed',
  'client_unknown',
  'upstream_unavailable',
] as const;

export type RefusalReason = (typeof REASONS)[number];

type RefusalCode = `SSO_${Uppercase<RefusalReason>}`;

// Does not compile while a reason's code is missing from the error catalogue (the type names it).
const catalogued: [Exclude<RefusalCode, ErrorCode>] extends [never] ? true : Exclude<RefusalCode, ErrorCode> =
  true;
void catalogued;

/** `state_mismatch` → `SSO_STATE_MISMATCH`. */
export const refusalCode = (reason: RefusalReason): RefusalCode =>
  `SSO_${reason.toUpperCase()}` as RefusalCode;

interface RefusalText {
  status: number;
  vi: string;
  en: string;
}

/** What the citizen reads, and the page's status: the error catalogue's, by reason. */
export const REFUSALS: Readonly<Record<RefusalReason, RefusalText>> = Object.fromEntries(
  REASONS.map((reason) => {
    const entry = ERRORS[refusalCode(reason)];
    return [reason, { status: entry.status, vi: entry.message.vi, en: entry.message.en }];
  }),
) as Record<RefusalReason, RefusalText>;

/** A sign-in refused: rendered as a bilingual page and audited, never a stack trace. */
export class SsoRefusal extends SsoError {
  override readonly name = 'SsoRefusal';
  readonly reason: RefusalReason;
  readonly status: number;
  constructor(reason: RefusalReason, options?: { cause?: unknown }) {
    const text = REFUSALS[reason];
    super(refusalCode(reason), `${text.vi} / ${text.en}`, options);
    this.reason = reason;
    this.status = text.status;
  }
}
