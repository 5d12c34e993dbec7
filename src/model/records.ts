/**
 * The canonical model: every adapter translates its vendor's records into these, and every mapping
 * translates these into a target's format. Field names listed in the foundation issue are fixed
 * (`personalId`, `fullName`, `birthDate`, `gender`, `ethnicityCode`, `studentCode`, `teacherCode`,
 * `schoolCode`, `className`, `guardians[]`): other tools read them.
 *
 * The schemas check shape only (types, formats, enums). Domain rules with stable codes (ID
 * structure, Circular 22, guardians …) live in `rules.ts`, so a shape error and a rule violation
 * are reported the same way but kept apart in code.
 */
import { z } from 'zod';
import { STUDENT_STATUS_CODES } from './codes.ts';
import { personal, sensitive } from './personal-data.ts';
import { TEXT_GUARD } from './text-limits.ts';

// ---------------------------------------------------------------------------------------------
// Building blocks

/**
 * What a field says of itself, carried by zod's global registry into the JSON Schemas of
 * `schemas/model/` and into `docs/model.md` (`npm run model-docs`): one source for the code, the
 * schemas and the docs. Personal-data marks come from `personal()` / `sensitive()`.
 */
interface FieldDoc {
  /** What the field means: the Vietnamese term, then English. */
  description: string;
  /** The code list of the field's values: a file in `mappings/codes/`. */
  'x-code-list'?: string;
  /** The format as people read it, where the schema's own (a pattern) says too little. */
  'x-format'?: string;
}

/** `schema` with its documentation; validation is unchanged. */
const doc = <T extends z.ZodType>(
  schema: T,
  description: string,
  more: Omit<FieldDoc, 'description'> = {},
): T => schema.meta({ description, ...more } satisfies FieldDoc);

const CODES = 'mappings/codes';

const isoDate = (description: string) => doc(z.iso.date(), description);
const nonEmpty = () => z.string().trim().min(1);
/**
 * Text people type (names, addresses …; `TEXT_FIELDS` lists them). Refused outright beyond
 * TEXT_GUARD code points, and `abort` stops the checks after it, so an absurd value is neither
 * trimmed nor normalised; the configurable limits are a rule (TEXT_TOO_LONG), not the schema's.
 */
const text = () =>
  z.string().max(TEXT_GUARD, {
    abort: true,
    message: `over ${TEXT_GUARD} characters, more than a spreadsheet cell holds: refused unread`,
  });
const nonEmptyText = () => text().trim().min(1);
/** `2025-2026`. */
const schoolYear = (description = 'Năm học / School year') =>
  doc(z.string().regex(/^\d{4}-\d{4}$/, 'school year as YYYY-YYYY (e.g. 2025-2026)'), description, {
    'x-format': '`YYYY-YYYY`, e.g. `2025-2026`',
  });
/** The school's code in the sector DB; every record carries it. */
const schoolCode = () =>
  doc(nonEmpty(), "Mã trường / The school's code in the education sector DB (CSDL ngành)");
/** The sector's student code, as records other than the student's own name the student by it. */
const studentCode = () =>
  doc(nonEmpty(), "Mã học sinh / The student's code in the sector DB (the Student record's `studentCode`)", {
    'x-format': 'opaque text, never parsed',
  });
/** A class as the school names it. */
const className = (description = 'Lớp / The class as the school names it, e.g. `6A1`') =>
  doc(nonEmptyText(), description);
/** A subject of the 2018 curriculum. */
const subjectCode = (description = 'Mã môn học / Subject code') =>
  doc(nonEmpty(), description, { 'x-code-list': `${CODES}/subjects.json` });
/** The first or second semester. */
const semesterNumber = () => doc(z.union([z.literal(1), z.literal(2)]), 'Học kỳ / Semester: 1 or 2');

/**
 * A record's stable key: `<source system>:<id in that system>`, e.g. `smas-nbk:HS-000123`. It
 * never changes for the same real-world record, so the ledger can tell an update from a create.
 */
export const RecordKeySchema = doc(
  z
    .string()
    .regex(
      /^[a-z0-9][a-z0-9._-]*:\S.*$/,
      'key must be "<source system>:<source id>" (e.g. "smas-nbk:HS-000123")',
    ),
  "Khóa bản ghi / The record's stable key: the same real-world record always has the same key",
  { 'x-format': '`<source system>:<id in that system>`, e.g. `smas-nbk:HS-000123`' },
);
/** A record's stable key, `<source system>:<id in that system>`. */
export type RecordKey = z.infer<typeof RecordKeySchema>;

