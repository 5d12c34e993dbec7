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

const isoDate = () => z.iso.date();
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
const schoolYear = () => z.string().regex(/^\d{4}-\d{4}$/, 'school year as YYYY-YYYY (e.g. 2025-2026)');

/**
 * A record's stable key: `<source system>:<id in that system>`, e.g. `smas-nbk:HS-000123`. It
 * never changes for the same real-world record, so the ledger can tell an update from a create.
 */
export const RecordKeySchema = z
  .string()
  .regex(
    /^[a-z0-9][a-z0-9._-]*:\S.*$/,
    'key must be "<source system>:<source id>" (e.g. "smas-nbk:HS-000123")',
  );
export type RecordKey = z.infer<typeof RecordKeySchema>;

/** Builds a record key from a source system id and the record's id there. */
export function recordKey(system: string, id: string | number): RecordKey {
  return `${system}:${id}`;
}

/** Where a record came from: which adapter, for which school, when, and from which file line or page. */
export const SourceSchema = z.object({
  adapter: nonEmpty(),
  adapterVersion: z.string().optional(),
  schoolCode: nonEmpty(),
  pulledAt: z.iso.datetime({ offset: true }),
  /** File name, sheet and row, or API page: where a person looks to fix the record. */
  location: z.string().optional(),
});
export type Source = z.infer<typeof SourceSchema>;

const base = {
  key: RecordKeySchema,
  source: SourceSchema,
};

export const GenderSchema = z.enum(['male', 'female']);
export const RelationshipSchema = z.enum(['father', 'mother', 'guardian']);
export const CommentSchema = z.enum(['Đ', 'CĐ']);
export const LearningLevelSchema = z.enum(['Tốt', 'Khá', 'Đạt', 'Chưa đạt']);
export const StudentStatusSchema = z.enum(STUDENT_STATUS_CODES);

// Excel hands ID numbers over as numbers, without their leading zero: accept them as text here so
// the personal-ID rule can restore the zero with a warning instead of a type error.
const personalId = () =>
  personal(z.union([z.string(), z.int().nonnegative().transform(String)]), 'số định danh cá nhân');
const fullName = () => personal(text(), 'họ tên');
const birthDate = () => personal(isoDate(), 'ngày sinh');
const gender = () => personal(GenderSchema, 'giới tính');
const phone = () =>
  personal(z.string().regex(/^\+?[0-9 .-]{8,15}$/, 'phone number of 8–15 digits'), 'số điện thoại');
const ethnicityCode = () =>
  sensitive(
    z.string().regex(/^\d{2}$/, 'two-digit ethnicity code'),
    'dân tộc: nguồn gốc dân tộc (Decree 356/2025)',
  );

// ---------------------------------------------------------------------------------------------
// Organisation

export const SchoolSchema = z.object({
  type: z.literal('school'),
  ...base,
  schoolCode: nonEmpty(),
  name: nonEmptyText(),
  level: z.enum(['primary', 'lower_secondary', 'upper_secondary', 'multi_level']),
  /** Commune or ward since the 2025 reform (xã Nhà Bè, phường Tân Định …). */
  commune: nonEmptyText(),
  provinceCode: z.string().regex(/^\d{2,3}$/),
  address: text().optional(),
});
export type School = z.infer<typeof SchoolSchema>;

export const SchoolYearSchema = z.object({
  type: z.literal('schoolYear'),
  ...base,
  schoolCode: nonEmpty(),
  schoolYear: schoolYear(),
  startDate: isoDate(),
  endDate: isoDate(),
});
export type SchoolYear = z.infer<typeof SchoolYearSchema>;

export const SemesterSchema = z.object({
  type: z.literal('semester'),
  ...base,
  schoolCode: nonEmpty(),
  schoolYear: schoolYear(),
  semester: z.union([z.literal(1), z.literal(2)]),
  startDate: isoDate(),
  endDate: isoDate(),
});
export type Semester = z.infer<typeof SemesterSchema>;

export const ClassSchema = z.object({
  type: z.literal('class'),
  ...base,
  schoolCode: nonEmpty(),
  schoolYear: schoolYear(),
  /** `6A1`: grade, then the school's own letters and number. */
  className: nonEmptyText(),
  grade: z.int().min(1).max(12),
  homeroomTeacherCode: z.string().optional(),
  /** One session a day is the norm; some schools teach two. */
  sessionsPerDay: z.union([z.literal(1), z.literal(2)]).optional(),
});
export type Class = z.infer<typeof ClassSchema>;

export const SubjectSchema = z.object({
  type: z.literal('subject'),
  ...base,
  schoolCode: nonEmpty(),
  /** Code from `mappings/codes/subjects.json`. */
  subjectCode: nonEmpty(),
  name: nonEmptyText(),
  grade: z.int().min(1).max(12),
  periodsPerYear: z.int().positive(),
  evaluation: z.enum(['scored', 'commented']),
});
export type Subject = z.infer<typeof SubjectSchema>;

// ---------------------------------------------------------------------------------------------
// People

