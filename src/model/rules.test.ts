import { describe, expect, it } from 'vitest';
import { DatasetChecker } from './dataset.ts';
import { personalDataFields } from './personal-data.ts';
import { StudentSchema, TeacherSchema } from './records.ts';
import { checkRecord, type RuleContext } from './rules.ts';

const ctx: RuleContext = { asOf: new Date('2026-11-27T00:00:00Z') };
const source = { adapter: 'excel', schoolCode: '79NB0001', pulledAt: '2026-11-20T08:00:00+07:00' };

function student(overrides: Record<string, unknown> = {}) {
  return {
    type: 'student',
    key: 'smas-nbk:HS-0001',
    source,
    schoolCode: '79NB0001',
    studentCode: '7900012345',
    personalId: '079213004521',
    fullName: 'Nguyễn Minh Khôi',
    birthDate: '2013-04-02',
    gender: 'male',
    ethnicityCode: '01',
    className: '8A2',
    schoolYear: '2026-2027',
    status: 'studying',
    guardians: [
      {
        relationship: 'father',
        fullName: 'Nguyễn Văn Hùng',
        personalId: '079083001234',
        phone: '0903123456',
      },
      { relationship: 'mother', fullName: 'Trần Thị Lan', personalId: '079185002345' },
    ],
    ...overrides,
  };
}

const codesOf = (input: unknown) => checkRecord(input, ctx).problems.map((p) => p.code);

describe('student rules', () => {
  it('accepts a consistent student with two parents', () => {
    expect(checkRecord(student(), ctx)).toMatchObject({ valid: true, problems: [] });
  });

  it('reports a missing required field by name', () => {
    const { fullName: _, ...rest } = student();
    const check = checkRecord(rest, ctx);
    expect(check.valid).toBe(false);
    expect(check.problems).toMatchObject([{ code: 'SCHEMA_REQUIRED', field: 'fullName' }]);
  });

  it('reports an unknown record type', () => {
    expect(codesOf({ type: 'pupil' })).toEqual(['RECORD_TYPE_UNKNOWN']);
  });

  it('checks the personal ID against the birth date and gender', () => {
    expect(codesOf(student({ gender: 'female' }))).toEqual(['PERSONAL_ID_CENTURY_GENDER']);
    expect(codesOf(student({ birthDate: '2012-04-02', className: '9A2' }))).toEqual([
      'PERSONAL_ID_BIRTH_YEAR',
    ]);
  });

  it('restores a dropped leading zero in the stored record', () => {
    const check = checkRecord(student({ personalId: '79213004521' }), ctx);
    expect(check.valid).toBe(true);
    expect(check.record).toMatchObject({ personalId: '079213004521' });
    expect(check.problems.map((p) => p.code)).toEqual(['PERSONAL_ID_LEADING_ZERO_RESTORED']);
  });

  it('accepts an ID number that Excel handed over as a number and restores its zero', () => {
    const check = checkRecord(student({ personalId: 79213004521 }), ctx);
    expect(check.record).toMatchObject({ personalId: '079213004521' });
    expect(check.problems.map((p) => p.code)).toEqual(['PERSONAL_ID_LEADING_ZERO_RESTORED']);
  });

  it('normalises the name in the stored record', () => {
    const check = checkRecord(student({ fullName: 'Nguyễn  Minh Khôi'.normalize('NFD') }), ctx);
    expect(check.record).toMatchObject({ fullName: 'Nguyễn Minh Khôi' });
    expect(check.problems.map((p) => p.code)).toEqual(['NAME_NORMALISED']);
  });

  it('rejects a guardian who is a minor, judged from the ID when there is no birth date', () => {
    const guardians = [{ relationship: 'guardian', fullName: 'Nguyễn Minh Tâm', personalId: '079210004000' }];
    const check = checkRecord(student({ guardians }), ctx);
    expect(check.problems).toMatchObject([{ code: 'GUARDIAN_NOT_ADULT', field: 'guardians.0' }]);
  });

  it("rejects a guardian whose ID is the student's own", () => {
    const guardians = [{ relationship: 'guardian', fullName: 'Nguyễn Văn Hùng', personalId: '079213004521' }];
    expect(codesOf(student({ guardians }))).toContain('PERSONAL_ID_DUPLICATE');
  });

  it('warns when a father has a female ID number', () => {
    const guardians = [{ relationship: 'father', fullName: 'Nguyễn Văn Hùng', personalId: '079185002345' }];
    expect(codesOf(student({ guardians }))).toEqual(['GUARDIAN_RELATIONSHIP_GENDER']);
  });

  it('checks the guardian ID and names the nested field', () => {
    const guardians = [{ relationship: 'mother', fullName: 'Trần Thị Lan', personalId: '003185002345' }];
    expect(checkRecord(student({ guardians }), ctx).problems).toMatchObject([
      { code: 'PERSONAL_ID_PROVINCE', field: 'guardians.0.personalId' },
    ]);
  });

  it('flags a birth date that does not fit the grade, with repeaters tolerated', () => {
    // 8th grade in 2026–27: expected age 13 in 2026 (born 2013); up to 3 years older (repeaters) or 1 younger
    expect(codesOf(student({ personalId: '079209004521', birthDate: '2009-04-02' }))).toEqual([
      'STUDENT_AGE_GRADE',
    ]);
    expect(codesOf(student({ personalId: '079211004521', birthDate: '2011-04-02' }))).toEqual([]);
    expect(codesOf(student({ personalId: '079215004521', birthDate: '2015-04-02' }))).toEqual([
      'STUDENT_AGE_GRADE',
    ]);
  });

  it('rejects an unknown ethnicity code', () => {
    expect(codesOf(student({ ethnicityCode: '77' }))).toEqual(['ETHNICITY_CODE_UNKNOWN']);
  });

  it('rejects a birth date in the future', () => {
    expect(
      codesOf(student({ personalId: undefined, birthDate: '2027-01-01', className: undefined })),
    ).toEqual(['BIRTH_DATE_FUTURE', 'STUDENT_PERSONAL_ID_MISSING']);
  });
});

