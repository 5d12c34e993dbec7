/**
 * Every way a sign-in can be refused, with a stable code, the HTTP status of the page and the text
 * the citizen reads (Vietnamese first, English beside). The short `reason` goes to the audit log
 * and to the page; neither ever carries the ID number.
 */

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

interface RefusalText {
  status: number;
  vi: string;
  en: string;
}

export const REFUSALS = {
  interaction_expired: {
    status: 400,
    vi: 'Phiên đăng nhập đã hết hạn hoặc không thuộc trình duyệt này. Hãy quay lại ứng dụng của trường và đăng nhập lại.',
    en: 'The sign-in session expired or belongs to another browser. Go back to the school application and sign in again.',
  },
  state_mismatch: {
    status: 400,
    vi: 'Phản hồi từ VNeID không khớp với yêu cầu đăng nhập của trình duyệt này.',
    en: 'The answer from VNeID does not match this browser’s sign-in request.',
  },
  upstream_denied: {
    status: 403,
    vi: 'VNeID không cho phép đăng nhập (người dùng huỷ hoặc bị từ chối).',
    en: 'VNeID did not allow the sign-in (cancelled or refused).',
  },
  upstream_code_refused: {
    status: 400,
    vi: 'VNeID từ chối mã đăng nhập (đã dùng hoặc hết hạn).',
    en: 'VNeID refused the sign-in code (already used or expired).',
  },
  id_token_signature: {
    status: 400,
    vi: 'Chữ ký của thẻ định danh (ID token) từ VNeID không hợp lệ.',
    en: 'The signature of the ID token from VNeID is not valid.',
  },
  id_token_expired: {
    status: 400,
    vi: 'Thẻ định danh (ID token) từ VNeID đã hết hạn.',
    en: 'The ID token from VNeID has expired.',
  },
  id_token_nonce: {
    status: 400,
    vi: 'Thẻ định danh (ID token) từ VNeID không thuộc yêu cầu đăng nhập này (nonce).',
    en: 'The ID token from VNeID does not belong to this sign-in request (nonce).',
  },
  id_token_audience: {
    status: 400,
    vi: 'Thẻ định danh (ID token) từ VNeID cấp cho ứng dụng khác.',
    en: 'The ID token from VNeID was issued to another application.',
  },
  id_token_issuer: {
    status: 400,
    vi: 'Thẻ định danh (ID token) không do VNeID đã cấu hình phát hành.',
    en: 'The ID token was not issued by the configured VNeID.',
  },
  id_token_invalid: {
    status: 400,
    vi: 'Thẻ định danh (ID token) từ VNeID không hợp lệ.',
    en: 'The ID token from VNeID is not valid.',
  },
  upstream_tampered: {
    status: 400,
    vi: 'Dữ liệu mã hoá từ VNeID không giải mã được (có thể đã bị sửa đổi).',
    en: 'The encrypted answer from VNeID could not be decrypted (it may have been tampered with).',
  },
  upstream_invalid_response: {
    status: 400,
    vi: 'VNeID trả lời không đúng định dạng.',
    en: 'VNeID answered in an unexpected format.',
  },
  claims_invalid: {
    status: 400,
    vi: 'Thông tin công dân từ VNeID thiếu hoặc sai định dạng.',
    en: 'The citizen details from VNeID are missing or malformed.',
  },
  not_citizen: {
    status: 403,
    vi: 'Chỉ tài khoản định danh của công dân mới được đăng nhập (không phải tổ chức, doanh nghiệp).',
    en: 'Only a citizen’s identity account may sign in (not an organisation’s or a business’s).',
  },
  level_too_low: {
    status: 403,
    vi: 'Ứng dụng này yêu cầu tài khoản định danh điện tử mức độ 2.',
    en: 'This application requires a level 2 electronic identity account.',
  },
  unknown_citizen: {
    status: 403,
    vi: 'Không tìm thấy giáo viên, phụ huynh hay học sinh nào của trường ứng với tài khoản này.',
    en: 'No teacher, guardian or student of the schools matches this account.',
  },
  no_verified_guardianship: {
    status: 403,
    vi: 'Quan hệ phụ huynh – học sinh của bạn chưa được nhà trường xác minh. Hãy liên hệ nhà trường.',
    en: 'Your guardianship of a student has not been verified by the school yet. Please contact the school.',
  },
  role_not_allowed: {
    status: 403,
    vi: 'Vai trò của bạn không được phép dùng ứng dụng này.',
    en: 'Your role is not allowed to use this application.',
  },
  client_unknown: {
    status: 400,
    vi: 'Ứng dụng yêu cầu đăng nhập không còn được đăng ký.',
    en: 'The application asking for the sign-in is no longer registered.',
  },
  upstream_unavailable: {
    status: 502,
    vi: 'Không kết nối được VNeID. Hãy thử lại sau ít phút.',
    en: 'VNeID could not be reached. Please try again in a few minutes.',
  },
} as const satisfies Record<string, RefusalText>;

export type RefusalReason = keyof typeof REFUSALS;

/** `state_mismatch` → `SSO_STATE_MISMATCH`. */
export const refusalCode = (reason: RefusalReason): string => `SSO_${reason.toUpperCase()}`;

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