/**
 * Builds a record key from a source system id and the record's id there.
 *
 * @example
 * ```ts
 * recordKey('smas-nbk', 'HS-000123') // 'smas-nbk:HS-000123'
 * ```
 */
export function recordKey(system: string, id: string | number): RecordKey {
  return `${system}:${id}`;
}

/** Where a record came from: which adapter, for which school, when, and from which file line or page. */
export const SourceSchema = doc(
  z.object({
    adapter: doc(nonEmpty(), 'Adapter / The id of the adapter that read the record, e.g. `excel`'),
    adapterVersion: doc(z.string(), "Phiên bản adapter / The adapter's version").optional(),
    schoolCode: doc(nonEmpty(), 'Mã trường / The school the record was read for'),
    pulledAt: doc(z.iso.datetime({ offset: true }), 'Thời điểm đọc / When the adapter read the record'),
    /** File name, sheet and row, or API page: where a person looks to fix the record. */
    location: doc(
      z.string(),
      'Vị trí / Where a person looks to fix the record: file, sheet and row, or API page',
    ).optional(),
  }),
  'Nguồn / Where the record came from',
);
/** Where a record came from: which adapter, for which school, when, and from which file line or page. */
export type Source = z.infer<typeof SourceSchema>;

const base = {
  key: RecordKeySchema,
  source: SourceSchema,
};

/** The `type` of a record: which canonical record it is. */
const recordType = <T extends string>(type: T) =>
  doc(z.literal(type), `Loại bản ghi / Record type: always \`${type}\``);

/** Gender (giới tính) as the personal ID number and C06 know it. */
export const GenderSchema = z.enum(['male', 'female']);
/** A guardian's relationship to the student (quan hệ). */
export const RelationshipSchema = z.enum(['father', 'mother', 'guardian']);
/** A commented assessment under Circular 22: Đ (đạt, passed) or CĐ (chưa đạt, not yet passed). */
export const CommentSchema = z.enum(['Đ', 'CĐ']);
/** A learning or conduct level under Circular 22: Tốt, Khá, Đạt, Chưa đạt. */
export const LearningLevelSchema = z.enum(['Tốt', 'Khá', 'Đạt', 'Chưa đạt']);
/** A student's status (trạng thái học sinh), from the MOET template's list. */
export const StudentStatusSchema = z.enum(STUDENT_STATUS_CODES);

// Excel hands ID numbers over as numbers, without their leading zero: accept them as text here so
// the personal-ID rule can restore the zero with a warning instead of a type error.
// The marks wrap the documented schema (a `.meta()` makes a new schema, which the mark must be on).
const personalId = (whose = "The person's") =>
  personal(
    doc(
      z.union([z.string(), z.int().nonnegative().transform(String)]),
      `Số định danh cá nhân / ${whose} 12-digit personal ID number`,
      {
        'x-format':
          '12 digits: province of birth registration (3), gender and century (1), birth year (2), random (6); ' +
          'a number is taken and its leading zero restored with a warning',
      },
    ),
    'số định danh cá nhân',
  );
const fullName = (whose = "The person's") =>
  personal(doc(text(), `Họ và tên / ${whose} full name`), 'họ tên');
const birthDate = (whose = "The person's") =>
  personal(isoDate(`Ngày sinh / ${whose} date of birth`), 'ngày sinh');
const gender = (whose = "The person's") =>
  personal(
    doc(GenderSchema, `Giới tính / ${whose} gender`, { 'x-code-list': `${CODES}/genders.json` }),
    'giới tính',
  );
const phone = (whose = "The person's") =>
  personal(
    doc(
      z.string().regex(/^\+?[0-9 .-]{8,15}$/, 'phone number of 8–15 digits'),
      `Số điện thoại / ${whose} phone number`,
      { 'x-format': '8–15 digits, spaces, dots or dashes, an optional leading `+`' },
    ),
    'số điện thoại',
  );
