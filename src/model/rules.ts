/**
 * Record-level rules: each record is parsed against its schema, normalised (names, ID numbers) and
 * checked against the domain rules. Every problem carries a stable code; the catalogue of codes is
 * in `RULE_CODES` at the end of this file so documentation and tests can list them.
 */
import type { z } from 'zod';
import { ETHNICITY_CODES, FEE_TYPE_CODES, subjectFor } from './codes.ts';
import {
  type Comment,
  checkScore,
  commentedSemesterResult,
  learningLevel,
  requiredRegularAssessments,
  semesterAverage,
  yearAverage,
} from './grading.ts';
import { checkName } from './names.ts';
import { checkPersonalId, type Gender, readPersonalIdFacts } from './personal-id.ts';
import { checkPhone } from './phone.ts';
import { atField, error, hasErrors, type Problem, warning } from './problem.ts';
import {
  type Assessment,
  type CanonicalRecord,
  type Guardian,
  type Invoice,
  type LearningResult,
  RECORD_SCHEMAS,
  RECORD_TYPES,
  type Receivable,
  type RecordType,
  type Student,
  type Teacher,
  type TimetableSlot,
} from './records.ts';
import { type TextLimits, textLimitProblems } from './text-limits.ts';

export interface RuleContext {
  /** "Today" for ages and future dates; fixed in tests and reports so results are reproducible. */
  asOf: Date;
  /** Province codes accepted in ID numbers beyond the 63 legacy ones. */
  extraProvinceCodes?: ReadonlySet<string>;
  /** How many years younger or older than the grade's age a student may be (early entry, repeaters). */
  ageTolerance?: { younger: number; older: number };
  /** Text length limits by kind (the TEXT_LIMITS setting); a kind left out keeps its default. */
  textLimits?: TextLimits | undefined;
}

export interface RecordCheck {
  /** The parsed and normalised record; null when its shape is unusable. */
  record: CanonicalRecord | null;
  /** True when no problem is an error: the record may go further. */
  valid: boolean;
  problems: Problem[];
}

const DEFAULT_AGE_TOLERANCE = { younger: 1, older: 3 };
/** Grade 1 starts in the calendar year a child turns 6; grade g in the year the child turns g + 5. */
const AGE_OF_GRADE_OFFSET = 5;
const ADULT_AGE = 18;

// The reference date as ISO text, computed once per date rather than once per record.
let cachedAsOf: Date | undefined;
let cachedIso = '';
function isoToday(d: Date): string {
  if (d !== cachedAsOf) {
    cachedAsOf = d;
    cachedIso = d.toISOString().slice(0, 10);
  }
  return cachedIso;
}

/** Completed years between an ISO birth date and a reference date. */
export function ageOn(birthDate: string, asOf: Date): number {
  const y = Number(birthDate.slice(0, 4));
  const m = Number(birthDate.slice(5, 7));
  const d = Number(birthDate.slice(8, 10));
  const years = asOf.getUTCFullYear() - y;
  const beforeBirthday =
    asOf.getUTCMonth() + 1 < m || (asOf.getUTCMonth() + 1 === m && asOf.getUTCDate() < d);
  return beforeBirthday ? years - 1 : years;
}

/** The grade a class name starts with (`6A1` → 6, `10CT` → 10), or null. */
export function gradeOfClassName(className: string): number | null {
  const match = /^(1[0-2]|[1-9])(?!\d)/.exec(className.trim());
  return match ? Number(match[1]) : null;
}

/** First year of the school year a date falls in (school years start in August/September). */
export function schoolYearStart(asOf: Date): number {
  return asOf.getUTCMonth() >= 7 ? asOf.getUTCFullYear() : asOf.getUTCFullYear() - 1;
}

function zodProblems(issues: readonly z.core.$ZodIssue[]): Problem[] {
  return issues.map((issue) => {
    const field = issue.path.join('.');
    const code = `SCHEMA_${issue.code.toUpperCase()}`;
    const missing = issue.code === 'invalid_type' && /received undefined/.test(issue.message);
    return missing
      ? error(
          'SCHEMA_REQUIRED',
          field,
          `Thiếu trường bắt buộc "${field}"`,
          `Required field "${field}" is missing`,
        )
      : error(
          code,
          field,
          `Trường "${field}" không hợp lệ: ${issue.message}`,
          `Field "${field}" is invalid: ${issue.message}`,
        );
  });
}

