/**
 * `CSDL_GiaoVien`: the MOET staff list, one row per teacher under the school's title rows. The
 * template has 72 columns; these are the ones the canonical model carries (the city's upload maps
 * by header text, and a school's export often leaves the rest out). Subjects taught are written by
 * name, comma-separated ("Toán, Tin học").
 */
import type { Teacher } from '../../../../src/model/index.ts';
import { DM_DAN_TOC, DM_GIOI_TINH, DM_MON_HOC, DM_TINH_THANH, DM_TRANG_THAI_CB } from './code-lists.ts';
import {
  attempt,
  departmentTitle,
  dmy,
  type ExportTemplate,
  ethnicityLabel,
  genderLabel,
  type RowOutcome,
  schoolTitle,
  subjectListName,
  type TemplateCell,
  type TemplateColumn,
  type TemplateContext,
  TemplateSkip,
  teacherStatusLabel,
  yearTitle,
} from './common.ts';
import type { SchoolRecords } from './school.ts';

export const CSDL_GIAO_VIEN_SHEET = 'CSDL_GiaoVien';

export const TEACHER_COLUMNS: readonly TemplateColumn[] = [
  { header: 'STT', width: 6 },
  { header: 'Mã cán bộ', width: 14 },
  { header: 'Họ và tên', width: 26 },
  { header: 'Ngày sinh', width: 12 },
  { header: 'Giới tính', width: 9, list: DM_GIOI_TINH },
  { header: 'Dân tộc', width: 10, list: DM_DAN_TOC },
  { header: 'Số định danh cá nhân', width: 15 },
  { header: 'Email', width: 34 },
  { header: 'Số điện thoại', width: 13 },
  { header: 'Trạng thái CB', width: 15, list: DM_TRANG_THAI_CB },
  { header: 'Vị trí việc làm', width: 26 },
  { header: 'Môn dạy', width: 24 },
];

/**
 * One teacher's row.
 *
 * @example
 * teacherRowOf(teacher, 1)
 * // [1, 'GV13071451', 'Nguyễn Thị Hằng', '06/06/1977', 'Nữ', 'Kinh', '079177759807', 'hangnt@…', '0795013136', 'Đang làm việc', 'Giáo viên THCS hạng II', 'Ngữ văn']
 */
export function teacherRowOf(t: Teacher, stt: number): TemplateCell[] {
  return [
    stt,
    t.teacherCode,
    t.fullName,
    t.birthDate ? dmy(t.birthDate) : null,
    t.gender !== undefined ? genderLabel(t.key, t.gender) : null,
    t.ethnicityCode !== undefined ? ethnicityLabel(t.key, t.ethnicityCode) : null,
    t.personalId ?? null,
    t.email ?? null,
    t.phone ?? null,
    teacherStatusLabel(t.key, t.status),
    t.position ?? null,
    t.subjectCodes.map((code, i) => subjectListName(t.key, code, `subjectCodes.${i}`)).join(', ') || null,
  ];
}

function* teacherRows(school: SchoolRecords, _ctx: TemplateContext): Iterable<RowOutcome> {
  const seen = new Map<string, string>();
  let stt = 0;
  for (const teacher of school.teachers()) {
    const first = seen.get(teacher.teacherCode);
    if (first !== undefined) {
      yield {
        skipped: new TemplateSkip(
          teacher.key,
          'teacherCode',
          `Mã cán bộ ${teacher.teacherCode} đã có ở bản ghi ${first}`,
          `Staff code ${teacher.teacherCode} is already used by ${first}`,
        ).skipped,
      };
      continue;
    }
    seen.set(teacher.teacherCode, teacher.key);
    const outcome = attempt(() => teacherRowOf(teacher, stt + 1));
    if ('cells' in outcome) stt++;
    yield outcome;
  }
}

export const csdlGiaoVien: ExportTemplate = {
  id: 'CSDL_GiaoVien',
  sheet: CSDL_GIAO_VIEN_SHEET,
  description: 'Danh sách cán bộ, giáo viên / Staff list',
  recordTypes: ['teacher'],
  titles: (ctx) => [
    departmentTitle(ctx.school),
    schoolTitle(ctx),
    `DANH SÁCH CÁN BỘ, GIÁO VIÊN${yearTitle(ctx)}`,
  ],
  columns: () => [...TEACHER_COLUMNS],
  // Môn dạy holds a list ("Toán, Tin học"): DM_MonHoc names the subjects, without a dropdown.
  codeLists: () => [DM_GIOI_TINH, DM_DAN_TOC, DM_TINH_THANH, DM_TRANG_THAI_CB, DM_MON_HOC],
  rows: teacherRows,
};