const ethnicityCode = (whose = "The person's") =>
  sensitive(
    doc(z.string().regex(/^\d{2}$/, 'two-digit ethnicity code'), `Dân tộc / ${whose} ethnic group`, {
      'x-format': '2 digits',
      'x-code-list': `${CODES}/ethnicities.json`,
    }),
    'dân tộc: nguồn gốc dân tộc (Decree 356/2025)',
  );
const relationship = () =>
  personal(
    doc(RelationshipSchema, "Quan hệ / The guardian's relationship to the student", {
      'x-code-list': `${CODES}/relationships.json`,
    }),
    'quan hệ gia đình',
  );

// ---------------------------------------------------------------------------------------------
// Organisation

/** Trường: a school, as the sector DB knows it. */
export const SchoolSchema = z
  .object({
    type: recordType('school'),
    ...base,
    schoolCode: schoolCode(),
    name: doc(nonEmptyText(), "Tên trường / The school's name, e.g. `THCS Nguyễn Bỉnh Khiêm`"),
    level: doc(
      z.enum(['primary', 'lower_secondary', 'upper_secondary', 'multi_level']),
      'Cấp học / Level: primary (tiểu học), lower secondary (THCS), upper secondary (THPT), or several',
    ),
    /** Commune or ward since the 2025 reform (xã Nhà Bè, phường Tân Định …). */
    commune: doc(
      nonEmptyText(),
      'Xã, phường / The commune or ward since the 2025 reform, e.g. `xã Nhà Bè`, `phường Tân Định`',
    ),
    provinceCode: doc(z.string().regex(/^\d{2,3}$/), 'Mã tỉnh / Province code (HCMC: `79`)', {
      'x-format': '2 digits (administrative code), or 3 with a leading 0 as in the personal ID number',
      'x-code-list': `${CODES}/provinces.json`,
    }),
    address: doc(text(), "Địa chỉ / The school's street address").optional(),
  })
  .meta({ title: 'School', description: 'Trường / A school, as the education sector DB knows it' });
/** Trường: a school, as the sector DB knows it. */
export type School = z.infer<typeof SchoolSchema>;

/** Năm học: a school year of a school, with its first and last day. */
export const SchoolYearSchema = z
  .object({
    type: recordType('schoolYear'),
    ...base,
    schoolCode: schoolCode(),
    schoolYear: schoolYear(),
    startDate: isoDate('Ngày bắt đầu / First day of the school year'),
    endDate: isoDate('Ngày kết thúc / Last day of the school year'),
  })
  .meta({
    title: 'School year',
    description: 'Năm học / A school year of a school, with its first and last day',
  });
/** Năm học: a school year of a school, with its first and last day. */
export type SchoolYear = z.infer<typeof SchoolYearSchema>;

/** Học kỳ: one of the two semesters of a school year. */
export const SemesterSchema = z
  .object({
    type: recordType('semester'),
    ...base,
    schoolCode: schoolCode(),
    schoolYear: schoolYear(),
    semester: semesterNumber(),
    startDate: isoDate('Ngày bắt đầu / First day of the semester'),
    endDate: isoDate('Ngày kết thúc / Last day of the semester'),
  })
  .meta({ title: 'Semester', description: 'Học kỳ / One of the two semesters of a school year' });
/** Học kỳ: one of the two semesters of a school year. */
export type Semester = z.infer<typeof SemesterSchema>;

/** Lớp: a class of a school year. */
export const ClassSchema = z
  .object({
    type: recordType('class'),
    ...base,
    schoolCode: schoolCode(),
    schoolYear: schoolYear(),
    /** `6A1`: grade, then the school's own letters and number. */
    className: className(
      "Tên lớp / The class: its grade, then the school's own letters and number, e.g. `6A1`",
    ),
    grade: doc(z.int().min(1).max(12), 'Khối / Grade, 1 to 12'),
    homeroomTeacherCode: doc(
      z.string(),
      "Mã giáo viên chủ nhiệm / The homeroom teacher's code (a Teacher's `teacherCode`)",
    ).optional(),
    /** One session a day is the norm; some schools teach two. */
    sessionsPerDay: doc(
      z.union([z.literal(1), z.literal(2)]),
      'Số buổi / Sessions a day: 1 (the norm) or 2',
    ).optional(),
  })
  .meta({ title: 'Class', description: 'Lớp / A class of a school year' });
/** Lớp: a class of a school year. */
export type Class = z.infer<typeof ClassSchema>;

