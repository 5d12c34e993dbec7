/**
 * Shared pieces of the city Education DB (CSDL ngành, csdl.hcm.edu.vn) v1 mapping: its field
 * formats and the code lists it uses. The city publishes no API (domain README §4.1): field names
 * follow the MOET Excel templates (C1-HocSinh, CSDL_GiaoVien, KetQuaHocTap) and C06 (`GioiTinh`,
 * `MaDanToc`, `SoDinhDanh`); everything else is assumed and listed in `openapi/city-edudb.md`.
 */
import { z } from 'zod';
import { ETHNICITY_CODES, STUDENT_STATUSES } from '../../../src/model/index.ts';
import { RecordError } from '../../../src/sdk/errors.ts';
import genders from '../../codes/genders.json' with { type: 'json' };
import relationships from '../../codes/relationships.json' with { type: 'json' };
import teacherStatuses from '../../codes/teacher-statuses.json' with { type: 'json' };
import weekdays from '../../codes/weekdays.json' with { type: 'json' };

/** Every record the city cannot take is this error, naming the canonical field. */
export function unmappable(field: string, vi: string, en: string): RecordError {
  return new RecordError('FIELD_UNMAPPABLE', `${vi} / ${en}`, { field });
}

// ---------------------------------------------------------------------------------------------
// Output field formats (zod), shared by the streams' schemas

/** dd/MM/yyyy, as the MOET templates write dates. */
export const dmy = () =>
  z.string().regex(/^(0[1-9]|[12]\d|3[01])\/(0[1-9]|1[0-2])\/\d{4}$/, 'date as dd/MM/yyyy');
export const code = () => z.string().trim().min(1).max(50);
export const text = () => z.string().trim().min(1).max(200);
/** Số định danh cá nhân: 12 digits (Law on Identity 26/2023). */
export const personalIdOut = () => z.string().regex(/^\d{12}$/, 'số định danh: 12 digits');
/** C06 GioiTinh: 1 male, 2 female. */
export const genderOut = () => z.enum(['1', '2']);
export const ethnicityOut = () => z.string().regex(/^\d{2}$/, 'MaDanToc: 2 digits');
export const phoneOut = () => z.string().regex(/^\+?\d{8,15}$/, 'phone: 8–15 digits');
export const schoolYearOut = () => z.string().regex(/^\d{4}-\d{4}$/, 'NamHoc as YYYY-YYYY');
export const scoreOut = () => z.number().min(0).max(10);
export const commentOut = () => z.enum(['Đ', 'CĐ']);

// ---------------------------------------------------------------------------------------------
// Conversions; each throws a RecordError naming `field`

/** `2013-04-09` → `09/04/2013`. */
export function toDmy(iso: string, field: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso);
  if (!m) throw unmappable(field, `Ngày "${iso}" không hợp lệ`, `Date "${iso}" is not YYYY-MM-DD`);
  return `${m[3]}/${m[2]}/${m[1]}`;
}

const genderCodes = new Map(genders.items.map((g) => [g.code, g.c06]));
export function toGender(gender: string, field: string): '1' | '2' {
  const c06 = genderCodes.get(gender);
  if (c06 !== '1' && c06 !== '2')
    throw unmappable(field, `Giới tính "${gender}" không có mã`, `Gender "${gender}" has no code`);
  return c06;
}

export function toEthnicity(value: string, field: string): string {
  if (!ETHNICITY_CODES.has(value))
    throw unmappable(field, `Mã dân tộc "${value}" không có trong danh mục`, `Unknown ethnicity code`);
  return value;
}

/** The city wants the 12-digit number; the rules restore Excel's lost zero before this. */
export function toPersonalId(value: string, field: string): string {
  if (!/^\d{12}$/.test(value))
    throw unmappable(
      field,
      'Số định danh cá nhân phải có 12 chữ số',
      'The personal ID number must have 12 digits',
    );
  return value;
}

/** Phone as digits (and a leading +): spaces, dots and dashes dropped. */
export function toPhone(value: string, field: string): string {
  const digits = value.replace(/[ .-]/g, '');
  if (!/^\+?\d{8,15}$/.test(digits))
    throw unmappable(field, `Số điện thoại "${value}" không hợp lệ`, 'Phone number is not 8–15 digits');
  return digits;
}

/** Trạng thái HS as the template writes it (the label, e.g. "Đang học"). */
export function toStudentStatus(status: string, field: string): string {
  const item = STUDENT_STATUSES.get(status);
  if (!item) throw unmappable(field, `Trạng thái "${status}" không có trong danh mục`, 'Unknown status');
  return item.name;
}

const teacherStatusLabels = new Map(teacherStatuses.items.map((s) => [s.code, s.name]));
export function toTeacherStatus(status: string, field: string): string {
  const label = teacherStatusLabels.get(status);
  if (!label) throw unmappable(field, `Trạng thái "${status}" không có trong danh mục`, 'Unknown status');
  return label;
}

const weekdayNumbers = new Map(weekdays.items.map((w) => [Number(w.code), w.city]));
export function toWeekday(isoWeekday: number, field: string): number {
  const n = weekdayNumbers.get(isoWeekday);
  if (n === undefined) throw unmappable(field, `Thứ "${isoWeekday}" không hợp lệ`, 'Weekday must be 1–7');
  return n;
}

export const RELATIONSHIP_LABELS: ReadonlyMap<string, string> = new Map(
  relationships.items.map((r) => [r.code, r.name]),
);

/**
 * Mã lớp. The city's own class code format is unknown (❓): until it is, a class is addressed by
 * school, school year and class name, `79NB0001.2025.6A1`, which is stable and unique.
 */
export function classCode(schoolCode: string, schoolYear: string, className: string, field = 'className') {
  const name = className.trim();
  if (!/^[0-9A-Za-z]{1,12}$/.test(name))
    throw unmappable(field, `Tên lớp "${className}" không dùng được làm mã`, 'Class name cannot form a code');
  return `${schoolCode}.${schoolYear.slice(0, 4)}.${name}`;
}

export function required<T>(value: T | undefined, field: string, vi: string, en: string): T {
  if (value === undefined || value === null || value === '') throw unmappable(field, vi, en);
  return value;
}

/**
 * Parses a mapped record with the city's schema; a failure becomes a RecordError naming the
 * canonical field (through `fields`, output → canonical) or else the output field.
 */
export function conform<S extends z.ZodType>(
  schema: S,
  value: unknown,
  fields: Record<string, string> = {},
): z.infer<S> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  const out = issue.path.map(String).join('.');
  const field = fields[String(issue.path[0])] ?? out;
  throw unmappable(
    field,
    `Trường ${out} không hợp lệ: ${issue.message}`,
    `Field ${out} is invalid: ${issue.message}`,
  );
}
