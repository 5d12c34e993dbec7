/**
 * `C1-HocSinh`: the MOET student list the city's upload takes, data in `Sheet1` under the Sở's and
 * the school's title rows, one row per student with parents inline (a column group each for the
 * father, the mother and one other guardian). The class and status come from the student's
 * enrollment in the school year (else the student's own `className`), the parents from the
 * student's inline `guardians[]` and from guardianship records pointing to person records.
 *
 * Columns the canonical model has nothing for are left empty (Loại khuyết tật) or left out
 * (addresses, birthplace, occupations): the hub does not collect them (Decree 356/2025).
 */
import type { Enrollment, Guardian, Student } from '../../../../src/model/index.ts';
import { classesOf, DM_DAN_TOC, DM_GIOI_TINH, DM_TINH_THANH, DM_TRANG_THAI_HS } from './code-lists.ts';
import {
  byClassName,
  departmentTitle,
  dmy,
  type ExportTemplate,
  ethnicityLabel,
  genderLabel,
  type RowOutcome,
  schoolTitle,
  studentStatusLabel,
  type TemplateCell,
  type TemplateColumn,
  type TemplateContext,
  TemplateSkip,
  yearTitle,
} from './common.ts';
import type { SchoolRecords } from './school.ts';

export const C1_SHEET = 'Sheet1';

const RELATIONS = [
  { rel: 'father', vi: 'cha' },
  { rel: 'mother', vi: 'mẹ' },
  { rel: 'guardian', vi: 'người giám hộ' },
] as const;

export const C1_COLUMNS: readonly TemplateColumn[] = [
  { header: 'STT', width: 6 },
  { header: 'Mã lớp', width: 8 },
  { header: 'Mã học sinh', width: 14 },
  { header: 'Họ tên', width: 26 },
  { header: 'Ngày sinh', width: 12 },
  { header: 'Giới tính', width: 9, list: DM_GIOI_TINH },
  { header: 'Trạng thái HS', width: 14, list: DM_TRANG_THAI_HS },
  { header: 'Ngày nhập trạng thái', width: 12 },
  { header: 'Dân tộc', width: 10, list: DM_DAN_TOC },
  { header: 'Loại khuyết tật', width: 12 },
  { header: 'Số định danh cá nhân', width: 15 },
  ...RELATIONS.flatMap(({ vi }) => [
    { header: `Họ tên ${vi}`, width: 24 },
    { header: `Số định danh ${vi}`, width: 15 },
    { header: `Ngày sinh ${vi}`, width: 12 },
    { header: `SĐT ${vi}`, width: 12 },
  ]),
];

/** What a student's row needs besides the student record. */
export interface StudentLinks {
  className: string;
  status?: string;
  statusDate?: string;
  /** At most one per relationship. */
  guardians: Guardian[];
}

/** The enrollment that holds in the year: the latest by status date (the last given on a tie). */
function currentEnrollment(enrollments: readonly Enrollment[]): Enrollment | undefined {
  let current: Enrollment | undefined;
  for (const e of enrollments) if (!current || e.statusDate >= current.statusDate) current = e;
  return current;
}

/** Is the student on the year's list: enrolled in it, or their own record says that year (or none)? */
export function onRoll(student: Student, school: SchoolRecords, schoolYear: string | undefined): boolean {
  if (schoolYear === undefined) return true;
  if (school.enrollmentsOf(student.studentCode, schoolYear).length > 0) return true;
  return student.schoolYear === undefined || student.schoolYear === schoolYear;
}

const sameGuardian = (a: Guardian, b: Guardian): boolean =>
  a.relationship === b.relationship &&
  (a.personalId !== undefined && b.personalId !== undefined
    ? a.personalId === b.personalId
    : a.fullName.normalize('NFC').trim().toLowerCase() === b.fullName.normalize('NFC').trim().toLowerCase());

/** The student's parents: inline ones first, then those of guardianship records (primary contact first). */
export function guardiansOf(student: Student, school: SchoolRecords): Guardian[] {
  const guardians: Guardian[] = [...student.guardians];
  const links = [...school.guardianshipsOf(student.key)].sort(
    (a, b) => Number(b.primaryContact) - Number(a.primaryContact),
  );
  for (const link of links) {
    const person = school.person(link.guardianKey);
    if (!person) {
      throw new TemplateSkip(
        student.key,
        'guardians',
        `Quan hệ ${link.key} trỏ tới người "${link.guardianKey}" không có trong dữ liệu đầu vào`,
        `Guardianship ${link.key} points to person "${link.guardianKey}", who is not in the input`,
      );
    }
    const guardian: Guardian = {
      relationship: link.relationship,
      fullName: person.fullName,
      ...(person.personalId !== undefined ? { personalId: person.personalId } : {}),
      ...(person.phone !== undefined ? { phone: person.phone } : {}),
      ...(person.birthDate !== undefined ? { birthDate: person.birthDate } : {}),
    };
    if (!guardians.some((g) => sameGuardian(g, guardian))) guardians.push(guardian);
  }
  guardians.forEach((g, i) => {
    if (guardians.findIndex((o) => o.relationship === g.relationship) !== i) {
      const vi = RELATIONS.find((r) => r.rel === g.relationship)!.vi;
      throw new TemplateSkip(
        student.key,
        `guardians.${i}.relationship`,
        `Mẫu C1-HocSinh chỉ có một nhóm cột cho ${vi}, học sinh có hai`,
        `The C1-HocSinh template has one column group per ${g.relationship}; the student has two`,
      );
    }
  });
  return guardians;
}

