/**
 * Fields people share in student and teacher lists: ID number, ethnicity, phone, name as written.
 */
import { type CellValue, idText, isBlank } from '../cells.ts';
import { ethnicityCodeOf } from '../codes.ts';
import type { RowView } from '../rows.ts';

export const PERSONAL_ID_ALIASES = [
  'Số định danh cá nhân',
  'Mã định danh',
  'Mã định danh cá nhân',
  'Số định danh',
  'Số ĐDCN',
  'CCCD',
  'Số CCCD',
  'CCCD/Mã định danh',
  'Căn cước công dân',
  'Số căn cước công dân',
  'Căn cước',
  'Số căn cước',
  'SoDinhDanh',
] as const;

export const BIRTH_DATE_ALIASES = [
  'Ngày sinh',
  'Ngày tháng năm sinh',
  'Ngày, tháng, năm sinh',
  'NgaySinh',
] as const;
export const GENDER_ALIASES = ['Giới tính', 'Giới', 'GioiTinh', 'Nam/Nữ'] as const;
export const ETHNICITY_ALIASES = ['Dân tộc', 'Mã dân tộc', 'DanToc'] as const;

/** A name cell as written (the model's name rule normalises it and says so). */
export function nameOf(value: CellValue): string {
  return typeof value === 'string' ? value : value === undefined ? '' : String(value);
}

/** The ID number as text: Excel's number 79206012345 stays 11 digits for the model to restore. */
export function personalIdOf(view: RowView, field: string): string | undefined {
  const value = view.get(field);
  if (isBlank(value)) return undefined;
  return idText(value);
}

export function ethnicityOf(view: RowView): string | undefined {
  const value = view.get('ethnicity');
  if (isBlank(value)) return undefined;
  const code = ethnicityCodeOf(typeof value === 'number' ? value : idText(value));
  if (code !== undefined) return code;
  // Ethnicity is sensitive personal data: the message does not repeat the value.
  throw view.fail(
    'CODE_UNKNOWN',
    'ethnicity',
    `"${view.label('ethnicity')}" không có trong danh mục dân tộc (tên như "Kinh", "Hoa" hoặc mã 01–54, 55, 00)`,
    `"${view.label('ethnicity')}" is not in the ethnicity code list (a name such as "Kinh", "Hoa" or a code 01–54, 55, 00)`,
    'ethnicityCode',
  );
}

const PHONE = /^\+?[0-9 .-]{8,15}$/;

/**
 * A phone number: of "0912… / 0987…" the first is kept. Excel's number 912345678 is kept as its
 * digits: the model's rule puts the 0 back with a warning (PHONE_LEADING_ZERO_RESTORED), as it
 * does an ID's. Undefined for an empty cell; a rejection for anything else that is not a number,
 * saying what Excel did when it shows (scientific notation).
 */
export function phoneOf(view: RowView, field: string, canonical: string): string | undefined {
  const value = view.get(field);
  if (isBlank(value)) return undefined;
  const text = idText(value);
  const first = text.split(/[/,;]|\s{2,}/)[0]!.trim();
  if (PHONE.test(first)) return first;
  const scientific = /^\d+(?:[.,]\d+)?e[+-]?\d+$/i.test(text);
  throw view.fail(
    'PHONE_INVALID',
    field,
    scientific
      ? `"${view.label(field)}" ở dạng khoa học do Excel tạo (ví dụ 9,12E+08): các chữ số cuối đã mất; nhập lại số — trong Excel, định dạng cột là Text (Văn bản) trước khi nhập hoặc dán`
      : `"${view.label(field)}" không phải số điện thoại (8–15 chữ số)`,
    scientific
      ? `"${view.label(field)}" is in Excel's scientific notation (e.g. 9.12E+08): its last digits are lost; re-enter the number — in Excel, format the column as Text before typing or pasting`
      : `"${view.label(field)}" is not a phone number (8–15 digits)`,
    canonical,
  );
}