// ---------------------------------------------------------------------------------------------
// People

function birthDateProblems(birthDate: string | undefined, ctx: RuleContext, field = 'birthDate'): Problem[] {
  if (birthDate && birthDate > isoToday(ctx.asOf)) {
    return [error('BIRTH_DATE_FUTURE', field, 'Ngày sinh ở tương lai', 'The birth date is in the future')];
  }
  return [];
}

function ethnicityProblems(code: string | undefined): Problem[] {
  if (code !== undefined && !ETHNICITY_CODES.has(code)) {
    return [
      error(
        'ETHNICITY_CODE_UNKNOWN',
        'ethnicityCode',
        // The value is sensitive personal data: the message names the rule, not the value.
        'Mã dân tộc không có trong danh mục (01–54, 55 người nước ngoài, 00 không rõ)',
        'The ethnicity code is not in the code list (01–54, 55 foreigner, 00 unknown)',
      ),
    ];
  }
  return [];
}

interface PersonLike {
  personalId?: string | undefined;
  fullName: string;
  birthDate?: string | undefined;
  gender?: Gender | undefined;
  phone?: string | undefined;
}

/** Normalises name, ID number and phone in place; returns the problems. */
function checkPersonFields<T extends PersonLike>(person: T, ctx: RuleContext, prefix = ''): Problem[] {
  const problems: Problem[] = [];
  const name = checkName(person.fullName);
  problems.push(...atField(prefix, name.problems));
  if (name.value) person.fullName = name.value;
  if (person.personalId !== undefined) {
    const id = checkPersonalId(person.personalId, {
      birthDate: person.birthDate,
      gender: person.gender,
      asOf: ctx.asOf,
      ...(ctx.extraProvinceCodes ? { extraProvinceCodes: ctx.extraProvinceCodes } : {}),
    });
    problems.push(...atField(prefix, id.problems));
    if (id.normalized) person.personalId = id.normalized;
  }
  if (person.phone !== undefined) {
    const phone = checkPhone(person.phone, 'phone');
    problems.push(...atField(prefix, phone.problems));
    person.phone = phone.normalized;
  }
  problems.push(...atField(prefix, birthDateProblems(person.birthDate, ctx)));
  return problems;
}

/** Birth year of a person from the birth date, else from the ID number's digits 4–6. */
function knownBirthYear(person: PersonLike): number | null {
  if (person.birthDate) return Number(person.birthDate.slice(0, 4));
  if (person.personalId && /^\d{12}$/.test(person.personalId))
    return readPersonalIdFacts(person.personalId).birthYear;
  return null;
}

function guardianProblems(guardian: Guardian, index: number, student: Student, ctx: RuleContext): Problem[] {
  const prefix = `guardians.${index}`;
  const problems = checkPersonFields(guardian, ctx, prefix);
  // A guardian must be an adult. With only an ID number the birth year is known but not the day,
  // so only a guardian certainly under 18 is flagged.
  const minor = guardian.birthDate
    ? ageOn(guardian.birthDate, ctx.asOf) < ADULT_AGE
    : (knownBirthYear(guardian) ?? 0) > ctx.asOf.getUTCFullYear() - ADULT_AGE;
  if (minor) {
    problems.push(
      error(
        'GUARDIAN_NOT_ADULT',
        prefix,
        'Người giám hộ chưa đủ 18 tuổi',
        'The guardian is not an adult (under 18)',
      ),
    );
  }
  if (guardian.personalId && guardian.personalId === student.personalId) {
    problems.push(
      error(
        'PERSONAL_ID_DUPLICATE',
        `${prefix}.personalId`,
        'Số định danh của người giám hộ trùng với của học sinh',
        "The guardian's personal ID is the student's own",
      ),
    );
  }
  if (guardian.personalId && /^\d{12}$/.test(guardian.personalId) && guardian.relationship !== 'guardian') {
    const idGender = readPersonalIdFacts(guardian.personalId).gender;
    const expected: Gender = guardian.relationship === 'father' ? 'male' : 'female';
    if (idGender !== expected) {
      problems.push(
        warning(
          'GUARDIAN_RELATIONSHIP_GENDER',
          prefix,
          `Quan hệ "${guardian.relationship === 'father' ? 'cha' : 'mẹ'}" không khớp giới tính trong số định danh`,
          `Relationship "${guardian.relationship}" does not match the gender in the personal ID`,
        ),
      );
    }
  }
  return problems;
}

