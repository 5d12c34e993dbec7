import { describe, expect, it } from 'vitest';
import {
  type Assessment,
  type CanonicalRecord,
  learningLevel,
  type Student,
  semesterAverage,
  yearAverage,
} from '../../../../src/model/index.ts';
import {
  DM_DAN_TOC,
  DM_GIOI_TINH,
  DM_MUC_DANH_GIA,
  DM_NHAN_XET,
  DM_TINH_THANH,
  DM_TRANG_THAI_HS,
  type RowOutcome,
  SchoolRecords,
  studentLinks,
  studentResult,
  TEMPLATES,
  type TemplateContext,
  TemplateSkip,
  teacherRowOf,
} from './index.ts';

const source = { adapter: 'smas', schoolCode: '79NB0001', pulledAt: '2026-06-15T00:00:00+07:00' };
const head = { source, schoolCode: '79NB0001' };
const ctx: TemplateContext = { schoolCode: '79NB0001', schoolYear: '2025-2026', period: 'year' };

const student: Student = {
  type: 'student',
  key: 'smas-nbk:HS-1',
  ...head,
  studentCode: '7900000001',
  personalId: '079214000001',
  fullName: 'Nguyễn Gia Bảo',
  birthDate: '2014-04-09',
  gender: 'male',
  ethnicityCode: '01',
  guardians: [],
};

function school(...records: CanonicalRecord[]): SchoolRecords {
  const s = new SchoolRecords('79NB0001');
  for (const r of records) s.add(r);
  return s;
}

const enrollment = (className: string, statusDate = '2025-09-05'): CanonicalRecord => ({
  type: 'enrollment',
  key: `smas-nbk:EN-${className}-${statusDate}`,
  ...head,
  schoolYear: '2025-2026',
  studentCode: student.studentCode,
  className,
  status: 'studying',
  statusDate,
});

const skipOf = (fn: () => unknown): TemplateSkip => {
  try {
    fn();
  } catch (error) {
    if (error instanceof TemplateSkip) return error;
    throw error;
  }
  throw new Error('no TemplateSkip thrown');
};

const skippedOf = (rows: Iterable<RowOutcome>) =>
  [...rows].flatMap((r) => ('skipped' in r ? [r.skipped] : []));