/** Môn học: a subject as a school teaches it in one grade. */
export const SubjectSchema = z
  .object({
    type: recordType('subject'),
    ...base,
    schoolCode: schoolCode(),
    /** Code from `mappings/codes/subjects.json`. */
    subjectCode: subjectCode(),
    name: doc(nonEmptyText(), "Tên môn / The subject's name as the school writes it"),
    grade: doc(z.int().min(1).max(12), 'Khối / Grade, 1 to 12'),
    periodsPerYear: doc(z.int().positive(), 'Số tiết / Periods a school year'),
    evaluation: doc(
      z.enum(['scored', 'commented']),
      'Hình thức đánh giá / Scored (điểm số) or commented (nhận xét Đ/CĐ), per Circular 22',
    ),
  })
  .meta({ title: 'Subject', description: 'Môn học / A subject as a school teaches it in one grade' });
/** Môn học: a subject as a school teaches it in one grade. */
export type Subject = z.infer<typeof SubjectSchema>;

// ---------------------------------------------------------------------------------------------
// People

/** A guardian as written on the student's own record (the MOET templates carry parents inline). */
export const GuardianSchema = z.object({
  relationship: relationship(),
  fullName: fullName("The guardian's"),
  personalId: personalId("The guardian's").optional(),
  phone: phone("The guardian's").optional(),
  birthDate: birthDate("The guardian's").optional(),
});
/** A guardian as written on the student's own record. */
export type Guardian = z.infer<typeof GuardianSchema>;

/** A person with no role of their own in the school, such as a guardian kept as a separate record. */
export const PersonSchema = z
  .object({
    type: recordType('person'),
    ...base,
    schoolCode: schoolCode(),
    personalId: personalId().optional(),
    fullName: fullName(),
    birthDate: birthDate().optional(),
    gender: gender().optional(),
    phone: phone().optional(),
  })
  .meta({
    title: 'Person',
    description:
      'Người / A person with no role of their own in the school, such as a guardian kept as a separate record',
  });
/** A person with no role of their own in the school, such as a guardian kept as a separate record. */
export type Person = z.infer<typeof PersonSchema>;

/** Học sinh: a student of a school, with the guardians written on the student's record. */
export const StudentSchema = z
  .object({
    type: recordType('student'),
    ...base,
    schoolCode: schoolCode(),
    /** The education sector's own identifier (mã học sinh): opaque, never parsed. */
    studentCode: doc(nonEmpty(), "Mã học sinh / The sector's student code (MOET issues it)", {
      'x-format': 'opaque text, never parsed',
    }),
    personalId: personalId("The student's").optional(),
    fullName: fullName("The student's"),
    birthDate: birthDate("The student's"),
    gender: gender("The student's"),
    ethnicityCode: ethnicityCode("The student's").optional(),
    /** The class for the school year of `schoolYear`. */
    className: doc(text(), "Lớp / The student's class in the school year `schoolYear`").optional(),
    schoolYear: doc(
      z.string().regex(/^\d{4}-\d{4}$/),
      'Năm học / The school year of `className` and `status`',
      { 'x-format': '`YYYY-YYYY`, e.g. `2025-2026`' },
    ).optional(),
    status: doc(StudentStatusSchema, "Trạng thái học sinh / The student's status", {
      'x-code-list': `${CODES}/student-statuses.json`,
    }).optional(),
    guardians: doc(
      z.array(GuardianSchema),
      "Cha, mẹ, người giám hộ / The guardians written on the student's record (none: `[]`)",
    ).default([]),
  })
  .meta({
    title: 'Student',
    description: "Học sinh / A student of a school, with the guardians written on the student's record",
  });
/** Học sinh: a student of a school. */
export type Student = z.infer<typeof StudentSchema>;