function studentProblems(student: Student, ctx: RuleContext): Problem[] {
  const problems = checkPersonFields(student, ctx);
  problems.push(...ethnicityProblems(student.ethnicityCode));
  if (student.personalId === undefined) {
    problems.push(
      warning(
        'STUDENT_PERSONAL_ID_MISSING',
        'personalId',
        'Học sinh chưa có số định danh cá nhân (Đề án 06 yêu cầu)',
        'The student has no personal ID number (required by Project 06)',
      ),
    );
  }
  // A minor without any guardian is a dataset rule (DatasetChecker): the guardians may come as
  // separate guardianship records.
  student.guardians.forEach((g, i) => {
    problems.push(...guardianProblems(g, i, student, ctx));
  });
  const grade = student.className ? gradeOfClassName(student.className) : null;
  if (grade !== null) {
    const startYear = student.schoolYear ? Number(student.schoolYear.slice(0, 4)) : schoolYearStart(ctx.asOf);
    const ageThatYear = startYear - Number(student.birthDate.slice(0, 4));
    const expected = grade + AGE_OF_GRADE_OFFSET;
    const tolerance = ctx.ageTolerance ?? DEFAULT_AGE_TOLERANCE;
    if (ageThatYear < expected - tolerance.younger || ageThatYear > expected + tolerance.older) {
      problems.push(
        error(
          'STUDENT_AGE_GRADE',
          'birthDate',
          `Tuổi ${ageThatYear} (năm ${startYear}) không phù hợp lớp ${grade} (tuổi quy định ${expected}, cho phép ${expected - tolerance.younger}–${expected + tolerance.older})`,
          `Age ${ageThatYear} (in ${startYear}) does not fit grade ${grade} (expected ${expected}, allowed ${expected - tolerance.younger}–${expected + tolerance.older})`,
        ),
      );
    }
  }
  return problems;
}

function teacherProblems(teacher: Teacher, ctx: RuleContext): Problem[] {
  const problems = checkPersonFields(teacher, ctx);
  problems.push(...ethnicityProblems(teacher.ethnicityCode));
  if (teacher.personalId === undefined) {
    problems.push(
      warning(
        'TEACHER_PERSONAL_ID_MISSING',
        'personalId',
        'Giáo viên chưa có số định danh cá nhân',
        'The teacher has no personal ID number',
      ),
    );
  }
  if (teacher.birthDate && ageOn(teacher.birthDate, ctx.asOf) < ADULT_AGE) {
    problems.push(
      error('TEACHER_NOT_ADULT', 'birthDate', 'Giáo viên chưa đủ 18 tuổi', 'The teacher is under 18'),
    );
  }
  return problems;
}

// ---------------------------------------------------------------------------------------------
// Classes, subjects, assessments

function classNameProblems(className: string, grade: number | undefined, field = 'className'): Problem[] {
  const fromName = gradeOfClassName(className);
  if (fromName === null) {
    return [
      error(
        'CLASS_NAME_FORMAT',
        field,
        `Tên lớp "${className}" phải bắt đầu bằng khối lớp (ví dụ 6A1)`,
        `Class name "${className}" must start with its grade (e.g. 6A1)`,
      ),
    ];
  }
  if (grade !== undefined && fromName !== grade) {
    return [
      error(
        'CLASS_NAME_GRADE',
        field,
        `Tên lớp "${className}" không khớp khối ${grade}`,
        `Class name "${className}" does not match grade ${grade}`,
      ),
    ];
  }
  return [];
}