describe('C1-HocSinh rows', () => {
  it('take the class and status of the latest enrollment of the year', () => {
    const s = school(student, enrollment('6A1'), enrollment('6A2', '2026-01-19'));
    expect(studentLinks(student, s, ctx)).toMatchObject({
      className: '6A2',
      status: 'studying',
      statusDate: '2026-01-19',
    });
  });

  it('take the parents of guardianship records from their person records, primary contact first', () => {
    const s = school(
      student,
      enrollment('6A1'),
      { type: 'person', key: 'smas-nbk:P-1', ...head, fullName: 'Trần Thị Mai', phone: '0938123456' },
      { type: 'person', key: 'smas-nbk:P-2', ...head, fullName: 'Nguyễn Văn Hùng', birthDate: '1983-02-01' },
      {
        type: 'guardianship',
        key: 'smas-nbk:G-1',
        ...head,
        studentKey: student.key,
        guardianKey: 'smas-nbk:P-2',
        relationship: 'father',
        primaryContact: false,
      },
      {
        type: 'guardianship',
        key: 'smas-nbk:G-2',
        ...head,
        studentKey: student.key,
        guardianKey: 'smas-nbk:P-1',
        relationship: 'mother',
        primaryContact: true,
      },
    );
    expect(studentLinks(student, s, ctx).guardians).toEqual([
      { relationship: 'mother', fullName: 'Trần Thị Mai', phone: '0938123456' },
      { relationship: 'father', fullName: 'Nguyễn Văn Hùng', birthDate: '1983-02-01' },
    ]);
  });

  it('report a student without a class of the year by key and field', () => {
    const s = school({ ...student, className: '6A1', schoolYear: '2024-2025' });
    const rows = [...TEMPLATES['C1-HocSinh'].rows(s, ctx)];
    expect(rows).toEqual([]);
    const skip = skipOf(() => studentLinks(student, school(student), ctx));
    expect(skip.skipped).toMatchObject({ key: student.key, field: 'className' });
    expect(skip.message).toMatch(/không có lớp .* \/ .* has no class/);
  });

  it('report a class the school does not have, a broken guardianship, a second father', () => {
    const classRecord: CanonicalRecord = {
      type: 'class',
      key: 'smas-nbk:C-6A1',
      ...head,
      schoolYear: '2025-2026',
      className: '6A1',
      grade: 6,
    };
    expect(
      skipOf(() => studentLinks(student, school(student, classRecord, enrollment('6A9')), ctx)).field,
    ).toBe('className');
    const link: CanonicalRecord = {
      type: 'guardianship',
      key: 'smas-nbk:G-9',
      ...head,
      studentKey: student.key,
      guardianKey: 'smas-nbk:P-9',
      relationship: 'father',
      primaryContact: false,
    };
    expect(
      skipOf(() => studentLinks(student, school(student, enrollment('6A1'), link), ctx)).skipped,
    ).toMatchObject({ key: student.key, field: 'guardians' });
    const twoFathers: Student = {
      ...student,
      guardians: [
        { relationship: 'father', fullName: 'Nguyễn Văn Hùng' },
        { relationship: 'father', fullName: 'Lê Văn Tám' },
      ],
    };
    expect(skipOf(() => studentLinks(twoFathers, school(twoFathers, enrollment('6A1')), ctx)).field).toBe(
      'guardians.1.relationship',
    );
  });

  it('report an unknown ethnicity code without quoting it (sensitive data)', () => {
    const s = school({ ...student, ethnicityCode: '99' }, enrollment('6A1'));
    const [skipped] = skippedOf(TEMPLATES['C1-HocSinh'].rows(s, ctx));
    expect(skipped).toMatchObject({ key: student.key, field: 'ethnicityCode' });
    expect(skipped!.reason).not.toContain('99');
  });
});

describe('CSDL_GiaoVien rows', () => {
  const teacher = {
    type: 'teacher' as const,
    key: 'smas-nbk:GV-1',
    ...head,
    teacherCode: 'GV0001',
    fullName: 'Nguyễn Thị Hằng',
    subjectCodes: ['TOAN', 'HDTN'],
    status: 'working' as const,
  };

  it('name subjects so that the list splits back into them ("Hoạt động trải nghiệm" loses its comma)', () => {
    const row = teacherRowOf(teacher, 1);
    expect(row.at(-1)).toBe('Toán, Hoạt động trải nghiệm hướng nghiệp');
    expect(row.at(-3)).toBe('Đang làm việc');
  });

  it('report a subject outside the curriculum by its index', () => {
    expect(skipOf(() => teacherRowOf({ ...teacher, subjectCodes: ['TOAN', 'XYZ'] }, 1)).field).toBe(
      'subjectCodes.1',
    );
  });
});