/** Giáo viên, cán bộ: a teacher or member of staff. */
export const TeacherSchema = z
  .object({
    type: recordType('teacher'),
    ...base,
    schoolCode: schoolCode(),
    /** The education sector's own identifier (mã cán bộ): opaque, never parsed. */
    teacherCode: doc(nonEmpty(), "Mã cán bộ / The sector's staff code", {
      'x-format': 'opaque text, never parsed',
    }),
    personalId: personalId("The teacher's").optional(),
    fullName: fullName("The teacher's"),
    birthDate: birthDate("The teacher's").optional(),
    gender: gender("The teacher's").optional(),
    ethnicityCode: ethnicityCode("The teacher's").optional(),
    email: personal(doc(z.email(), "Thư điện tử / The teacher's e-mail address"), 'thư điện tử').optional(),
    phone: phone("The teacher's").optional(),
    /** Vị trí việc làm, e.g. "Giáo viên THCS hạng II". */
    position: doc(text(), 'Vị trí việc làm / Position, e.g. `Giáo viên THCS hạng II`').optional(),
    subjectCodes: doc(z.array(z.string()), 'Môn dạy / Codes of the subjects the teacher teaches', {
      'x-code-list': `${CODES}/subjects.json`,
    }).default([]),
    status: doc(
      z.enum(['working', 'on_leave', 'retired', 'transferred', 'left']),
      "Trạng thái cán bộ / The teacher's status (default `working`)",
      { 'x-code-list': `${CODES}/teacher-statuses.json` },
    ).default('working'),
  })
  .meta({ title: 'Teacher', description: 'Giáo viên, cán bộ / A teacher or member of staff' });
/** Giáo viên, cán bộ: a teacher or member of staff. */
export type Teacher = z.infer<typeof TeacherSchema>;

/** A student ↔ guardian link, for sources that keep guardians as separate people. */
export const GuardianshipSchema = z
  .object({
    type: recordType('guardianship'),
    ...base,
    schoolCode: schoolCode(),
    studentKey: doc(RecordKeySchema, 'Học sinh / The key of the Student record'),
    guardianKey: doc(RecordKeySchema, "Người giám hộ / The key of the guardian's Person record"),
    relationship: relationship(),
    /** The guardian the school contacts first (and who receives fee notices). */
    primaryContact: doc(
      z.boolean(),
      'Liên hệ chính / The guardian the school contacts first, who receives fee notices (default false)',
    ).default(false),
  })
  .meta({
    title: 'Guardianship',
    description:
      'Quan hệ giám hộ / A student ↔ guardian link, for sources that keep guardians as separate Person records',
  });
/** A student ↔ guardian link, for sources that keep guardians as separate people. */
export type Guardianship = z.infer<typeof GuardianshipSchema>;

/** Ghi danh: a student's place in a class for a school year, with the status and its date. */
export const EnrollmentSchema = z
  .object({
    type: recordType('enrollment'),
    ...base,
    schoolCode: schoolCode(),
    schoolYear: schoolYear(),
    studentCode: studentCode(),
    className: className(),
    status: doc(StudentStatusSchema, "Trạng thái học sinh / The student's status in the class", {
      'x-code-list': `${CODES}/student-statuses.json`,
    }),
    /** Ngày nhập trạng thái. */
    statusDate: isoDate('Ngày nhập trạng thái / The day the status took effect'),
  })
  .meta({
    title: 'Enrollment',
    description: "Ghi danh / A student's place in a class for a school year, with the status and its date",
  });
/** Ghi danh: a student's place in a class for a school year. */
export type Enrollment = z.infer<typeof EnrollmentSchema>;

// ---------------------------------------------------------------------------------------------
// Assessment (Circular 22/2021/TT-BGDĐT)

const score = (description: string) => doc(z.number(), description, { 'x-format': '0 to 10' });
const comment = (description: string) => doc(CommentSchema, description, { 'x-format': '`Đ` or `CĐ`' });

const assessmentBase = {
  type: recordType('assessment'),
  ...base,
  schoolCode: schoolCode(),
  schoolYear: schoolYear(),
  semester: semesterNumber(),
  studentCode: studentCode(),
  className: className(),
  subjectCode: subjectCode(),
};

/**
 * One student's assessments in one subject for one semester, as a grade book row holds them:
 * the regular assessments (ĐĐGtx), the midterm (ĐĐGgk), the final (ĐĐGck), and the source's own
 * semester average or result, which the rules recompute.
 */