const assessment = (overrides: Record<string, unknown> = {}) => ({
  type: 'assessment',
  key: 'vnedu:8A2-TOAN-1-0001',
  source,
  schoolCode: '79NB0001',
  schoolYear: '2025-2026',
  semester: 1,
  studentCode: '7900012345',
  className: '8A2',
  subjectCode: 'TOAN',
  evaluation: 'scored',
  regular: [5.9, 5.1, 4.9, 6.0],
  midterm: 6.2,
  final: 5.2,
  ...overrides,
});

describe('assessment rules (Circular 22)', () => {
  it('recomputes the semester average and keeps it', () => {
    const check = checkRecord(assessment(), ctx);
    expect(check.problems).toEqual([]);
    expect(check.record).toMatchObject({ average: 5.5 }); // (21.9 + 12.4 + 15.6) / 9 = 5.544… → 5.5
  });

  it("flags a source's average that differs from the recomputed one", () => {
    const check = checkRecord(assessment({ regular: [5.9, 5.1, 4.9, 6.0], average: 5.4 }), ctx);
    expect(check.problems).toMatchObject([{ code: 'ASSESSMENT_AVERAGE_MISMATCH', severity: 'warning' }]);
    expect(check.problems[0]?.message.en).toContain('5.4');
  });

  it('requires 4 regular assessments for mathematics (140 periods) and 2 for informatics (35)', () => {
    expect(codesOf(assessment({ regular: [5, 6, 7] }))).toEqual(['ASSESSMENT_REGULAR_COUNT']);
    expect(codesOf(assessment({ subjectCode: 'TIN', regular: [5, 6] }))).toEqual([]);
    expect(codesOf(assessment({ subjectCode: 'CN', regular: [5, 6] }))).toEqual(['ASSESSMENT_REGULAR_COUNT']); // 52 periods in grade 8 → 3
  });

  it('rejects a score with two decimals and names the field', () => {
    expect(checkRecord(assessment({ final: 5.25 }), ctx).problems).toMatchObject([
      { code: 'SCORE_PRECISION', field: 'final' },
    ]);
  });

  it('rejects a subject not taught in the grade', () => {
    expect(codesOf(assessment({ subjectCode: 'VL' }))).toEqual(['SUBJECT_UNKNOWN']);
  });

  it('rejects scores for a commented subject', () => {
    expect(codesOf(assessment({ subjectCode: 'GDTC' }))).toEqual(['ASSESSMENT_EVALUATION_KIND']);
  });

  it('recomputes the result of a commented subject', () => {
    const commented = assessment({
      subjectCode: 'GDTC',
      evaluation: 'commented',
      regular: ['Đ', 'Đ', 'CĐ'],
      midterm: 'Đ',
      final: 'Đ',
      result: 'Đ',
    });
    const check = checkRecord(commented, ctx);
    expect(check.problems.map((p) => p.code)).toEqual(['ASSESSMENT_RESULT_MISMATCH']);
    expect(check.record).toMatchObject({ result: 'CĐ' });
  });

  it('warns when the final is still missing', () => {
    expect(codesOf(assessment({ final: undefined }))).toEqual(['ASSESSMENT_INCOMPLETE']);
  });
});