function subjectOf(subjectCode: string, className: string) {
  const grade = gradeOfClassName(className);
  return grade === null ? { grade, subject: undefined } : { grade, subject: subjectFor(subjectCode, grade) };
}

function unknownSubject(subjectCode: string, grade: number | null): Problem {
  return error(
    'SUBJECT_UNKNOWN',
    'subjectCode',
    `Môn "${subjectCode}" không có trong chương trình 2018 của khối ${grade ?? '?'}`,
    `Subject "${subjectCode}" is not in the 2018 curriculum of grade ${grade ?? '?'}`,
  );
}

function assessmentProblems(a: Assessment): Problem[] {
  const problems: Problem[] = [...classNameProblems(a.className, undefined)];
  const { grade, subject } = subjectOf(a.subjectCode, a.className);
  if (grade !== null && !subject) problems.push(unknownSubject(a.subjectCode, grade));
  if (subject && subject.evaluation !== a.evaluation) {
    problems.push(
      error(
        'ASSESSMENT_EVALUATION_KIND',
        'evaluation',
        `Môn ${subject.name} đánh giá bằng ${subject.evaluation === 'scored' ? 'điểm số' : 'nhận xét'}`,
        `${subject.nameEn} is ${subject.evaluation === 'scored' ? 'scored' : 'assessed by comment (Đ/CĐ)'}`,
      ),
    );
    return problems;
  }
  const required = subject ? requiredRegularAssessments(subject.periodsPerYear[String(grade)]!) : null;
  if (required !== null && a.regular.length !== required) {
    problems.push(
      error(
        'ASSESSMENT_REGULAR_COUNT',
        'regular',
        `Có ${a.regular.length} đánh giá thường xuyên; Thông tư 22 quy định ${required} cho môn ${subject!.name} (${subject!.periodsPerYear[String(grade)]} tiết/năm)`,
        `${a.regular.length} regular assessments; Circular 22 requires ${required} for ${subject!.nameEn} (${subject!.periodsPerYear[String(grade)]} periods a year)`,
      ),
    );
  }
  if (a.midterm === undefined || a.final === undefined) {
    problems.push(
      warning(
        'ASSESSMENT_INCOMPLETE',
        a.midterm === undefined ? 'midterm' : 'final',
        'Chưa có điểm giữa kỳ hoặc cuối kỳ: chưa tính được kết quả học kỳ',
        'Midterm or final missing: the semester result cannot be computed yet',
      ),
    );
  }
  if (a.evaluation === 'scored') {
    a.regular.forEach((s, i) => {
      problems.push(...checkScore(s, `regular.${i}`));
    });
    if (a.midterm !== undefined) problems.push(...checkScore(a.midterm, 'midterm'));
    if (a.final !== undefined) problems.push(...checkScore(a.final, 'final'));
    if (a.average !== undefined) problems.push(...checkScore(a.average, 'average'));
    if (!hasErrors(problems) && a.midterm !== undefined && a.final !== undefined) {
      const computed = semesterAverage(a.regular, a.midterm, a.final);
      if (a.average !== undefined && a.average !== computed) {
        problems.push(
          warning(
            'ASSESSMENT_AVERAGE_MISMATCH',
            'average',
            `Điểm trung bình học kỳ của nguồn là ${a.average}, tính lại theo Thông tư 22 được ${computed}`,
            `The source's semester average is ${a.average}; Circular 22 gives ${computed}`,
          ),
        );
      }
      a.average = computed;
    }
  } else if (a.midterm !== undefined && a.final !== undefined && required !== null) {
    const all: Comment[] = [...a.regular, a.midterm, a.final];
    const computed = commentedSemesterResult(all, required + 2);
    if (a.result !== undefined && a.result !== computed) {
      problems.push(
        warning(
          'ASSESSMENT_RESULT_MISMATCH',
          'result',
          `Kết quả học kỳ của nguồn là ${a.result}, tính lại theo Thông tư 22 được ${computed}`,
          `The source's semester result is ${a.result}; Circular 22 gives ${computed}`,
        ),
      );
    }
    a.result = computed;
  }
  return problems;
}