describe('KetQuaHocTap results', () => {
  const scored = (
    semester: 1 | 2,
    subjectCode: string,
    regular: number[],
    midterm?: number,
    final?: number,
  ) =>
    ({
      type: 'assessment',
      key: `smas-nbk:A-${semester}-${subjectCode}`,
      ...head,
      schoolYear: '2025-2026',
      semester,
      studentCode: student.studentCode,
      className: '6A1',
      subjectCode,
      evaluation: 'scored',
      regular,
      ...(midterm !== undefined ? { midterm } : {}),
      ...(final !== undefined ? { final } : {}),
      // A stated average the export must not trust.
      average: 0,
    }) as Assessment;
  const commented = (semester: 1 | 2, subjectCode: string, n: number, fail = false) =>
    ({
      type: 'assessment',
      key: `smas-nbk:A-${semester}-${subjectCode}`,
      ...head,
      schoolYear: '2025-2026',
      semester,
      studentCode: student.studentCode,
      className: '6A1',
      subjectCode,
      evaluation: 'commented',
      regular: Array.from({ length: n }, (_, i) => (fail && i === 0 ? 'CĐ' : 'Đ')),
      midterm: 'Đ',
      final: 'Đ',
      result: 'Đ',
    }) as Assessment;
  const SCORED = { NV: 4, TOAN: 4, NN1: 4, GDCD: 2, LSDL: 4, KHTN: 4, CN: 2, TIN: 2 } as const;
  const COMMENTED = { GDTC: 3, AN: 2, MT: 2, HDTN: 4, GDDP: 2 } as const;
  const book = (semester: 1 | 2, base: number) => [
    ...Object.entries(SCORED).map(([code, n]) =>
      scored(semester, code, Array<number>(n).fill(base + 0.5), base, base + 0.3),
    ),
    ...Object.entries(COMMENTED).map(([code, n]) =>
      commented(semester, code, n, semester === 2 && code === 'AN'),
    ),
  ];

  it('recompute each subject from its assessments, never the stated average, and the level from those', () => {
    const result = studentResult(student.key, [...book(1, 7), ...book(2, 8.2)], 'year');
    const s1 = semesterAverage([7.5, 7.5, 7.5, 7.5], 7, 7.3);
    const s2 = semesterAverage([8.7, 8.7, 8.7, 8.7], 8.2, 8.5);
    expect(result.subjects.get('TOAN')).toBe(yearAverage(s1, s2));
    // Music failed in semester II: the year's result is semester II's.
    expect(result.subjects.get('AN')).toBe('CĐ');
    expect(result.subjects.get('GDTC')).toBe('Đ');
    const scoredValues = [...result.subjects.values()].filter((v): v is number => typeof v === 'number');
    expect(result.level).toBe(
      learningLevel({ scored: scoredValues, commented: ['Đ', 'CĐ', 'Đ', 'Đ', 'Đ'] }).level,
    );
    expect(result.className).toBe('6A1');
  });

  it('give a semester its own averages', () => {
    const result = studentResult(student.key, [...book(1, 7), ...book(2, 8.2)], 'semester1');
    expect(result.subjects.get('NV')).toBe(semesterAverage([7.5, 7.5, 7.5, 7.5], 7, 7.3));
    expect(result.subjects.get('AN')).toBe('Đ');
  });

  it('report a missing final by the assessment key, and a subject of the curriculum without assessments', () => {
    const books = book(1, 7).map((a) => (a.subjectCode === 'TOAN' ? scored(1, 'TOAN', [7, 7, 7, 7], 7) : a));
    expect(skipOf(() => studentResult(student.key, books, 'semester1')).skipped).toMatchObject({
      key: 'smas-nbk:A-1-TOAN',
      field: 'final',
    });
    const withoutMaths = book(1, 7).filter((a) => a.subjectCode !== 'TOAN');
    const skip = skipOf(() => studentResult(student.key, withoutMaths, 'semester1'));
    expect(skip.skipped).toMatchObject({ key: student.key, field: 'assessments' });
    expect(skip.message).toContain('Toán');
  });

  it('have a column per subject of the school, in curriculum order', () => {
    const s = school(student, ...book(1, 7));
    const headers = TEMPLATES.KetQuaHocTap.columns(s, { ...ctx, period: 'semester1' }).map((c) => c.header);
    expect(headers.slice(6, 9)).toEqual(['Ngữ văn', 'Toán', 'Ngoại ngữ 1']);
    expect(headers.slice(-2)).toEqual(['Kết quả học tập', 'Kết quả rèn luyện']);
  });

  it('check a scored subject as a score from 0 to 10 and take Đ/CĐ for a commented one from its list', () => {
    const s = school(student, ...book(1, 7));
    const columns = TEMPLATES.KetQuaHocTap.columns(s, { ...ctx, period: 'semester1' });
    const byHeader = new Map(columns.map((c) => [c.header, c]));
    expect(byHeader.get('Toán')).toMatchObject({ between: { min: 0, max: 10 }, numFmt: '0.0' });
    expect(byHeader.get('Toán')?.list).toBeUndefined();
    expect(byHeader.get('Giáo dục thể chất')?.list).toBe(DM_NHAN_XET);
    expect(byHeader.get('Kết quả học tập')?.list).toBe(DM_MUC_DANH_GIA);
    expect(byHeader.get('Kết quả rèn luyện')?.list).toBe(DM_MUC_DANH_GIA);
    expect(TEMPLATES.KetQuaHocTap.codeLists(s, ctx)).toEqual(
      expect.arrayContaining([DM_NHAN_XET, DM_MUC_DANH_GIA]),
    );
  });
});