describe('learning result rules', () => {
  const subjects = [
    ...['NV', 'TOAN', 'NN1', 'LSDL', 'KHTN', 'GDCD'].map((subjectCode) => ({
      subjectCode,
      evaluation: 'scored',
      average: 8.5,
    })),
    { subjectCode: 'TIN', evaluation: 'scored', average: 3.0 },
    { subjectCode: 'GDTC', evaluation: 'commented', result: 'Đ' },
  ];
  const result = (overrides: Record<string, unknown> = {}) => ({
    type: 'learningResult',
    key: 'vnedu:LR-0001-HK1',
    source,
    schoolCode: '79NB0001',
    schoolYear: '2025-2026',
    period: 'semester1',
    studentCode: '7900012345',
    className: '8A2',
    subjects,
    ...overrides,
  });

  it('recomputes the level with the Art. 9(3) adjustment', () => {
    const check = checkRecord(result({ level: 'Đạt' }), ctx);
    expect(check.problems).toEqual([]);
    expect(check.record).toMatchObject({ level: 'Đạt' });
  });

  it("flags a source's level that differs", () => {
    expect(checkRecord(result({ level: 'Chưa đạt' }), ctx).problems).toMatchObject([
      { code: 'LEARNING_LEVEL_MISMATCH', field: 'level' },
    ]);
  });

  it('recomputes a yearly average from the two semesters', () => {
    const yearly = subjects.map((s) =>
      s.subjectCode === 'TOAN' ? { ...s, semester1: 8.5, semester2: 8.6, average: 8.5 } : s,
    );
    const check = checkRecord(result({ period: 'year', subjects: yearly }), ctx);
    expect(check.problems.map((p) => p.code)).toEqual(['YEAR_AVERAGE_MISMATCH']);
    expect(check.record).toMatchObject({
      subjects: expect.arrayContaining([expect.objectContaining({ average: 8.6 })]),
    });
  });
});