function learningResultProblems(r: LearningResult): Problem[] {
  const problems: Problem[] = [...classNameProblems(r.className, undefined)];
  const grade = gradeOfClassName(r.className);
  const seen = new Set<string>();
  r.subjects.forEach((s, i) => {
    if (seen.has(s.subjectCode)) {
      problems.push(
        error(
          'LEARNING_RESULT_SUBJECT_DUPLICATE',
          `subjects.${i}.subjectCode`,
          `Môn ${s.subjectCode} xuất hiện hai lần`,
          `Subject ${s.subjectCode} appears twice`,
        ),
      );
    }
    seen.add(s.subjectCode);
    if (grade !== null && !subjectFor(s.subjectCode, grade)) {
      problems.push(...atField(`subjects.${i}`, [unknownSubject(s.subjectCode, grade)]));
    }
    if (s.evaluation !== 'scored') return;
    const scoreProblems = [
      ...checkScore(s.average, `subjects.${i}.average`),
      ...(s.semester1 !== undefined ? checkScore(s.semester1, `subjects.${i}.semester1`) : []),
      ...(s.semester2 !== undefined ? checkScore(s.semester2, `subjects.${i}.semester2`) : []),
    ];
    problems.push(...scoreProblems);
    if (
      scoreProblems.length === 0 &&
      r.period === 'year' &&
      s.semester1 !== undefined &&
      s.semester2 !== undefined
    ) {
      const computed = yearAverage(s.semester1, s.semester2);
      if (computed !== s.average) {
        problems.push(
          warning(
            'YEAR_AVERAGE_MISMATCH',
            `subjects.${i}.average`,
            `Điểm trung bình cả năm môn ${s.subjectCode} của nguồn là ${s.average}, tính lại được ${computed}`,
            `The source's yearly average for ${s.subjectCode} is ${s.average}; Circular 22 gives ${computed}`,
          ),
        );
        s.average = computed;
      }
    }
  });
  if (!hasErrors(problems)) {
    const scored = r.subjects.flatMap((s) => (s.evaluation === 'scored' ? [s.average] : []));
    const commented = r.subjects.flatMap((s) => (s.evaluation === 'commented' ? [s.result] : []));
    const { level } = learningLevel({ scored, commented });
    if (r.level !== undefined && r.level !== level) {
      problems.push(
        warning(
          'LEARNING_LEVEL_MISMATCH',
          'level',
          `Mức kết quả học tập của nguồn là "${r.level}", tính lại theo Điều 9 Thông tư 22 được "${level}"`,
          `The source's learning level is "${r.level}"; Article 9 of Circular 22 gives "${level}"`,
        ),
      );
    }
    r.level = level;
  }
  return problems;
}

function timetableProblems(slot: TimetableSlot): Problem[] {
  const problems = classNameProblems(slot.className, undefined);
  const { grade, subject } = subjectOf(slot.subjectCode, slot.className);
  if (grade !== null && !subject) problems.push(unknownSubject(slot.subjectCode, grade));
  problems.push(...dateRangeProblems(slot.validFrom, slot.validTo, 'validTo'));
  return problems;
}

function dateRangeProblems(from: string, to: string | undefined, field: string): Problem[] {
  if (to !== undefined && to < from) {
    return [
      error(
        'DATE_RANGE',
        field,
        `Ngày kết thúc ${to} trước ngày bắt đầu ${from}`,
        `End date ${to} is before start date ${from}`,
      ),
    ];
  }
  return [];
}

// ---------------------------------------------------------------------------------------------
// Fees

function receivableProblems(r: Receivable): Problem[] {
  const sum = r.items.reduce((acc, i) => acc + i.amount, 0);
  if (sum !== r.total) {
    return [
      error(
        'RECEIVABLE_TOTAL',
        'total',
        `Tổng phiếu báo thu ${r.total} đồng khác tổng các khoản ${sum} đồng`,
        `Notice total ${r.total} VND differs from the sum of its items ${sum} VND`,
      ),
    ];
  }
  return [];
}