export const AssessmentSchema = z
  .discriminatedUnion('evaluation', [
    z.object({
      ...assessmentBase,
      evaluation: doc(z.literal('scored'), 'Hình thức đánh giá / `scored`: marks out of 10'),
      regular: doc(z.array(z.number()), 'ĐĐGtx / Regular assessments, in order', {
        'x-format': 'marks 0 to 10',
      }),
      midterm: score('ĐĐGgk / Midterm assessment').optional(),
      final: score('ĐĐGck / Final assessment').optional(),
      /** ĐTBmhk as the source computed it. */
      average: score(
        'ĐTBmhk / Semester average as the source computed it (the rules recompute it)',
      ).optional(),
    }),
    z.object({
      ...assessmentBase,
      evaluation: doc(z.literal('commented'), 'Hình thức đánh giá / `commented`: Đ or CĐ'),
      regular: doc(z.array(CommentSchema), 'ĐĐGtx / Regular assessments, in order', {
        'x-format': '`Đ` or `CĐ` each',
      }),
      midterm: comment('ĐĐGgk / Midterm assessment').optional(),
      final: comment('ĐĐGck / Final assessment').optional(),
      /** Đ/CĐ for the semester as the source gave it. */
      result: comment("Kết quả học kỳ / The semester's result as the source gave it").optional(),
    }),
  ])
  .meta({
    title: 'Assessment',
    description:
      "Điểm, nhận xét / One student's assessments in one subject for one semester, as a grade book row holds them (Circular 22/2021/TT-BGDĐT)",
  });
/** One student's assessments in one subject for one semester (Circular 22). */
export type Assessment = z.infer<typeof AssessmentSchema>;

/** A subject's line in a learning result: a scored average, or a commented result. */
export const SubjectResultSchema = z.discriminatedUnion('evaluation', [
  z.object({
    subjectCode: subjectCode(),
    evaluation: doc(z.literal('scored'), 'Hình thức đánh giá / `scored`'),
    /** ĐTBmhk for a semester, ĐTBmcn for the year. */
    average: score('ĐTBmhk, ĐTBmcn / The average: for the semester, or for the year'),
    /** For the year: the two semester averages the yearly one comes from. */
    semester1: score("ĐTBmhk I / For the year: the first semester's average").optional(),
    semester2: score("ĐTBmhk II / For the year: the second semester's average").optional(),
  }),
  z.object({
    subjectCode: subjectCode(),
    evaluation: doc(z.literal('commented'), 'Hình thức đánh giá / `commented`'),
    result: comment('Kết quả / Đ or CĐ'),
  }),
]);
/** A subject's line in a learning result. */
export type SubjectResult = z.infer<typeof SubjectResultSchema>;

const level = (description: string) =>
  doc(LearningLevelSchema, description, { 'x-format': '`Tốt`, `Khá`, `Đạt` or `Chưa đạt`' });

/** A student's learning result for a semester or the year, with the level the source stated. */
export const LearningResultSchema = z
  .object({
    type: recordType('learningResult'),
    ...base,
    schoolCode: schoolCode(),
    schoolYear: schoolYear(),
    period: doc(
      z.enum(['semester1', 'semester2', 'year']),
      'Kỳ / The first semester, the second, or the whole year',
    ),
    studentCode: studentCode(),
    className: className(),
    subjects: doc(z.array(SubjectResultSchema).min(1), 'Các môn / One line per subject (at least one)'),
    /** Mức đánh giá kết quả học tập as the source stated it. */
    level: level('Kết quả học tập / The learning level as the source stated it').optional(),
    /** Kết quả rèn luyện (conduct). */
    conduct: level('Kết quả rèn luyện / Conduct').optional(),
  })
  .meta({
    title: 'Learning result',
    description:
      "Kết quả học tập / A student's learning result for a semester or the year, with the levels the source stated",
  });
/** A student's learning result for a semester or the year. */
export type LearningResult = z.infer<typeof LearningResultSchema>;

// ---------------------------------------------------------------------------------------------
// Timetable (CTGDPT 2018: one session a day of at most 5 periods of 45 minutes)