/**
 * Class, status and parents of a student for the year. Throws TemplateSkip when the student has
 * no class, a class the school's class list does not hold, or parents the template cannot carry.
 */
export function studentLinks(student: Student, school: SchoolRecords, ctx: TemplateContext): StudentLinks {
  const year = ctx.schoolYear;
  const enrollment = year ? currentEnrollment(school.enrollmentsOf(student.studentCode, year)) : undefined;
  const className =
    enrollment?.className ??
    (year === undefined || student.schoolYear === undefined || student.schoolYear === year
      ? student.className
      : undefined);
  if (!className?.trim()) {
    throw new TemplateSkip(
      student.key,
      'className',
      `Học sinh ${student.studentCode} không có lớp${year ? ` trong năm học ${year}` : ''} (không có bản ghi enrollment, không có className)`,
      `Student ${student.studentCode} has no class${year ? ` in ${year}` : ''} (no enrollment record, no className)`,
    );
  }
  const classes = year ? school.classNames(year) : undefined;
  if (classes && !classes.has(className)) {
    throw new TemplateSkip(
      enrollment?.key ?? student.key,
      'className',
      `Lớp "${className}" không có trong danh sách lớp năm học ${year} của trường`,
      `Class "${className}" is not among the school's classes of ${year}`,
    );
  }
  const status = enrollment?.status ?? student.status;
  return {
    className,
    ...(status !== undefined ? { status } : {}),
    ...(enrollment ? { statusDate: enrollment.statusDate } : {}),
    guardians: guardiansOf(student, school),
  };
}

function guardianCells(g: Guardian | undefined): TemplateCell[] {
  if (!g) return [null, null, null, null];
  return [g.fullName, g.personalId ?? null, g.birthDate ? dmy(g.birthDate) : null, g.phone ?? null];
}

/**
 * One student's row. IDs stay text (a number would lose the leading zero), dates dd/mm/yyyy text,
 * codes as the template's labels.
 *
 * @example
 * c1RowOf(student, { className: '6A1', status: 'studying', statusDate: '2025-09-05', guardians }, 1)
 * // [1, '6A1', '7988503709', 'Trần Minh Ngọc', '04/11/2014', 'Nữ', 'Đang học', '05/09/2025', 'Kinh', null, '079314031761', …]
 */
export function c1RowOf(student: Student, links: StudentLinks, stt: number): TemplateCell[] {
  const byRel = (rel: Guardian['relationship']) => links.guardians.find((g) => g.relationship === rel);
  return [
    stt,
    links.className,
    student.studentCode,
    student.fullName,
    dmy(student.birthDate),
    genderLabel(student.key, student.gender),
    links.status !== undefined ? studentStatusLabel(student.key, links.status) : null,
    links.statusDate ? dmy(links.statusDate) : null,
    student.ethnicityCode !== undefined ? ethnicityLabel(student.key, student.ethnicityCode) : null,
    null,
    student.personalId ?? null,
    ...guardianCells(byRel('father')),
    ...guardianCells(byRel('mother')),
    ...guardianCells(byRel('guardian')),
  ];
}

function* c1Rows(school: SchoolRecords, ctx: TemplateContext): Iterable<RowOutcome> {
  const ready: Array<{ student: Student; links: StudentLinks }> = [];
  const seen = new Map<string, string>();
  for (const student of school.all('student')) {
    if (!onRoll(student, school, ctx.schoolYear)) continue;
    const first = seen.get(student.studentCode);
    if (first !== undefined) {
      yield {
        skipped: new TemplateSkip(
          student.key,
          'studentCode',
          `Mã học sinh ${student.studentCode} đã có ở bản ghi ${first}`,
          `Student code ${student.studentCode} is already used by ${first}`,
        ).skipped,
      };
      continue;
    }
    seen.set(student.studentCode, student.key);
    try {
      ready.push({ student, links: studentLinks(student, school, ctx) });
    } catch (error) {
      if (!(error instanceof TemplateSkip)) throw error;
      yield { skipped: error.skipped };
    }
  }
  // Class by class, as schools list them; within a class, the input's order.
  ready.sort((a, b) => byClassName(a.links.className, b.links.className));
  let stt = 0;
  for (const { student, links } of ready) {
    try {
      const cells = c1RowOf(student, links, stt + 1);
      stt++;
      yield { cells };
    } catch (error) {
      if (!(error instanceof TemplateSkip)) throw error;
      yield { skipped: error.skipped };
    }
  }
}

export const c1HocSinh: ExportTemplate = {
  id: 'C1-HocSinh',
  sheet: C1_SHEET,
  description: 'Danh sách học sinh / Student list',
  recordTypes: ['student', 'enrollment', 'class', 'guardianship', 'person'],
  titles: (ctx) => [departmentTitle(ctx.school), schoolTitle(ctx), `DANH SÁCH HỌC SINH${yearTitle(ctx)}`],
  columns: (school, ctx) => {
    const classes = classesOf(school, ctx);
    return C1_COLUMNS.map((c) => (c.header === 'Mã lớp' && classes ? { ...c, list: classes } : c));
  },
  codeLists: (school, ctx) => [
    ...[classesOf(school, ctx)].filter((c) => c !== undefined),
    DM_GIOI_TINH,
    DM_TRANG_THAI_HS,
    DM_DAN_TOC,
    DM_TINH_THANH,
  ],
  rows: c1Rows,
};
