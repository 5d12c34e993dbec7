/**
 * The `CSDL_GiaoVien` staff list: a dozen of the template's columns (the others are left out, as a
 * school's export often does), under the school's title rows.
 */
import { ETHNICITY_CODES } from '../../../src/model/codes.ts';
import type { Teacher } from '../../../src/model/records.ts';
import { dmy, openWorkbook, writeHeader, writeTitles } from './workbook.ts';

/** How schools write the 2018 curriculum's subjects in their own sheets. */
export const SUBJECT_SHORT_NAMES: Record<string, string> = {
  NV: 'Ngữ văn',
  TOAN: 'Toán',
  NN1: 'Tiếng Anh',
  GDCD: 'GDCD',
  LSDL: 'LS&ĐL',
  KHTN: 'KHTN',
  CN: 'Công nghệ',
  TIN: 'Tin học',
  GDTC: 'GDTC',
  AN: 'Âm nhạc',
  MT: 'Mĩ thuật',
  HDTN: 'HĐTN',
  GDDP: 'GDĐP',
};

export const subjectName = (code: string): string => SUBJECT_SHORT_NAMES[code] ?? code;

const STATUS: Record<Teacher['status'], string> = {
  working: 'Đang làm việc',
  on_leave: 'Tạm nghỉ',
  retired: 'Nghỉ hưu',
  transferred: 'Chuyển công tác',
  left: 'Thôi việc',
};

export const TEACHER_HEADERS = [
  'STT',
  'Mã cán bộ',
  'Họ và tên',
  'Ngày sinh',
  'Giới tính',
  'Dân tộc',
  'Số định danh cá nhân',
  'Email',
  'Số điện thoại',
  'Trạng thái CB',
  'Vị trí việc làm',
  'Nhóm chức vụ',
  'Môn dạy',
] as const;

export async function writeTeachersWorkbook(options: {
  teachers: readonly Teacher[];
  output: string;
  schoolName: string;
  schoolYear: string;
  created: Date;
}): Promise<void> {
  const wb = openWorkbook(options.output, { created: options.created });
  const ws = wb.addWorksheet('CSDL_GiaoVien');
  writeTitles(
    ws,
    [options.schoolName.toUpperCase(), `DANH SÁCH CÁN BỘ, GIÁO VIÊN NĂM HỌC ${options.schoolYear}`],
    TEACHER_HEADERS.length,
  );
  writeHeader(ws, TEACHER_HEADERS);
  options.teachers.forEach((t, i) => {
    ws.addRow([
      i + 1,
      t.teacherCode,
      t.fullName,
      t.birthDate ? dmy(t.birthDate) : null,
      t.gender === undefined ? null : t.gender === 'male' ? 'Nam' : 'Nữ',
      t.ethnicityCode ? (ETHNICITY_CODES.get(t.ethnicityCode)?.name ?? t.ethnicityCode) : null,
      t.personalId ?? null,
      t.email ?? null,
      t.phone ?? null,
      STATUS[t.status],
      t.position ?? null,
      'Giáo viên',
      t.subjectCodes.map(subjectName).join(', '),
    ]).commit();
  });
  ws.commit();
  await wb.commit();
}