/** Thời khóa biểu: one period of one class's week. */
export const TimetableSlotSchema = z
  .object({
    type: recordType('timetableSlot'),
    ...base,
    schoolCode: schoolCode(),
    schoolYear: schoolYear(),
    className: className(),
    /** ISO weekday: 1 = Monday (Thứ Hai) … 6 = Saturday (Thứ Bảy), 7 = Sunday. */
    weekday: doc(
      z.int().min(1).max(7),
      'Thứ / ISO weekday: 1 = Monday (Thứ Hai) … 6 = Saturday (Thứ Bảy), 7 = Sunday',
      { 'x-code-list': `${CODES}/weekdays.json` },
    ),
    session: doc(z.enum(['morning', 'afternoon']), 'Buổi / Morning (sáng) or afternoon (chiều)'),
    period: doc(z.int().min(1).max(5), 'Tiết / Period of the session, 1 to 5'),
    subjectCode: subjectCode(),
    teacherCode: doc(nonEmpty(), "Mã giáo viên / The teacher's code (a Teacher's `teacherCode`)"),
    room: doc(text(), 'Phòng / Room').optional(),
    validFrom: isoDate('Áp dụng từ / First day the slot holds'),
    validTo: isoDate('Áp dụng đến / Last day the slot holds (none: until further notice)').optional(),
  })
  .meta({ title: 'Timetable slot', description: "Thời khóa biểu / One period of one class's week" });
/** Thời khóa biểu: one period of one class's week. */
export type TimetableSlot = z.infer<typeof TimetableSlotSchema>;

// ---------------------------------------------------------------------------------------------
// Fees, payments, invoices (SSC)

const vnd = (description: string) =>
  doc(z.int().nonnegative(), description, { 'x-format': 'whole đồng (VND), no decimals' });

/** Khoản thu: a fee the school collects. */
export const FeeItemSchema = z
  .object({
    type: recordType('feeItem'),
    ...base,
    schoolCode: schoolCode(),
    schoolYear: schoolYear(),
    feeCode: doc(nonEmpty(), 'Mã khoản thu / Fee code, shared with SSC', {
      'x-code-list': `${CODES}/fee-types.json`,
    }),
    name: doc(nonEmptyText(), "Tên khoản thu / The fee's name as the school writes it"),
    /** Amount in đồng per period. */
    amount: vnd('Số tiền / Amount per period'),
    period: doc(
      z.enum(['month', 'semester', 'year', 'once']),
      'Kỳ thu / How often: month, semester, year, once',
    ),
    mandatory: doc(z.boolean(), 'Bắt buộc / True when every student of the grades pays it'),
    grades: doc(z.array(z.int().min(1).max(12)), 'Khối / The grades it applies to (none: all)').optional(),
  })
  .meta({ title: 'Fee item', description: 'Khoản thu / A fee the school collects' });
/** Khoản thu: a fee the school collects. */
export type FeeItem = z.infer<typeof FeeItemSchema>;

/** Phiếu báo thu: what one student owes, item by item. */
export const ReceivableSchema = z
  .object({
    type: recordType('receivable'),
    ...base,
    schoolCode: schoolCode(),
    schoolYear: schoolYear(),
    receivableNo: doc(nonEmpty(), "Số phiếu báo thu / The notice's number"),
    studentCode: studentCode(),
    items: doc(
      z
        .array(
          z.object({
            feeCode: doc(nonEmpty(), 'Mã khoản thu / Fee code', { 'x-code-list': `${CODES}/fee-types.json` }),
            amount: vnd('Số tiền / Amount owed for this fee'),
          }),
        )
        .min(1),
      'Các khoản / What is owed, fee by fee (at least one)',
    ),
    total: vnd('Tổng tiền / Total owed'),
    dueDate: isoDate('Hạn nộp / Due date'),
    /** The reference parents put on a transfer so the payment finds its notice. */
    paymentReference: doc(
      nonEmptyText(),
      'Nội dung chuyển khoản / The reference parents put on a transfer so the payment finds its notice',
    ),
    status: doc(
      z.enum(['open', 'paid', 'partially_paid', 'cancelled']),
      'Trạng thái / Open, paid, partially paid or cancelled',
    ),
  })
  .meta({ title: 'Receivable', description: 'Phiếu báo thu / What one student owes, item by item' });
/** Phiếu báo thu: what one student owes, item by item. */
export type Receivable = z.infer<typeof ReceivableSchema>;