describe('fees and invoices', () => {
  it('checks that a notice total is the sum of its items', () => {
    const receivable = {
      type: 'receivable',
      key: 'ssc:PBT-1',
      source,
      schoolCode: '79NB0001',
      schoolYear: '2025-2026',
      receivableNo: 'PBT-1',
      studentCode: '7900012345',
      items: [
        { feeCode: 'BHYT', amount: 1_263_000 },
        { feeCode: 'BANTRU', amount: 700_000 },
      ],
      total: 1_900_000,
      dueDate: '2025-10-15',
      paymentReference: 'NBK7900012345',
      status: 'open',
    };
    expect(codesOf(receivable)).toEqual(['RECEIVABLE_TOTAL']);
    expect(codesOf({ ...receivable, total: 1_963_000 })).toEqual([]);
  });

  it('warns of a fee code outside the shared list of fee types, without refusing the record', () => {
    const feeItem = {
      type: 'feeItem',
      key: 'ssc:KT-BHYT',
      source,
      schoolCode: '79NB0001',
      schoolYear: '2025-2026',
      feeCode: 'BHYT',
      name: 'Bảo hiểm y tế học sinh',
      amount: 1_263_600,
      period: 'year',
      mandatory: true,
    };
    expect(codesOf(feeItem)).toEqual([]);
    const typo = checkRecord({ ...feeItem, feeCode: 'BHTY' }, ctx);
    expect(typo.valid).toBe(true);
    expect(typo.problems).toEqual([
      expect.objectContaining({ code: 'FEE_CODE_UNLISTED', severity: 'warning', field: 'feeCode' }),
    ]);
  });

  it('checks the e-invoice series of Circular 78', () => {
    const invoice = {
      type: 'invoice',
      key: 'ssc:HD-1',
      source,
      schoolCode: '79NB0001',
      kind: 'e_invoice',
      template: '1',
      series: 'C26TAA',
      number: '0000123',
      issuedAt: '2026-01-05',
      studentCode: '7900012345',
      total: 1_963_000,
    };
    expect(codesOf(invoice)).toEqual([]);
    expect(codesOf({ ...invoice, series: 'X26TAA' })).toEqual(['INVOICE_SERIES']);
  });
});

