/**
 * The code-list sheets (danh mục, `DM_…`) a MOET template carries after its data sheet, and that
 * the template's dropdowns take their values from: the C1-HocSinh file MOET hands out holds about
 * sixteen of them (shared/domain/README.md §4.2). Made from the code lists of `mappings/codes/`,
 * the same the templates write their labels from, so a value chosen from a dropdown is one the
 * export (and the excel adapter reading the file back) knows.
 *
 * Only lists the repository holds with a source are written: religions, nationalities and the
 * other MOET catalogues have no list here yet, and a list made up would let a school choose a
 * value the city does not take. The provinces are the 63 of before the 1 July 2025 merger, the
 * only list with a confirmed source (`provinces.json`; the 34-province list is not confirmed).
 *
 * A sheet's header is neutral ("Mã", "Tên"): a header such as "Dân tộc" or "Mã lớp" would be
 * taken by the excel adapter for a data sheet's.
 */
import {
  ETHNICITY_CODES,
  LEARNING_LEVELS,
  PROVINCE_CODES,
  STUDENT_STATUSES,
} from '../../../../src/model/index.ts';
import genders from '../../../codes/genders.json' with { type: 'json' };
import subjects from '../../../codes/subjects.json' with { type: 'json' };
import teacherStatuses from '../../../codes/teacher-statuses.json' with { type: 'json' };
import { byClassName, type TemplateContext } from './common.ts';
import type { SchoolRecords } from './school.ts';

/** One code-list sheet: a header row, then a row per value. */
export interface CodeListSheet {
  /** The sheet's name, `DM_DanToc`; a column's `list` names it. */
  sheet: string;
  header: readonly string[];
  rows: ReadonlyArray<readonly string[]>;
  /** The column (1-based) holding what the data sheet's cells hold: a dropdown's values. */
  valueColumn: number;
  /** What the list is, for a dropdown's message: Vietnamese / English. */
  title: { vi: string; en: string };
  /**
   * A value not in the list is refused (`stop`, the default) or only questioned (`warning`), for a
   * list whose labels are not confirmed against MOET's catalogue.
   */
  errorStyle?: 'stop' | 'warning';
}

const numbered = (names: readonly string[]) => names.map((name, i) => [String(i + 1), name]);

/** Dân tộc: the 2-digit code and the name the templates write (`Kinh`). */
export const DM_DAN_TOC: CodeListSheet = {
  sheet: 'DM_DanToc',
  header: ['Mã', 'Tên dân tộc'],
  rows: [...ETHNICITY_CODES.values()].map((e) => [e.code, e.name]),
  valueColumn: 2,
  title: { vi: 'dân tộc', en: 'ethnic group' },
};

/** Tỉnh/thành phố: the 2-digit administrative code (`79`), the name, before the 2025 merger. */
export const DM_TINH_THANH: CodeListSheet = {
  sheet: 'DM_TinhThanh',
  header: ['Mã', 'Tên tỉnh/thành phố (trước 01/07/2025)'],
  rows: [...PROVINCE_CODES.values()].map((p) => [p.code.slice(1), p.name]),
  valueColumn: 2,
  title: { vi: 'tỉnh/thành phố', en: 'province' },
};

export const DM_GIOI_TINH: CodeListSheet = {
  sheet: 'DM_GioiTinh',
  header: ['Mã', 'Giới tính'],
  rows: genders.items.map((g) => [g.c06, g.name]),
  valueColumn: 2,
  title: { vi: 'giới tính', en: 'gender' },
};

/** The student statuses by their labels; MOET's own numbering of them is not known here. */
export const DM_TRANG_THAI_HS: CodeListSheet = {
  sheet: 'DM_TrangThaiHS',
  header: ['STT', 'Trạng thái học sinh'],
  rows: numbered([...STUDENT_STATUSES.values()].map((s) => s.name)),
  valueColumn: 2,
  title: { vi: 'trạng thái học sinh', en: 'student status' },
  // Five of the twelve labels are confirmed (student-statuses.json).
  errorStyle: 'warning',
};

export const DM_TRANG_THAI_CB: CodeListSheet = {
  sheet: 'DM_TrangThaiCB',
  header: ['STT', 'Trạng thái cán bộ'],
  rows: numbered(teacherStatuses.items.map((s) => s.name)),
  valueColumn: 2,
  title: { vi: 'trạng thái cán bộ', en: 'staff status' },
  // The labels are the usual ones of school software, not confirmed (teacher-statuses.json).
  errorStyle: 'warning',
};

/** The 2018 curriculum's subjects (EduBridge's codes: MOET publishes none), once each. */
export const DM_MON_HOC: CodeListSheet = {
  sheet: 'DM_MonHoc',
  header: ['Mã', 'Tên môn học', 'Cách đánh giá'],
  rows: [...new Map(subjects.items.map((s) => [s.code, s])).values()].map((s) => [
    s.code,
    s.name,
    s.evaluation === 'scored' ? 'Điểm số' : 'Nhận xét (Đ/CĐ)',
  ]),
  valueColumn: 2,
  title: { vi: 'môn học', en: 'subject' },
};

/** Mức đánh giá (Circular 22, Art. 9): learning results and conduct. */
export const DM_MUC_DANH_GIA: CodeListSheet = {
  sheet: 'DM_MucDanhGia',
  header: ['STT', 'Mức đánh giá'],
  rows: numbered(LEARNING_LEVELS),
  valueColumn: 2,
  title: { vi: 'mức đánh giá', en: 'level' },
};

/** The results of a subject assessed by comments (Circular 22). */
export const DM_NHAN_XET: CodeListSheet = {
  sheet: 'DM_NhanXet',
  header: ['Mã', 'Ý nghĩa'],
  rows: [
    ['Đ', 'Đạt'],
    ['CĐ', 'Chưa đạt'],
  ],
  valueColumn: 1,
  title: { vi: 'Đ hoặc CĐ', en: 'Đ or CĐ' },
};

/** The school's classes of the year, as its class records name them, in the order schools list them. */
export function classList(classNames: Iterable<string>): CodeListSheet {
  return {
    sheet: 'DM_Lop',
    header: ['STT', 'Lớp của trường'],
    rows: numbered([...classNames].sort(byClassName)),
    valueColumn: 2,
    title: { vi: 'lớp của trường', en: "school's class" },
  };
}

/** The class list of the year, when the school's class records give one (a row's class must be in it). */
export function classesOf(school: SchoolRecords, ctx: TemplateContext): CodeListSheet | undefined {
  const names = ctx.schoolYear ? school.classNames(ctx.schoolYear) : undefined;
  return names && names.size > 0 ? classList(names) : undefined;
}