/** A guardian as written on the student's own record (the MOET templates carry parents inline). */
export const GuardianSchema = z.object({
  relationship: RelationshipSchema,
  fullName: fullName(),
  personalId: personalId().optional(),
  phone: phone().optional(),
  birthDate: birthDate().optional(),
});
export type Guardian = z.infer<typeof GuardianSchema>;

/** A person with no role of their own in the school, such as a guardian kept as a separate record. */
export const PersonSchema = z.object({
  type: z.literal('person'),
  ...base,
  schoolCode: nonEmpty(),
  personalId: personalId().optional(),
  fullName: fullName(),
  birthDate: birthDate().optional(),
  gender: gender().optional(),
  phone: phone().optional(),
});
export type Person = z.infer<typeof PersonSchema>;

export const StudentSchema = z.object({
  type: z.literal('student'),
  ...base,
  schoolCode: nonEmpty(),
  /** The education sector's own identifier (mã học sinh): opaque, never parsed. */
  studentCode: nonEmpty(),
  personalId: personalId().optional(),
  fullName: fullName(),
  birthDate: birthDate(),
  gender: gender(),
  ethnicityCode: ethnicityCode().optional(),
  /** The class for the school year of `schoolYear`. */
  className: text().optional(),
  schoolYear: z
    .string()
    .regex(/^\d{4}-\d{4}$/)
    .optional(),
  status: StudentStatusSchema.optional(),
  guardians: z.array(GuardianSchema).default([]),
});
export type Student = z.infer<typeof StudentSchema>;

export const TeacherSchema = z.object({
  type: z.literal('teacher'),
  ...base,
  schoolCode: nonEmpty(),
  /** The education sector's own identifier (mã cán bộ): opaque, never parsed. */
  teacherCode: nonEmpty(),
  personalId: personalId().optional(),
  fullName: fullName(),
  birthDate: birthDate().optional(),
  gender: gender().optional(),
  ethnicityCode: ethnicityCode().optional(),
  email: personal(z.email(), 'thư điện tử').optional(),
  phone: phone().optional(),
  /** Vị trí việc làm, e.g. "Giáo viên THCS hạng II". */
  position: text().optional(),
  subjectCodes: z.array(z.string()).default([]),
  status: z.enum(['working', 'on_leave', 'retired', 'transferred', 'left']).default('working'),
});
export type Teacher = z.infer<typeof TeacherSchema>;

/** A student ↔ guardian link, for sources that keep guardians as separate people. */
export const GuardianshipSchema = z.object({
  type: z.literal('guardianship'),
  ...base,
  schoolCode: nonEmpty(),
  studentKey: RecordKeySchema,
  guardianKey: RecordKeySchema,
  relationship: personal(RelationshipSchema, 'quan hệ gia đình'),
  /** The guardian the school contacts first (and who receives fee notices). */
  primaryContact: z.boolean().default(false),
});
export type Guardianship = z.infer<typeof GuardianshipSchema>;

export const EnrollmentSchema = z.object({
  type: z.literal('enrollment'),
  ...base,
  schoolCode: nonEmpty(),
  schoolYear: schoolYear(),
  studentCode: nonEmpty(),
  className: nonEmptyText(),
  status: StudentStatusSchema,
  /** Ngày nhập trạng thái. */
  statusDate: isoDate(),
});
export type Enrollment = z.infer<typeof EnrollmentSchema>;

// ---------------------------------------------------------------------------------------------
// Assessment (Circular 22/2021/TT-BGDĐT)

const assessmentBase = {
  type: z.literal('assessment'),
  ...base,
  schoolCode: nonEmpty(),
  schoolYear: schoolYear(),
  semester: z.union([z.literal(1), z.literal(2)]),
  studentCode: nonEmpty(),
  className: nonEmptyText(),
  subjectCode: nonEmpty(),
};

/**
 * One student's assessments in one subject for one semester, as a grade book row holds them:
 * the regular assessments (ĐĐGtx), the midterm (ĐĐGgk), the final (ĐĐGck), and the source's own
 * semester average or result, which the rules recompute.
 */
export const AssessmentSchema = z.discriminatedUnion('evaluation', [
  z.object({
    ...assessmentBase,
    evaluation: z.literal('scored'),
    regular: z.array(z.number()),
    midterm: z.number().optional(),
    final: z.number().optional(),
    /** ĐTBmhk as the source computed it. */
    average: z.number().optional(),
  }),
  z.object({
    ...assessmentBase,
    evaluation: z.literal('commented'),
    regular: z.array(CommentSchema),
    midterm: CommentSchema.optional(),
    final: CommentSchema.optional(),
    /** Đ/CĐ for the semester as the source gave it. */
    result: CommentSchema.optional(),
  }),
]);
export type Assessment = z.infer<typeof AssessmentSchema>;