function invoiceProblems(inv: Invoice): Problem[] {
  if (inv.kind !== 'e_invoice') return [];
  const problems: Problem[] = [];
  if (!/^[1-9]$/.test(inv.template)) {
    problems.push(
      error(
        'INVOICE_TEMPLATE',
        'template',
        'Ký hiệu mẫu số hóa đơn (KHMSHDon) phải là một chữ số',
        'The invoice form symbol (KHMSHDon) must be one digit',
      ),
    );
  }
  if (!/^[CK]\d{2}[TDLMNBGH][A-Z0-9]{2}$/.test(inv.series)) {
    problems.push(
      error(
        'INVOICE_SERIES',
        'series',
        `Ký hiệu hóa đơn "${inv.series}" phải gồm 6 ký tự: C/K, 2 số năm, loại (T, D, L, M …) và 2 ký tự`,
        `Invoice series "${inv.series}" must be 6 characters: C/K, 2-digit year, type letter (T, D, L, M …) and 2 characters`,
      ),
    );
  }
  return problems;
}

// ---------------------------------------------------------------------------------------------

/**
 * A fee code outside the shared list is allowed (a school may collect something new) but said:
 * SSC and the district report by code, and an unlisted one is usually a typo of a listed one.
 */
function feeCodeProblems(codes: readonly string[], field: string): Problem[] {
  const unlisted = [...new Set(codes.filter((c) => !FEE_TYPE_CODES.has(c)))];
  return unlisted.map((c) =>
    warning(
      'FEE_CODE_UNLISTED',
      field,
      `Mã khoản thu "${c}" không có trong danh mục khoản thu (mappings/codes/fee-types.json)`,
      `Fee code "${c}" is not in the list of fee types (mappings/codes/fee-types.json)`,
    ),
  );
}

function rulesFor(record: CanonicalRecord, ctx: RuleContext): Problem[] {
  switch (record.type) {
    case 'student':
      return studentProblems(record, ctx);
    case 'teacher':
      return teacherProblems(record, ctx);
    case 'person':
      return checkPersonFields(record, ctx);
    case 'class':
      return classNameProblems(record.className, record.grade);
    case 'enrollment':
      return classNameProblems(record.className, undefined);
    case 'assessment':
      return assessmentProblems(record);
    case 'learningResult':
      return learningResultProblems(record);
    case 'timetableSlot':
      return timetableProblems(record);
    case 'schoolYear':
    case 'semester':
      return dateRangeProblems(record.startDate, record.endDate, 'endDate');
    case 'feeItem':
      return feeCodeProblems([record.feeCode], 'feeCode');
    case 'receivable':
      return [
        ...receivableProblems(record),
        ...feeCodeProblems(
          record.items.map((i) => i.feeCode),
          'items',
        ),
      ];
    case 'invoice':
      return invoiceProblems(record);
    default:
      return [];
  }
}

/**
 * Parses one canonical record and applies every record-level rule.
 *
 * @example
 * const { valid, record, problems } = checkRecord(JSON.parse(line), { asOf: new Date('2026-11-27') });
 */
export function checkRecord(input: unknown, ctx: RuleContext): RecordCheck {
  const type = (input as { type?: unknown } | null)?.type;
  if (typeof type !== 'string' || !(RECORD_TYPES as string[]).includes(type)) {
    return {
      record: null,
      valid: false,
      problems: [
        error(
          'RECORD_TYPE_UNKNOWN',
          'type',
          `Loại bản ghi "${String(type)}" không hợp lệ; cần một trong: ${RECORD_TYPES.join(', ')}`,
          `Record type "${String(type)}" is not one of: ${RECORD_TYPES.join(', ')}`,
        ),
      ],
    };
  }
  const parsed = RECORD_SCHEMAS[type as RecordType].safeParse(input);
  if (!parsed.success) return { record: null, valid: false, problems: zodProblems(parsed.error.issues) };
  const record = parsed.data as CanonicalRecord;
  // Text is measured after the other rules, so a name is counted as checkName normalised it.
  const problems = [...rulesFor(record, ctx), ...textLimitProblems(record, ctx.textLimits)];
  return { record, valid: !hasErrors(problems), problems };
}

export { RULE_CODES } from './rule-catalogue.ts';