describe('dataset rules', () => {
  const valid = (input: unknown) => {
    const check = checkRecord(input, ctx);
    if (!check.record) throw new Error('fixture does not parse');
    return check.record;
  };

  it('finds the same student entered twice under two keys', () => {
    const dataset = new DatasetChecker();
    expect(dataset.check(valid(student()))).toEqual([]);
    const again = valid(student({ key: 'smas-nbk:HS-0099', studentCode: '7900099999' }));
    expect(dataset.check(again)).toMatchObject([{ code: 'PERSONAL_ID_DUPLICATE', field: 'personalId' }]);
  });

  it('finds two different people sharing one ID', () => {
    const dataset = new DatasetChecker();
    dataset.check(valid(student()));
    const other = valid(student({ key: 'x:2', studentCode: '2', fullName: 'Lê Văn Tám' }));
    expect(dataset.check(other).map((p) => p.message.en)).toEqual([
      "The personal ID already belongs to another student in this school's data",
    ]);
  });

  it('accepts the same parents for two siblings and a teacher who is also a parent', () => {
    const dataset = new DatasetChecker();
    dataset.check(valid(student()));
    const sibling = valid(
      student({
        key: 'x:2',
        studentCode: '2',
        fullName: 'Nguyễn Minh Anh',
        personalId: '079313004522',
        gender: 'female',
      }),
    );
    expect(dataset.check(sibling)).toEqual([]);
    const teacher = valid({
      type: 'teacher',
      key: 'x:GV1',
      source,
      schoolCode: '79NB0001',
      teacherCode: 'GV1',
      personalId: '079185002345',
      fullName: 'Trần Thị Lan',
    });
    expect(dataset.check(teacher)).toEqual([]);
  });

  it('finds a repeated key and a repeated student code', () => {
    const dataset = new DatasetChecker();
    dataset.check(valid(student()));
    const twin = valid(student({ personalId: '079213004599', fullName: 'Nguyễn Minh Khang' }));
    expect(dataset.check(twin).map((p) => p.code)).toEqual([
      'RECORD_KEY_DUPLICATE',
      'STUDENT_CODE_DUPLICATE',
    ]);
  });

  it("reports a minor without any guardian at the end, with the caller's reference", () => {
    const dataset = new DatasetChecker<string>({ asOf: ctx.asOf });
    expect(dataset.check(valid(student({ guardians: [] })), 'students.jsonl:7')).toEqual([]);
    expect(dataset.finish()).toMatchObject([
      { ref: 'students.jsonl:7', problem: { code: 'STUDENT_GUARDIAN_MISSING', field: 'guardians' } },
    ]);
  });

  it('accepts guardians given as guardianship records, before or after the student', () => {
    const guardianship = (studentKey: string) =>
      valid({
        type: 'guardianship',
        key: `x:G-${studentKey}`,
        source,
        schoolCode: '79NB0001',
        studentKey,
        guardianKey: 'x:P-1',
        relationship: 'mother',
      });
    const dataset = new DatasetChecker<string>({ asOf: ctx.asOf });
    dataset.check(valid(student({ key: 'x:1', guardians: [] })), 'a');
    dataset.check(guardianship('x:1'));
    dataset.check(guardianship('x:2'));
    dataset.check(
      valid(student({ key: 'x:2', studentCode: '2', personalId: '079213004522', guardians: [] })),
      'b',
    );
    expect(dataset.finish()).toEqual([]);
  });

  it('does not require a guardian for an adult learner', () => {
    const dataset = new DatasetChecker({ asOf: ctx.asOf });
    const adult = student({
      personalId: '079206004521',
      birthDate: '2006-01-10',
      className: '12A1',
      schoolYear: '2024-2025',
      guardians: [],
    });
    expect(codesOf(adult)).toEqual([]);
    dataset.check(valid(adult));
    expect(dataset.finish()).toEqual([]);
  });

  it('warns of a student code a zero or two shorter than the school’s, whose codes start with 0', () => {
    const dataset = new DatasetChecker<string>({ asOf: ctx.asOf });
    const add = (code: string, i: number) =>
      dataset.check(
        valid(
          student({
            key: `x:${code}`,
            studentCode: code,
            personalId: `0792130045${String(i).padStart(2, '0')}`,
          }),
        ),
        `row ${i}`,
      );
    // Hà Nội's codes start 01…: typed as numbers, Excel leaves 9 digits (or 8).
    for (const [i, code] of [
      '0100000001',
      '0100000002',
      '0100000003',
      '0100000004',
      '0100000005',
      '0100000006',
    ].entries()) {
      add(code, i);
    }
    add('100000007', 7);
    add('10000008', 8);
    expect(dataset.finish()).toMatchObject([
      {
        ref: 'row 7',
        problem: { code: 'STUDENT_CODE_LEADING_ZERO', severity: 'warning', field: 'studentCode' },
      },
      { ref: 'row 8', problem: { code: 'STUDENT_CODE_LEADING_ZERO' } },
    ]);
  });

  it('says nothing of short codes when no code of the school starts with 0, or lengths vary', () => {
    const codes = (list: string[]) => {
      const dataset = new DatasetChecker<string>({ asOf: ctx.asOf });
      for (const [i, code] of list.entries()) {
        dataset.check(
          valid(
            student({
              key: `x:${code}`,
              studentCode: code,
              personalId: `0792130045${String(i).padStart(2, '0')}`,
            }),
          ),
          `row ${i}`,
        );
      }
      return dataset.finish().map((l) => l.problem.code);
    };
    expect(
      codes(['7900000001', '7900000002', '7900000003', '7900000004', '7900000005', '790000006']),
    ).toEqual([]);
    expect(
      codes(['0100000001', '0100000002', '12345', '123456', '1234567', '12345678', '123456789']),
    ).toEqual([]);
  });

  it('keeps schools apart', () => {
    const dataset = new DatasetChecker();
    dataset.check(valid(student()));
    expect(dataset.check(valid(student({ schoolCode: '79HP0002' })))).toEqual([]);
  });
});

describe('personal-data marks', () => {
  it('marks ethnicity as sensitive and identity fields as personal, nested guardians included', () => {
    const fields = personalDataFields(StudentSchema);
    expect(fields.ethnicityCode?.class).toBe('sensitive');
    expect(fields.personalId?.class).toBe('personal');
    expect(fields['guardians[].personalId']?.class).toBe('personal');
    expect(fields['guardians[].phone']?.class).toBe('personal');
    expect(fields.studentCode).toBeUndefined();
    expect(personalDataFields(TeacherSchema).email?.class).toBe('personal');
  });
});