/** Giao dịch: one payment. */
export const PaymentSchema = z
  .object({
    type: recordType('payment'),
    ...base,
    schoolCode: schoolCode(),
    paymentId: doc(nonEmpty(), "Mã giao dịch / The payment's id where it was made (SSC, the bank)"),
    receivableNo: doc(nonEmpty(), 'Số phiếu báo thu / The notice the payment pays'),
    studentCode: studentCode(),
    amount: vnd('Số tiền / Amount paid'),
    channel: doc(
      z.enum(['bank_transfer', 'card', 'e_wallet', 'pos', 'auto_debit', 'cash', 'ssc_portal']),
      'Kênh thanh toán / How it was paid',
    ),
    paidAt: doc(z.iso.datetime({ offset: true }), 'Thời điểm thanh toán / When it was paid'),
    bankReference: personal(
      doc(z.string(), "Mã giao dịch ngân hàng / The bank's reference of the transfer"),
      'dữ liệu tài chính: mã giao dịch ngân hàng',
    ).optional(),
    /** Transaction fee charged to the payer, in đồng. */
    fee: vnd('Phí giao dịch / Transaction fee charged to the payer').optional(),
  })
  .meta({ title: 'Payment', description: 'Giao dịch / One payment of a fee notice' });
/** Giao dịch: one payment. */
export type Payment = z.infer<typeof PaymentSchema>;

/** Hóa đơn điện tử or biên lai điện tử issued for a payment. */
export const InvoiceSchema = z
  .object({
    type: recordType('invoice'),
    ...base,
    schoolCode: schoolCode(),
    kind: doc(
      z.enum(['e_invoice', 'e_receipt']),
      'Loại / An e-invoice (hóa đơn điện tử) or an e-receipt (biên lai điện tử)',
    ),
    /** Form symbol (KHMSHDon, 1 digit for invoices) or receipt template. */
    template: doc(
      nonEmpty(),
      'Ký hiệu mẫu số / Form symbol (KHMSHDon, 1 digit for invoices) or receipt template',
    ),
    /** Series (KHHDon, e.g. `C26TAA` for invoices). */
    series: doc(nonEmpty(), 'Ký hiệu / Series (KHHDon, e.g. `C26TAA` for invoices)'),
    number: doc(nonEmpty(), "Số / The document's number in its series"),
    issuedAt: isoDate('Ngày lập / Day of issue'),
    paymentId: doc(z.string(), 'Mã giao dịch / The payment it was issued for').optional(),
    receivableNo: doc(z.string(), 'Số phiếu báo thu / The notice it was issued for').optional(),
    studentCode: studentCode(),
    total: vnd('Tổng tiền / Total'),
  })
  .meta({
    title: 'Invoice',
    description: 'Hóa đơn, biên lai điện tử / An e-invoice or e-receipt issued for a payment',
  });
/** Hóa đơn điện tử or biên lai điện tử issued for a payment. */
export type Invoice = z.infer<typeof InvoiceSchema>;

// ---------------------------------------------------------------------------------------------

/** Every canonical record, told apart by `type`. */
export const CanonicalRecordSchema = z.union([
  SchoolSchema,
  SchoolYearSchema,
  SemesterSchema,
  ClassSchema,
  SubjectSchema,
  PersonSchema,
  StudentSchema,
  TeacherSchema,
  GuardianshipSchema,
  EnrollmentSchema,
  AssessmentSchema,
  LearningResultSchema,
  TimetableSlotSchema,
  FeeItemSchema,
  ReceivableSchema,
  PaymentSchema,
  InvoiceSchema,
]);
/** Every canonical record, told apart by `type`. */
export type CanonicalRecord = z.infer<typeof CanonicalRecordSchema>;
/** The `type` of a canonical record: `school`, `student`, `payment` … */
export type RecordType = CanonicalRecord['type'];

/** The schema of each record type, for parsing a record whose `type` is known. */
export const RECORD_SCHEMAS = {
  school: SchoolSchema,
  schoolYear: SchoolYearSchema,
  semester: SemesterSchema,
  class: ClassSchema,
  subject: SubjectSchema,
  person: PersonSchema,
  student: StudentSchema,
  teacher: TeacherSchema,
  guardianship: GuardianshipSchema,
  enrollment: EnrollmentSchema,
  assessment: AssessmentSchema,
  learningResult: LearningResultSchema,
  timetableSlot: TimetableSlotSchema,
  feeItem: FeeItemSchema,
  receivable: ReceivableSchema,
  payment: PaymentSchema,
  invoice: InvoiceSchema,
} as const satisfies Record<RecordType, z.ZodType>;

/** Every record type, in the order of `RECORD_SCHEMAS`. */
export const RECORD_TYPES = Object.keys(RECORD_SCHEMAS) as RecordType[];
