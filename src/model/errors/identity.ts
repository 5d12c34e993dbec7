/**
 * Codes of identity: checks against C06, ID cards read offline (QR, chip), the single sign-on relay
 * (its settings and every way a sign-in is refused) and VietQR payloads. Their messages never hold
 * what identifies a person (ID number, name, birth date): they name fields.
 */
import type { ErrorEntry } from './types.ts';

const checkTheCard = {
  vi: 'Quét lại thẻ; nếu vẫn lỗi, đối chiếu thẻ trực tiếp (thẻ hỏng hoặc không phải thẻ căn cước)',
  en: 'Scan the card again; if it stays, check the card in person (damaged, or not an ID card)',
} as const;

const signInAgain = {
  vi: 'Người dùng quay lại ứng dụng của trường và đăng nhập lại',
  en: 'The user goes back to the school application and signs in again',
} as const;

const reportSignIn = {
  vi: 'Báo nhóm phát triển kèm thời điểm (có thể là lỗi cấu hình VNeID hoặc một cuộc tấn công)',
  en: 'Report it with the time (a VNeID setting out of step, or an attack)',
} as const;

export const IDENTITY_ERRORS = {
  IDENTITY_NO_C06: {
    kind: 'configuration',
    status: 409,
    actor: 'district-it',
    title: { vi: 'Chưa cấu hình kết nối C06', en: 'C06 not configured' },
    message: {
      vi: 'Chưa cấu hình kết nối C06 (C06_GATEWAY_URL): không tra cứu trực tuyến được',
      en: 'C06 is not configured (C06_GATEWAY_URL): online checks are unavailable',
    },
    action: {
      vi: 'Đặt C06_GATEWAY_URL và thông tin C06, hoặc dùng kiểm tra ngoại tuyến (QR, chip)',
      en: 'Set C06_GATEWAY_URL and the C06 settings, or use offline checks (QR, chip)',
    },
  },
  IDENTITY_PAYLOAD: {
    kind: 'bad-input',
    status: 422,
    actor: 'school',
    title: { vi: 'Không đọc được dữ liệu thẻ', en: 'Card data unreadable' },
    message: { vi: 'Không đọc được dữ liệu thẻ: {reason}', en: 'The card data cannot be read: {reason}' },
    values: ['reason'],
    action: checkTheCard,
  },
  IDENTITY_PERSON_UNKNOWN: {
    kind: 'bad-input',
    status: 404,
    actor: 'school',
    title: { vi: 'Không có ai mang số định danh này', en: 'No one has this ID number' },
    message: {
      vi: 'Không có ai mang số định danh trên thẻ trong các trường bạn được xem',
      en: 'No one with the card’s ID number is known in the schools you may see',
    },
    action: {
      vi: 'Kiểm tra người này có trong dữ liệu của trường (số định danh đã nhập đúng)',
      en: "Check that the person is in the school's data (with the ID number entered rightly)",
    },
  },
  IDENTITY_NOTHING_TO_COMPARE: {
    kind: 'bad-input',
    status: 422,
    actor: 'school',
    title: { vi: 'Không có gì để đối chiếu', en: 'Nothing to compare' },
    message: {
      vi: 'Không có thông tin nào để đối chiếu (cần ít nhất một trong: số định danh, họ tên, ngày/năm sinh, giới tính)',
      en: 'Nothing to compare (at least one of personal ID, full name, birth date or year, gender is needed)',
    },
    action: {
      vi: 'Nhập đủ thông tin của người trong phần mềm của trường',
      en: "Enter the person's details in the school's software",
    },
  },
  NO_PERSONAL_ID: {
    kind: 'bad-input',
    status: 422,
    actor: 'school',
    title: { vi: 'Chưa có số định danh', en: 'No personal ID' },
    message: {
      vi: 'Người này chưa có số định danh cá nhân: không tra cứu được',
      en: 'This person has no personal ID: nothing to look up',
    },
    action: {
      vi: 'Nhập số định danh cá nhân (12 chữ số) trong phần mềm của trường',
      en: "Enter the personal ID (12 digits) in the school's software",
    },
  },
  C06_FAULT: {
    kind: 'permanent',
    status: 502,
    actor: 'city',
    title: { vi: 'CSDL dân cư từ chối tra cứu', en: 'The population DB refused the lookup' },
    message: {
      vi: 'CSDL quốc gia về dân cư báo lỗi [{fault}]',
      en: 'The national population DB reported an error [{fault}]',
    },
    values: ['fault'],
    action: {
      vi: 'Hỏi bộ phận hỗ trợ C06 mã lỗi nghĩa là gì (quyền tra cứu, MaCanBo/MaDonVi)',
      en: 'Ask the C06 helpdesk what the fault means (lookup rights, MaCanBo/MaDonVi)',
    },
  },
  C06_MALFORMED_RESPONSE: {
    kind: 'permanent',
    status: 502,
    actor: 'city',
    title: { vi: 'Phản hồi của C06 không đọc được', en: 'Unreadable C06 answer' },
    message: {
      vi: 'Phản hồi tra cứu dân cư không đọc được: {reason}',
      en: 'Unreadable population DB answer: {reason}',
    },
    values: ['reason'],
    action: {
      vi: 'Báo bộ phận hỗ trợ C06 kèm thời điểm; kiểm tra địa chỉ C06_GATEWAY_URL',
      en: 'Tell the C06 helpdesk, with the time; check C06_GATEWAY_URL',
    },
  },
  C06_INVALID_REQUEST: {
    kind: 'bad-input',
    status: 422,
    actor: 'school',
    title: { vi: 'Yêu cầu tra cứu dân cư không hợp lệ', en: 'Invalid population DB lookup' },
    message: {
      vi: 'Yêu cầu tra cứu dân cư không hợp lệ, {field}: {reason}',
      en: 'Invalid population DB lookup, {field}: {reason}',
    },
    values: ['field', 'reason'],
    action: {
      vi: 'Sửa thông tin được nêu của người trong phần mềm của trường',
      en: "Fix the field named in the school's software",
    },
  },
  C06_UNAVAILABLE: {
    kind: 'unavailable',
    status: 503,
    actor: 'city',
    title: { vi: 'Không tra cứu được C06', en: 'C06 unavailable' },
    message: { vi: 'Không tra cứu được C06: {reason}', en: 'C06 lookup failed: {reason}' },
    values: ['reason'],
    action: {
      vi: 'Thử lại sau; nếu kéo dài, báo bộ phận hỗ trợ C06',
      en: 'Try again later; if it lasts, tell the C06 helpdesk',
    },
  },

  // Cards read offline: the QR code on a CCCD and the chip reading.
  QR_EMPTY: {
    kind: 'bad-input',
    status: 422,
    actor: 'school',
    title: { vi: 'Mã QR trống', en: 'Empty QR code' },
    message: { vi: 'Mã QR không có nội dung', en: 'The QR code text is empty' },
    action: checkTheCard,
  },
  QR_FIELD_COUNT: {
    kind: 'bad-input',
    status: 422,
    actor: 'school',
    title: { vi: 'Mã QR thiếu trường', en: 'QR code with too few fields' },
    message: {
      vi: 'Mã QR có {count} trường, cần ít nhất {needed} phân cách bởi "|"',
      en: 'The QR text has {count} field(s), at least {needed} separated by "|" are needed',
    },
    values: ['count', 'needed'],
    action: checkTheCard,
  },
  QR_PERSONAL_ID: {
    kind: 'bad-input',
    status: 422,
    actor: 'school',
    title: { vi: 'Số định danh trên QR không hợp lệ', en: 'Invalid personal ID on the QR' },
    message: { vi: '{field} {reason}', en: '{field} {reason}' },
    values: ['field', 'reason'],
    action: checkTheCard,
  },
  QR_LEGACY_ID: {
    kind: 'bad-input',
    status: 422,
    actor: 'school',
    title: { vi: 'Số CMND trên QR không hợp lệ', en: 'Invalid legacy ID on the QR' },
    message: { vi: '{field} {reason}', en: '{field} {reason}' },
    values: ['field', 'reason'],
    action: checkTheCard,
  },
  QR_FULL_NAME: {
    kind: 'bad-input',
    status: 422,
    actor: 'school',
    title: { vi: 'Họ tên trên QR không hợp lệ', en: 'Invalid name on the QR' },
    message: { vi: '{field} {reason}', en: '{field} {reason}' },
    values: ['field', 'reason'],
    action: checkTheCard,
  },
  QR_BIRTH_DATE: {
    kind: 'bad-input',
    status: 422,
    actor: 'school',
    title: { vi: 'Ngày sinh trên QR không hợp lệ', en: 'Invalid birth date on the QR' },
    message: { vi: '{field} {reason}', en: '{field} {reason}' },
    values: ['field', 'reason'],
    action: checkTheCard,
  },
  QR_GENDER: {
    kind: 'bad-input',
    status: 422,
    actor: 'school',
    title: { vi: 'Giới tính trên QR không hợp lệ', en: 'Invalid gender on the QR' },
    message: { vi: '{field} {reason}', en: '{field} {reason}' },
    values: ['field', 'reason'],
    action: checkTheCard,
  },
  QR_ISSUE_DATE: {
    kind: 'bad-input',
    status: 422,
    actor: 'school',
    title: { vi: 'Ngày cấp trên QR không hợp lệ', en: 'Invalid issue date on the QR' },
    message: { vi: '{field} {reason}', en: '{field} {reason}' },
    values: ['field', 'reason'],
    action: checkTheCard,
  },
  QR_ID_INCONSISTENT: {
    kind: 'bad-input',
    status: 422,
    actor: 'school',
    title: { vi: 'Số định danh không khớp thông tin trên QR', en: 'ID number disagrees with the QR' },
    message: {
      vi: '{field} không khớp với thông tin trên thẻ: {reason}',
      en: '{field} disagrees with the card: {reason}',
    },
    values: ['field', 'reason'],
    action: checkTheCard,
  },
  CHIP_JSON: {
    kind: 'bad-input',
    status: 422,
    actor: 'school',
    title: { vi: 'Dữ liệu chip không phải JSON', en: 'Chip data is not JSON' },
    message: { vi: 'Dữ liệu chip không phải JSON hợp lệ', en: 'The chip data is not valid JSON' },
    action: {
      vi: 'Kiểm tra phần mềm của đầu đọc chip gửi JSON',
      en: "Check that the chip reader's software sends JSON",
    },
  },
  CHIP_SCHEMA: {
    kind: 'bad-input',
    status: 422,
    actor: 'school',
    title: { vi: 'Dữ liệu chip sai cấu trúc', en: 'Chip data of the wrong shape' },
    message: {
      vi: 'Dữ liệu đọc từ chip không đúng cấu trúc tại "{path}": {reason}',
      en: 'The chip reading does not match its schema at "{path}": {reason}',
    },
    values: ['path', 'reason'],
    action: {
      vi: 'Kiểm tra phần mềm của đầu đọc chip (phiên bản, cấu hình)',
      en: "Check the chip reader's software (version, settings)",
    },
  },
  CHIP_PASSIVE_AUTH_FAILED: {
    kind: 'bad-input',
    status: 422,
    actor: 'school',
    title: { vi: 'Xác thực chip thất bại', en: 'Chip authentication failed' },
    message: {
      vi: 'Xác thực thụ động chip thất bại, dữ liệu trên chip không đáng tin (lý do: {reason})',
      en: 'Passive authentication of the chip failed, its data cannot be trusted (reason: {reason})',
    },
    values: ['reason'],
    action: {
      vi: 'Không tin thẻ này: đối chiếu trực tiếp với giấy tờ khác',
      en: 'Do not trust this card: check the person against other papers',
    },
  },
  CHIP_PERSONAL_ID: {
    kind: 'bad-input',
    status: 422,
    actor: 'school',
    title: { vi: 'Số định danh trên chip không hợp lệ', en: 'Invalid personal ID on the chip' },
    message: { vi: '{field}: {reason}', en: '{field}: {reason}' },
    values: ['field', 'reason'],
    action: checkTheCard,
  },
  CHIP_BIRTH_DATE: {
    kind: 'bad-input',
    status: 422,
    actor: 'school',
    title: { vi: 'Ngày sinh trên chip không hợp lệ', en: 'Invalid birth date on the chip' },
    message: { vi: '{field} {reason}', en: '{field} {reason}' },
    values: ['field', 'reason'],
    action: checkTheCard,
  },
  CHIP_ISSUE_DATE: {
    kind: 'bad-input',
    status: 422,
    actor: 'school',
    title: { vi: 'Ngày cấp trên chip không hợp lệ', en: 'Invalid issue date on the chip' },
    message: { vi: '{field} {reason}', en: '{field} {reason}' },
    values: ['field', 'reason'],
    action: checkTheCard,
  },
  CHIP_ID_INCONSISTENT: {
    kind: 'bad-input',
    status: 422,
    actor: 'school',
    title: { vi: 'Số định danh không khớp dữ liệu chip', en: 'ID number disagrees with the chip' },
    message: {
      vi: '{field} không khớp với thông tin trên thẻ: {reason}',
      en: '{field} disagrees with the card: {reason}',
    },
    values: ['field', 'reason'],
    action: checkTheCard,
  },

  // The single sign-on relay: its settings and the school applications registered with it.
  SSO_PUBLIC_URL_INVALID: {
    kind: 'configuration',
    status: 500,
    actor: 'district-it',
    title: { vi: 'Địa chỉ công khai SSO không hợp lệ', en: 'Invalid SSO public URL' },
    message: { vi: 'Địa chỉ publicUrl {reason}', en: 'publicUrl {reason}' },
    values: ['reason'],
    action: {
      vi: 'Đặt SSO_PUBLIC_URL là giao thức và máy chủ, không có đường dẫn (https://sso.example.vn)',
      en: 'Set SSO_PUBLIC_URL to scheme and host only (https://sso.example.vn)',
    },
  },
  SSO_KEY_RETENTION_TOO_SHORT: {
    kind: 'configuration',
    status: 500,
    actor: 'district-it',
    title: { vi: 'Thời gian giữ khoá ký quá ngắn', en: 'Signing key retention too short' },
    message: {
      vi: 'signingKeyRetentionMs phải dài hơn thời hạn ID token (1 giờ)',
      en: 'signingKeyRetentionMs must outlast an ID token (1 hour)',
    },
    action: { vi: 'Tăng signingKeyRetentionMs', en: 'Raise signingKeyRetentionMs' },
  },
  SSO_COOKIE_KEYS_INVALID: {
    kind: 'configuration',
    status: 500,
    actor: 'district-it',
    title: { vi: 'Khoá cookie SSO không hợp lệ', en: 'Invalid SSO cookie keys' },
    message: {
      vi: 'cookieKeys cần ít nhất một khoá dài từ 16 ký tự',
      en: 'cookieKeys needs at least one key of 16+ characters',
    },
    action: {
      vi: 'Đặt SSO_COOKIE_KEYS: các khoá ngẫu nhiên từ 16 ký tự, cách nhau bởi dấu phẩy',
      en: 'Set SSO_COOKIE_KEYS: random keys of 16+ characters, comma-separated',
    },
  },
  SSO_UPSTREAM_URL_INVALID: {
    kind: 'configuration',
    status: 500,
    actor: 'district-it',
    title: { vi: 'Địa chỉ VNeID không hợp lệ', en: 'Invalid VNeID address' },
    message: { vi: '{setting} {reason}', en: '{setting} {reason}' },
    values: ['setting', 'reason'],
    action: {
      vi: 'Đặt địa chỉ VNeID là URL https đầy đủ',
      en: 'Set the VNeID address to a full https URL',
    },
  },
  SSO_UPSTREAM_URL_INSECURE: {
    kind: 'configuration',
    status: 500,
    actor: 'district-it',
    title: { vi: 'Địa chỉ VNeID dùng http', en: 'VNeID address uses plain http' },
    message: {
      vi: '{setting} dùng http ngoài máy cục bộ; chỉ cho hộp cát, đặt allowHttp',
      en: '{setting} uses plain http off loopback; sandbox only, set allowHttp',
    },
    values: ['setting'],
    action: { vi: 'Dùng https', en: 'Use https' },
  },
  SSO_UPSTREAM_KEY_INVALID: {
    kind: 'configuration',
    status: 500,
    actor: 'district-it',
    title: { vi: 'Khoá riêng VNeID không hợp lệ', en: 'Invalid VNeID private key' },
    message: { vi: 'Khoá riêng của VNeID {reason}', en: 'The VNeID private key {reason}' },
    values: ['reason'],
    action: {
      vi: 'Đặt VNEID_PRIVATE_KEY_FILE là khoá riêng RSA dạng PEM được cấp khi đăng ký với VNeID',
      en: 'Point VNEID_PRIVATE_KEY_FILE at the RSA private key (PEM) issued at VNeID registration',
    },
  },
  SSO_UPSTREAM_ISSUER_MISMATCH: {
    kind: 'configuration',
    status: 500,
    actor: 'district-it',
    title: { vi: 'Issuer của DVCQG khác cấu hình', en: 'DVCQG issuer differs from the settings' },
    message: {
      vi: 'Tài liệu khám phá của DVCQG công bố issuer khác cấu hình',
      en: 'DVCQG discovery announces another issuer than configured',
    },
    action: {
      vi: 'Đặt VNEID_ISSUER đúng issuer mà DVCQG công bố',
      en: 'Set VNEID_ISSUER to the issuer DVCQG announces',
    },
  },
  SSO_CLIENT_INVALID: {
    kind: 'bad-input',
    status: 400,
    actor: 'district-it',
    title: { vi: 'Thông tin ứng dụng không hợp lệ', en: 'Invalid client metadata' },
    message: {
      vi: 'Thông tin ứng dụng không hợp lệ: {reason}',
      en: 'Invalid client metadata: {reason}',
    },
    values: ['reason'],
    action: {
      vi: 'Sửa thông tin đăng ký của ứng dụng (tên, redirect URI, vai trò)',
      en: "Fix the application's registration (name, redirect URIs, roles)",
    },
  },
  // The redirect URI policy (RFC 8252, RFC 9700). `{uri}` is the URI without user name, password,
  // query or fragment: a registration refused must not print a secret it carried.
  SSO_REDIRECT_URI_INVALID: {
    kind: 'bad-input',
    status: 400,
    actor: 'district-it',
    title: { vi: 'Redirect URI không hợp lệ', en: 'Invalid redirect URI' },
    message: {
      vi: '{which} không phải URL tuyệt đối hợp lệ: {reason}',
      en: '{which} is not a valid absolute URL: {reason}',
    },
    values: ['which', 'reason'],
    action: {
      vi: 'Ghi redirect URI đầy đủ, đúng như ứng dụng gửi, ví dụ https://smas.truong.example/oidc/callback',
      en: 'Give the full redirect URI, exactly as the application sends it, e.g. https://smas.school.example/oidc/callback',
    },
  },
  SSO_REDIRECT_URI_NOT_HTTPS: {
    kind: 'bad-input',
    status: 400,
    actor: 'district-it',
    title: { vi: 'Redirect URI không dùng https', en: 'Redirect URI without https' },
    message: {
      vi: '{which} phải dùng https; http chỉ được dùng cho máy cục bộ (127.0.0.1, [::1], localhost): {uri}',
      en: '{which} must use https; http only on a loopback host (127.0.0.1, [::1], localhost): {uri}',
    },
    values: ['which', 'uri'],
    action: {
      vi: 'Cho ứng dụng một địa chỉ https; http chỉ dành cho ứng dụng chạy trên chính máy người dùng',
      en: 'Give the application an https address; plain http is only for an app on the user’s own machine',
    },
  },
  SSO_REDIRECT_URI_USERINFO: {
    kind: 'bad-input',
    status: 400,
    actor: 'district-it',
    title: { vi: 'Redirect URI chứa thông tin đăng nhập', en: 'Redirect URI with user information' },
    message: {
      vi: '{which} không được chứa tên người dùng hay mật khẩu trước @: {uri}',
      en: '{which} must not carry a user name or password before @: {uri}',
    },
    values: ['which', 'uri'],
    action: {
      vi: 'Bỏ phần "tên:mật-khẩu@"; nếu đó là mật khẩu thật, hãy đổi mật khẩu đó',
      en: 'Drop the "name:password@" part; if it was a real password, change it',
    },
  },
  SSO_REDIRECT_URI_FRAGMENT: {
    kind: 'bad-input',
    status: 400,
    actor: 'district-it',
    title: { vi: 'Redirect URI có phần #', en: 'Redirect URI with a fragment' },
    message: {
      vi: '{which} không được có phần # (fragment): {uri}',
      en: '{which} must not have a # fragment: {uri}',
    },
    values: ['which', 'uri'],
    action: {
      vi: 'Bỏ phần từ dấu # trở đi',
      en: 'Drop everything from the # on',
    },
  },

  // A sign-in refused: the page the citizen reads shows `message`.
  SSO_INTERACTION_EXPIRED: {
    kind: 'bad-input',
    status: 400,
    actor: 'school',
    title: { vi: 'Phiên đăng nhập hết hạn', en: 'Sign-in session expired' },
    message: {
      vi: 'Phiên đăng nhập đã hết hạn hoặc không thuộc trình duyệt này. Hãy quay lại ứng dụng của trường và đăng nhập lại.',
      en: 'The sign-in session expired or belongs to another browser. Go back to the school application and sign in again.',
    },
    action: signInAgain,
  },
  SSO_STATE_MISMATCH: {
    kind: 'bad-input',
    status: 400,
    actor: 'school',
    title: { vi: 'Phản hồi VNeID không khớp yêu cầu', en: 'VNeID answer does not match' },
    message: {
      vi: 'Phản hồi từ VNeID không khớp với yêu cầu đăng nhập của trình duyệt này.',
      en: 'The answer from VNeID does not match this browser’s sign-in request.',
    },
    action: signInAgain,
  },
  SSO_UPSTREAM_DENIED: {
    kind: 'bad-input',
    status: 403,
    actor: 'school',
    title: { vi: 'VNeID không cho đăng nhập', en: 'VNeID did not allow the sign-in' },
    message: {
      vi: 'VNeID không cho phép đăng nhập (người dùng huỷ hoặc bị từ chối).',
      en: 'VNeID did not allow the sign-in (cancelled or refused).',
    },
    action: signInAgain,
  },
  SSO_UPSTREAM_CODE_REFUSED: {
    kind: 'bad-input',
    status: 400,
    actor: 'school',
    title: { vi: 'VNeID từ chối mã đăng nhập', en: 'VNeID refused the sign-in code' },
    message: {
      vi: 'VNeID từ chối mã đăng nhập (đã dùng hoặc hết hạn).',
      en: 'VNeID refused the sign-in code (already used or expired).',
    },
    action: signInAgain,
  },
  SSO_ID_TOKEN_SIGNATURE: {
    kind: 'permanent',
    status: 400,
    actor: 'hub',
    title: { vi: 'Chữ ký ID token không hợp lệ', en: 'Invalid ID token signature' },
    message: {
      vi: 'Chữ ký của thẻ định danh (ID token) từ VNeID không hợp lệ.',
      en: 'The signature of the ID token from VNeID is not valid.',
    },
    action: reportSignIn,
  },
  SSO_ID_TOKEN_EXPIRED: {
    kind: 'bad-input',
    status: 400,
    actor: 'school',
    title: { vi: 'ID token hết hạn', en: 'ID token expired' },
    message: {
      vi: 'Thẻ định danh (ID token) từ VNeID đã hết hạn.',
      en: 'The ID token from VNeID has expired.',
    },
    action: {
      vi: 'Người dùng đăng nhập lại; nếu lặp lại, kiểm tra đồng hồ của máy chủ hub (NTP)',
      en: "The user signs in again; if it repeats, check the hub server's clock (NTP)",
    },
  },
  SSO_ID_TOKEN_NONCE: {
    kind: 'permanent',
    status: 400,
    actor: 'hub',
    title: { vi: 'ID token không thuộc yêu cầu này', en: 'ID token of another request' },
    message: {
      vi: 'Thẻ định danh (ID token) từ VNeID không thuộc yêu cầu đăng nhập này (nonce).',
      en: 'The ID token from VNeID does not belong to this sign-in request (nonce).',
    },
    action: reportSignIn,
  },
  SSO_ID_TOKEN_AUDIENCE: {
    kind: 'configuration',
    status: 400,
    actor: 'district-it',
    title: { vi: 'ID token cấp cho ứng dụng khác', en: 'ID token for another application' },
    message: {
      vi: 'Thẻ định danh (ID token) từ VNeID cấp cho ứng dụng khác.',
      en: 'The ID token from VNeID was issued to another application.',
    },
    action: {
      vi: 'Kiểm tra VNEID_CLIENT_ID đúng mã ứng dụng VNeID đã cấp cho hub',
      en: 'Check that VNEID_CLIENT_ID is the client id VNeID issued to the hub',
    },
  },
  SSO_ID_TOKEN_ISSUER: {
    kind: 'configuration',
    status: 400,
    actor: 'district-it',
    title: { vi: 'ID token không do VNeID đã cấu hình phát hành', en: 'ID token from another issuer' },
    message: {
      vi: 'Thẻ định danh (ID token) không do VNeID đã cấu hình phát hành.',
      en: 'The ID token was not issued by the configured VNeID.',
    },
    action: {
      vi: 'Kiểm tra VNEID_ISSUER và VNEID_BASE_URL',
      en: 'Check VNEID_ISSUER and VNEID_BASE_URL',
    },
  },
  SSO_ID_TOKEN_INVALID: {
    kind: 'permanent',
    status: 400,
    actor: 'hub',
    title: { vi: 'ID token không hợp lệ', en: 'Invalid ID token' },
    message: {
      vi: 'Thẻ định danh (ID token) từ VNeID không hợp lệ.',
      en: 'The ID token from VNeID is not valid.',
    },
    action: reportSignIn,
  },
  SSO_UPSTREAM_TAMPERED: {
    kind: 'permanent',
    status: 400,
    actor: 'hub',
    title: { vi: 'Dữ liệu VNeID không giải mã được', en: 'VNeID answer cannot be decrypted' },
    message: {
      vi: 'Dữ liệu mã hoá từ VNeID không giải mã được (có thể đã bị sửa đổi).',
      en: 'The encrypted answer from VNeID could not be decrypted (it may have been tampered with).',
    },
    action: {
      vi: 'Kiểm tra VNEID_PRIVATE_KEY_FILE là khoá đã đăng ký với VNeID; nếu đúng, báo nhóm phát triển',
      en: 'Check that VNEID_PRIVATE_KEY_FILE is the key registered with VNeID; if so, report it',
    },
  },
  SSO_UPSTREAM_INVALID_RESPONSE: {
    kind: 'permanent',
    status: 400,
    actor: 'city',
    title: { vi: 'VNeID trả lời sai định dạng', en: 'VNeID answered in an unexpected format' },
    message: {
      vi: 'VNeID trả lời không đúng định dạng.',
      en: 'VNeID answered in an unexpected format.',
    },
    action: {
      vi: 'Báo bộ phận hỗ trợ VNeID kèm thời điểm',
      en: 'Tell the VNeID helpdesk, with the time',
    },
  },
  SSO_CLAIMS_INVALID: {
    kind: 'permanent',
    status: 400,
    actor: 'city',
    title: { vi: 'Thông tin công dân từ VNeID thiếu', en: 'Citizen details from VNeID missing' },
    message: {
      vi: 'Thông tin công dân từ VNeID thiếu hoặc sai định dạng.',
      en: 'The citizen details from VNeID are missing or malformed.',
    },
    action: {
      vi: 'Kiểm tra các scope đã đăng ký với VNeID; nếu đủ, báo bộ phận hỗ trợ VNeID',
      en: 'Check the scopes registered with VNeID; if they are right, tell the VNeID helpdesk',
    },
  },
  SSO_NOT_CITIZEN: {
    kind: 'bad-input',
    status: 403,
    actor: 'school',
    title: { vi: 'Không phải tài khoản công dân', en: "Not a citizen's account" },
    message: {
      vi: 'Chỉ tài khoản định danh của công dân mới được đăng nhập (không phải tổ chức, doanh nghiệp).',
      en: 'Only a citizen’s identity account may sign in (not an organisation’s or a business’s).',
    },
    action: {
      vi: 'Người dùng đăng nhập bằng tài khoản VNeID cá nhân',
      en: 'The user signs in with a personal VNeID account',
    },
  },
  SSO_LEVEL_TOO_LOW: {
    kind: 'bad-input',
    status: 403,
    actor: 'school',
    title: { vi: 'Tài khoản định danh chưa đủ mức', en: 'Identity account level too low' },
    message: {
      vi: 'Ứng dụng này yêu cầu tài khoản định danh điện tử mức độ 2.',
      en: 'This application requires a level 2 electronic identity account.',
    },
    action: {
      vi: 'Người dùng nâng tài khoản VNeID lên mức 2 (tại công an phường, xã)',
      en: 'The user raises the VNeID account to level 2 (at the local police)',
    },
  },
  SSO_UNKNOWN_CITIZEN: {
    kind: 'bad-input',
    status: 403,
    actor: 'school',
    title: { vi: 'Không ai của trường ứng với tài khoản', en: 'No one of the schools matches' },
    message: {
      vi: 'Không tìm thấy giáo viên, phụ huynh hay học sinh nào của trường ứng với tài khoản này.',
      en: 'No teacher, guardian or student of the schools matches this account.',
    },
    action: {
      vi: 'Trường kiểm tra số định danh của người này trong phần mềm của trường',
      en: "The school checks this person's ID number in its software",
    },
  },
  SSO_NO_VERIFIED_GUARDIANSHIP: {
    kind: 'bad-input',
    status: 403,
    actor: 'school',
    title: { vi: 'Quan hệ phụ huynh chưa được xác minh', en: 'Guardianship not verified' },
    message: {
      vi: 'Quan hệ phụ huynh – học sinh của bạn chưa được nhà trường xác minh. Hãy liên hệ nhà trường.',
      en: 'Your guardianship of a student has not been verified by the school yet. Please contact the school.',
    },
    action: {
      vi: 'Trường xác minh quan hệ phụ huynh – học sinh',
      en: 'The school verifies the guardianship',
    },
  },
  SSO_ROLE_NOT_ALLOWED: {
    kind: 'bad-input',
    status: 403,
    actor: 'district-it',
    title: { vi: 'Vai trò không được dùng ứng dụng', en: 'Role not allowed' },
    message: {
      vi: 'Vai trò của bạn không được phép dùng ứng dụng này.',
      en: 'Your role is not allowed to use this application.',
    },
    action: {
      vi: 'Nếu vai trò này cần dùng ứng dụng, thêm nó vào vai trò được phép của ứng dụng (edubridge sso client)',
      en: "If the role should use it, add it to the application's allowed roles (edubridge sso client)",
    },
  },
  SSO_CLIENT_UNKNOWN: {
    kind: 'configuration',
    status: 400,
    actor: 'district-it',
    title: { vi: 'Ứng dụng không còn được đăng ký', en: 'Application no longer registered' },
    message: {
      vi: 'Ứng dụng yêu cầu đăng nhập không còn được đăng ký.',
      en: 'The application asking for the sign-in is no longer registered.',
    },
    action: {
      vi: 'Đăng ký lại ứng dụng (edubridge sso client add) nếu nó còn được dùng',
      en: 'Register the application again (edubridge sso client add) if it is still in use',
    },
  },
  SSO_UPSTREAM_UNAVAILABLE: {
    kind: 'unavailable',
    status: 502,
    actor: 'city',
    title: { vi: 'Không kết nối được VNeID', en: 'VNeID unreachable' },
    message: {
      vi: 'Không kết nối được VNeID. Hãy thử lại sau ít phút.',
      en: 'VNeID could not be reached. Please try again in a few minutes.',
    },
    action: {
      vi: 'Thử lại sau; nếu kéo dài, kiểm tra mạng tới VNeID rồi báo bộ phận hỗ trợ VNeID',
      en: 'Try again later; if it lasts, check the network to VNeID, then tell the VNeID helpdesk',
    },
  },

  // VietQR payloads: built for a fee notice, or read back.
  VIETQR_BANK_BIN: {
    kind: 'bad-input',
    status: 422,
    actor: 'district-it',
    title: { vi: 'Mã ngân hàng (BIN) không hợp lệ', en: 'Invalid bank BIN' },
    message: { vi: 'Mã ngân hàng (BIN) {reason}', en: 'The bank BIN {reason}' },
    values: ['reason'],
    action: {
      vi: 'Sửa bankBin (6 chữ số) của tài khoản thu (SSC_COLLECTION_ACCOUNTS)',
      en: 'Fix the collection account bankBin (6 digits) in SSC_COLLECTION_ACCOUNTS',
    },
  },
  VIETQR_ACCOUNT: {
    kind: 'bad-input',
    status: 422,
    actor: 'district-it',
    title: { vi: 'Số tài khoản không hợp lệ', en: 'Invalid account number' },
    message: { vi: 'Số tài khoản/số thẻ {reason}', en: 'The account or card number {reason}' },
    values: ['reason'],
    action: {
      vi: 'Sửa số tài khoản thu (SSC_COLLECTION_ACCOUNTS)',
      en: 'Fix the collection account in SSC_COLLECTION_ACCOUNTS',
    },
  },
  VIETQR_AMOUNT: {
    kind: 'bad-input',
    status: 422,
    actor: 'school',
    title: { vi: 'Số tiền không hợp lệ', en: 'Invalid amount' },
    message: { vi: 'Số tiền {reason}', en: 'The amount {reason}' },
    values: ['reason'],
    action: {
      vi: 'Số tiền là số nguyên dương VND, tối đa 13 chữ số',
      en: 'An amount is whole positive VND, at most 13 digits',
    },
  },
  VIETQR_SERVICE: {
    kind: 'bad-input',
    status: 422,
    actor: 'district-it',
    title: { vi: 'Mã dịch vụ VietQR không hợp lệ', en: 'Invalid VietQR service' },
    message: {
      vi: 'Mã dịch vụ phải là QRIBFTTA (tới tài khoản) hoặc QRIBFTTC (tới thẻ) (nhận được "{got}")',
      en: 'The service must be QRIBFTTA (to an account) or QRIBFTTC (to a card) (got "{got}")',
    },
    values: ['got'],
    action: { vi: 'Dùng QRIBFTTA hoặc QRIBFTTC', en: 'Use QRIBFTTA or QRIBFTTC' },
  },
  VIETQR_PURPOSE: {
    kind: 'bad-input',
    status: 422,
    actor: 'school',
    title: { vi: 'Nội dung chuyển khoản không hợp lệ', en: 'Invalid transfer purpose' },
    message: { vi: 'Nội dung chuyển khoản {reason}', en: 'The transfer purpose {reason}' },
    values: ['reason'],
    action: {
      vi: 'Rút gọn nội dung (tối đa 25 ký tự sau khi bỏ dấu)',
      en: 'Shorten the purpose (at most 25 characters once folded to ASCII)',
    },
  },
  VIETQR_BILL: {
    kind: 'bad-input',
    status: 422,
    actor: 'school',
    title: { vi: 'Số hoá đơn không hợp lệ', en: 'Invalid bill number' },
    message: {
      vi: 'Số hóa đơn phải có 1–{max} ký tự ASCII in được',
      en: 'The bill number must be 1–{max} printable ASCII characters',
    },
    values: ['max'],
    action: {
      vi: 'Sửa số phiếu báo thu trong phần mềm của trường',
      en: "Fix the notice number in the school's software",
    },
  },
  VIETQR_LENGTH: {
    kind: 'bad-input',
    status: 422,
    actor: 'school',
    title: { vi: 'Trường VietQR quá dài', en: 'VietQR field too long' },
    message: {
      vi: 'Trường {id} dài {length} ký tự, tối đa 99',
      en: 'Field {id} is {length} characters long, at most 99 are allowed',
    },
    values: ['id', 'length'],
    action: { vi: 'Rút ngắn giá trị', en: 'Shorten the value' },
  },
  VIETQR_FORMAT: {
    kind: 'bad-input',
    status: 422,
    actor: 'district-it',
    title: { vi: 'Chuỗi VietQR sai cấu trúc', en: 'Malformed VietQR payload' },
    message: { vi: 'Chuỗi VietQR sai cấu trúc: {reason}', en: 'Malformed VietQR payload: {reason}' },
    values: ['reason'],
    action: {
      vi: 'Quét lại mã QR; chuỗi phải là VietQR (EMVCo) đầy đủ',
      en: 'Scan the QR code again; the text must be a whole VietQR (EMVCo) payload',
    },
  },
  VIETQR_CRC: {
    kind: 'bad-input',
    status: 422,
    actor: 'district-it',
    title: { vi: 'Mã kiểm tra VietQR sai', en: 'Bad VietQR CRC' },
    message: {
      vi: 'Mã kiểm tra CRC sai (có {found}, tính được {expected}): chuỗi bị hỏng hoặc bị sửa',
      en: 'Bad CRC (found {found}, computed {expected}): the payload is damaged or was altered',
    },
    values: ['found', 'expected'],
    action: {
      vi: 'Không dùng mã này: quét lại, hoặc xin mã mới từ nơi phát hành',
      en: 'Do not use this code: scan again, or get a new one from whoever issued it',
    },
  },
} as const satisfies Record<string, ErrorEntry>;
