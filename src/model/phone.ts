/**
 * Phone numbers as spreadsheets hand them over. A Vietnamese number starts with 0: mobiles are
 * 10 digits (03x, 05x, 07x, 08x, 09x), landlines 11 (02x + the area and the line). Typed into a
 * General column, Excel keeps it as a number and drops the 0; a program writing numbers as
 * decimals adds ".0". Both are undone here, with a warning, never silently: no Vietnamese number
 * is 9 digits starting 3, 5, 7, 8 or 9, nor 10 digits starting 2, so the lost 0 is certain.
 */
import { type Problem, warning } from './problem.ts';

export interface PhoneCheck {
  /** The number as it should be stored. */
  normalized: string;
  problems: Problem[];
}

const AS_TEXT = {
  vi: 'trong Excel, định dạng cột là Text (Văn bản) trước khi nhập hoặc dán',
  en: 'in Excel, format the column as Text before typing or pasting',
};

/**
 * Puts back the 0 Excel dropped from a phone number and removes a decimal ".0"; leaves anything
 * else as written (the schema checks its shape).
 *
 * @example
 * checkPhone('912345678', 'guardians.0.phone').normalized // '0912345678'
 */
export function checkPhone(raw: string, field: string): PhoneCheck {
  const problems: Problem[] = [];
  let text = raw.trim();
  const decimal = /^(\d{8,12})[.,]0{1,2}$/.exec(text);
  if (decimal) {
    text = decimal[1]!;
    problems.push(
      warning(
        'PHONE_DECIMAL_REMOVED',
        field,
        `Số điện thoại có phần thập phân ",0" (đã được lưu thành số thực); đã bỏ phần thập phân — ${AS_TEXT.vi}`,
        `The phone number had a decimal ".0" (it was stored as a decimal); the decimal part was removed — ${AS_TEXT.en}`,
      ),
    );
  }
  const digits = text.replace(/[\s.-]/g, '');
  const mobile = /^[35789]\d{8}$/.test(digits);
  if (mobile || /^2\d{9}$/.test(digits)) {
    problems.push(
      warning(
        'PHONE_LEADING_ZERO_RESTORED',
        field,
        `Số điện thoại ${mobile ? 'di động có 9' : 'cố định có 10'} chữ số (Excel đã bỏ số 0 đầu); đã thêm lại số 0 — ${AS_TEXT.vi}`,
        `A ${mobile ? '9-digit mobile' : '10-digit landline'} number (Excel dropped its leading 0); the 0 was restored — ${AS_TEXT.en}`,
      ),
    );
    return { normalized: `0${digits}`, problems };
  }
  return { normalized: text, problems };
}