/** A subject's line in a learning result: a scored average, or a commented result. */
export const SubjectResultSchema = z.discriminatedUnion('evaluation', [
  z.object({
    subjectCode: nonEmpty(),
    evaluation: z.literal('scored'),
    /** ĐTBmhk for a semester, ĐTBmcn for the year. */
    average: z.number(),
    /** For the year: the two semester averages the yearly one comes from. */
    semester1: z.number().optional(),
    semester2: z.number().optional(),
  }),
  z.object({
    subjectCode: nonEmpty(),
    evaluation: z.literal('commented'),
    result: CommentSchema,
  }),
]);
export type SubjectResult = z.infer<typeof SubjectResultSchema>;

/** A student's learning result for a semester or the year, with the level the source stated. */
export const LearningResultSchema = z.object({
  type: z.literal('learningResult'),
  ...base,
  schoolCode: nonEmpty(),
  schoolYear: schoolYear(),
  period: z.enum(['semester1', 'semester2', 'year']),
  studentCode: nonEmpty(),
  className: nonEmptyText(),
  subjects: z.array(SubjectResultSchema).min(1),
  /** Mức đánh giá kết quả học tập as the source stated it. */
  level: LearningLevelSchema.optional(),
  /** Kết quả rèn luyện (conduct). */
  conduct: LearningLevelSchema.optional(),
});
export type LearningResult = z.infer<typeof LearningResultSchema>;

// ---------------------------------------------------------------------------------------------
// Timetable (CTGDPT 2018: one session a day of at most 5 periods of 45 minutes)

export const TimetableSlotSchema = z.object({
  type: z.literal('timetableSlot'),
  ...base,
  schoolCode: nonEmpty(),
  schoolYear: schoolYear(),
  className: nonEmptyText(),
  /** ISO weekday: 1 = Monday (Thứ Hai) … 6 = Saturday (Thứ Bảy), 7 = Sunday. */
  weekday: z.int().min(1).max(7),
  session: z.enum(['morning', 'afternoon']),
  period: z.int().min(1).max(5),
  subjectCode: nonEmpty(),
  teacherCode: nonEmpty(),
  room: text().optional(),
  validFrom: isoDate(),
  validTo: isoDate().optional(),
});
export type TimetableSlot = z.infer<typeof TimetableSlotSchema>;

// ---------------------------------------------------------------------------------------------
// Fees, payments, invoices (SSC)

const vnd = () => z.int().nonnegative();

/** Khoản thu: a fee the school collects. */
export const FeeItemSchema = z.object({
  type: z.literal('feeItem'),
  ...base,
  schoolCode: nonEmpty(),
  schoolYear: schoolYear(),
  feeCode: nonEmpty(),
  name: nonEmptyText(),
  /** Amount in đồng per period. */
  amount: vnd(),
  period: z.enum(['month', 'semester', 'year', 'once']),
  mandatory: z.boolean(),
  grades: z.array(z.int().min(1).max(12)).optional(),
});
export type FeeItem = z.infer<typeof FeeItemSchema>;

/** Phiếu báo thu: what one student owes, item by item. */
export const ReceivableSchema = z.object({
  type: z.literal('receivable'),
  ...base,
  schoolCode: nonEmpty(),
  schoolYear: schoolYear(),
  receivableNo: nonEmpty(),
  studentCode: nonEmpty(),
  items: z.array(z.object({ feeCode: nonEmpty(), amount: vnd() })).min(1),
  total: vnd(),
  dueDate: isoDate(),
  /** The reference parents put on a transfer so the payment finds its notice. */
  paymentReference: nonEmptyText(),
  status: z.enum(['open', 'paid', 'partially_paid', 'cancelled']),
});
export type Receivable = z.infer<typeof ReceivableSchema>;

/** Giao dịch: one payment. */
export const PaymentSchema = z.object({
  type: z.literal('payment'),
  ...base,
  schoolCode: nonEmpty(),
  paymentId: nonEmpty(),
  receivableNo: nonEmpty(),
  studentCode: nonEmpty(),
  amount: vnd(),
  channel: z.enum(['bank_transfer', 'card', 'e_wallet', 'pos', 'auto_debit', 'cash', 'ssc_portal']),
  paidAt: z.iso.datetime({ offset: true }),
  bankReference: personal(z.string(), 'dữ liệu tài chính: mã giao dịch ngân hàng').optional(),
  /** Transaction fee charged to the payer, in đồng. */
  fee: vnd().optional(),
});
export type Payment = z.infer<typeof PaymentSchema>;

/** Hóa đơn điện tử or biên lai điện tử issued for a payment. */
export const InvoiceSchema = z.object({
  type: z.literal('invoice'),
  ...base,
  schoolCode: nonEmpty(),
  kind: z.enum(['e_invoice', 'e_receipt']),
  /** Form symbol (KHMSHDon, 1 digit for invoices) or receipt template. */
  template: nonEmpty(),
  /** Series (KHHDon, e.g. `C26TAA` for invoices). */
  series: nonEmpty(),
  number: nonEmpty(),
  issuedAt: isoDate(),
  paymentId: z.string().optional(),
  receivableNo: z.string().optional(),
  studentCode: nonEmpty(),
  total: vnd(),
});
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
export type CanonicalRecord = z.infer<typeof CanonicalRecordSchema>;
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

export const RECORD_TYPES = Object.keys(RECORD_SCHEMAS) as RecordType[];