describe('code-list sheets', () => {
  const classRecord = (className: string): CanonicalRecord => ({
    type: 'class',
    key: `smas-nbk:L-${className}`,
    ...head,
    schoolYear: '2025-2026',
    className,
    grade: Number.parseInt(className, 10),
  });

  it('come with every template, each column with a dropdown pointing at one of its sheets', () => {
    const s = school(student, enrollment('6A1'), classRecord('6A1'));
    for (const template of Object.values(TEMPLATES)) {
      const sheets = template.codeLists(s, ctx);
      for (const column of template.columns(s, ctx)) {
        if (column.list) expect(sheets, `${template.id} ${column.header}`).toContainEqual(column.list);
      }
      expect(new Set(sheets.map((l) => l.sheet)).size).toBe(sheets.length);
      for (const list of sheets) {
        expect(list.sheet).toMatch(/^DM_\w+$/);
        for (const row of list.rows) expect(row).toHaveLength(list.header.length);
      }
    }
  });

  it('hold ethnic groups and provinces for the student and staff lists, by the names the templates write', () => {
    const s = school(student);
    for (const id of ['C1-HocSinh', 'CSDL_GiaoVien'] as const) {
      expect(TEMPLATES[id].codeLists(s, ctx)).toEqual(expect.arrayContaining([DM_DAN_TOC, DM_TINH_THANH]));
    }
    expect(DM_DAN_TOC.rows).toContainEqual(['01', 'Kinh']);
    expect(DM_DAN_TOC.rows).toHaveLength(56);
    expect(DM_TINH_THANH.rows).toContainEqual(['79', 'TP. Hồ Chí Minh']);
    expect(DM_TINH_THANH.rows).toHaveLength(63);
    // What a row holds is a value of its column's list.
    const [row] = [...TEMPLATES['C1-HocSinh'].rows(school(student, enrollment('6A1')), ctx)];
    const cells = 'cells' in row! ? row.cells : [];
    const columns = TEMPLATES['C1-HocSinh'].columns(s, ctx);
    const valuesOf = (header: string) => {
      const list = columns.find((c) => c.header === header)!.list!;
      return list.rows.map((r) => r[list.valueColumn - 1]);
    };
    const cellOf = (header: string) => cells[columns.findIndex((c) => c.header === header)];
    for (const [header, list] of [
      ['Giới tính', DM_GIOI_TINH],
      ['Dân tộc', DM_DAN_TOC],
      ['Trạng thái HS', DM_TRANG_THAI_HS],
    ] as const) {
      expect(columns.find((c) => c.header === header)?.list).toBe(list);
      expect(valuesOf(header)).toContain(cellOf(header));
    }
  });

  it("give the class column the school's classes of the year when its class records list them", () => {
    const without = school(student, enrollment('6A1'));
    expect(
      TEMPLATES['C1-HocSinh'].columns(without, ctx).find((c) => c.header === 'Mã lớp')?.list,
    ).toBeUndefined();
    expect(TEMPLATES['C1-HocSinh'].codeLists(without, ctx).map((l) => l.sheet)).not.toContain('DM_Lop');
    const withClasses = school(
      student,
      enrollment('6A1'),
      classRecord('6A10'),
      classRecord('6A2'),
      classRecord('6A1'),
    );
    const list = TEMPLATES['C1-HocSinh'].columns(withClasses, ctx).find((c) => c.header === 'Mã lớp')?.list;
    expect(list?.sheet).toBe('DM_Lop');
    expect(list?.rows).toEqual([
      ['1', '6A1'],
      ['2', '6A2'],
      ['3', '6A10'],
    ]);
  });
});
