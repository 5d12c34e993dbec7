/**
 * The MOET Excel templates the city's upload (csdl.hcm.edu.vn) takes today, made from canonical
 * records: `C1-HocSinh` (students, parents inline), `CSDL_GiaoVien` (staff) and `KetQuaHocTap`
 * (learning results recomputed under Circular 22). Pure: a template turns one school's records
 * into title rows, a header and rows; writing the workbook is `src/targets/excel-export.ts`.
 *
 * Headers, sheet names, title rows and labels are those the excel adapter (`adapters/excel/`)
 * reads, so an exported file read back gives the same canonical records on the fields it carries.
 *
 * @example
 * const template = TEMPLATES['C1-HocSinh'];
 * const school = new SchoolRecords('79NB0001');
 * for (const record of records) school.add(record);
 * const ctx = { schoolCode: '79NB0001', schoolYear: '2025-2026', period: 'year' } as const;
 * template.columns(school, ctx).map((c) => c.header); // ['STT', 'Mã lớp', 'Mã học sinh', …]
 * for (const row of template.rows(school, ctx)) 'cells' in row ? write(row.cells) : report(row.skipped);
 */
import { c1HocSinh } from './c1-hoc-sinh.ts';
import type { ExportTemplate, ResultPeriod } from './common.ts';
import { csdlGiaoVien } from './csdl-giao-vien.ts';
import { ketQuaHocTap } from './ket-qua-hoc-tap.ts';

export {
  C1_COLUMNS,
  C1_SHEET,
  c1RowOf,
  guardiansOf,
  type StudentLinks,
  studentLinks,
} from './c1-hoc-sinh.ts';
export {
  type CodeListSheet,
  classesOf,
  classList,
  DM_DAN_TOC,
  DM_GIOI_TINH,
  DM_MON_HOC,
  DM_MUC_DANH_GIA,
  DM_NHAN_XET,
  DM_TINH_THANH,
  DM_TRANG_THAI_CB,
  DM_TRANG_THAI_HS,
} from './code-lists.ts';
export {
  dmy,
  type ExportTemplate,
  type ResultPeriod,
  type RowOutcome,
  type SkippedRecord,
  type TemplateCell,
  type TemplateColumn,
  type TemplateContext,
  TemplateSkip,
} from './common.ts';
export { CSDL_GIAO_VIEN_SHEET, TEACHER_COLUMNS, teacherRowOf } from './csdl-giao-vien.ts';
export {
  KET_QUA_HOC_TAP_SHEET,
  resultRowOf,
  resultSubjects,
  type StudentResult,
  studentResult,
} from './ket-qua-hoc-tap.ts';
export { SchoolRecords } from './school.ts';

export const TEMPLATES = {
  'C1-HocSinh': c1HocSinh,
  CSDL_GiaoVien: csdlGiaoVien,
  KetQuaHocTap: ketQuaHocTap,
} as const satisfies Record<string, ExportTemplate>;

export type TemplateId = keyof typeof TEMPLATES;
export const TEMPLATE_IDS = Object.keys(TEMPLATES) as TemplateId[];

export const isTemplateId = (id: string): id is TemplateId => Object.hasOwn(TEMPLATES, id);

/** How the templates name a learning-result period: HK1, HK2, CN (cả năm). */
export const RESULT_PERIODS = { HK1: 'semester1', HK2: 'semester2', CN: 'year' } as const satisfies Record<
  string,
  ResultPeriod
>;
export type ResultPeriodLabel = keyof typeof RESULT_PERIODS;
