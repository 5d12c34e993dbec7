/**
 * One school's records, written class by class and student by student. Only the school's plan
 * (classes, teachers, timetable occupancy) and a ring of recent families are held; a student's
 * records are written as soon as they are made and then forgotten.
 */
import { LEARNING_LEVELS, toTenths } from '../../src/model/grading.ts';
import { type Gender, genderCenturyDigit } from '../../src/model/personal-id.ts';
import type {
  Assessment,
  Class,
  Enrollment,
  Guardian,
  Invoice,
  LearningResult,
  Payment,
  Receivable,
  School,
  SchoolYear,
  Semester,
  Source,
  Student,
  Subject,
  Teacher,
  TimetableSlot,
} from '../../src/model/records.ts';
import type { SchoolCalendar } from './calendar.ts';
import {
  colleaguesOf,
  GRADES,
  gradeSubjects,
  periodsPerYear,
  planSchool,
  type SchoolPlan,
  SLOTS,
  timetableFor,
} from './curriculum.ts';
import { type DefectKind, defectKindFor, unnormalisedName } from './defects.ts';
import { billing, feeChoices, feeItems, invoiceForm, payment, receivableItems } from './fees.ts';
import { type GradeBook, gradeBook, type SemesterNo, type SubjectBook } from './grades.ts';
import { BAD_PROVINCES, type CodeSequence, type PersonalIdAllocator } from './ids.ts';
import { asciiFold, fullName } from './names.ts';
import { birthDateIn, FamilyRing, type StudentPerson, studentPerson, teacherPerson } from './people.ts';
import { keySystem, type SchoolPlace, schoolPlace, schoolRecordFields } from './places.ts';
import { Purpose, Random } from './random.ts';
import type { Sink } from './sink.ts';

export const GENERATOR_ADAPTER = 'sandbox-generator';
export const GENERATOR_VERSION = '1';

/** State that spans schools: unique-number sources and running totals. All of it is small. */
export interface District {
  seed: number;
  calendar: SchoolCalendar;
  classesPerGrade: number;
  classSize: number;
  defectRate: number;
  sink: Sink;
  ids: PersonalIdAllocator;
  studentCodes: CodeSequence;
  teacherCodes: CodeSequence;
  /** Faulty students so far, and the seeded start of the round-robin over fault kinds. */
  faulty: number;
  faultStart: number;
  totals: { schools: number; classes: number; teachers: number; students: number; timetableClashes: number };
}

interface SchoolScope {
  d: District;
  index: number;
  place: SchoolPlace;
  plan: SchoolPlan;
  source: Source;
  system: string;
  teacherCodes: string[];
  ring: FamilyRing;
  fees: ReturnType<typeof feeItems>;
  paymentSeq: number;
  invoiceNumbers: Map<string, number>;
  studentSeq: number;
}

/** `sandbox-79nb0001:student-7912345678`. */
const keyOf = (s: SchoolScope, id: string): string => `${s.system}:${id}`;

export async function writeSchool(d: District, index: number): Promise<void> {
  const place = schoolPlace(index);
  const random = new Random(d.seed, Purpose.school, index);
  const cal = d.calendar;
  const s: SchoolScope = {
    d,
    index,
    place,
    plan: planSchool(d.seed, index, d.classesPerGrade, d.classSize),
    source: {
      adapter: GENERATOR_ADAPTER,
      adapterVersion: GENERATOR_VERSION,
      schoolCode: place.schoolCode,
      pulledAt: cal.pulledAt,
    },
    system: keySystem(place.schoolCode),
    teacherCodes: [],
    ring: new FamilyRing(),
    fees: feeItems(random),
    paymentSeq: 0,
    invoiceNumbers: new Map(),
    studentSeq: 0,
  };
  const { sink } = d;
  const y = cal.schoolYear;

  sink.write('schools', {
    type: 'school',
    key: keyOf(s, `school-${place.schoolCode}`),
    source: s.source,
    ...schoolRecordFields(place, random.between(1, 450)),
  } satisfies School);
  sink.write('school-years', {
    type: 'schoolYear',
    key: keyOf(s, `school-year-${y}`),
    source: s.source,
    schoolCode: s.place.schoolCode,
    schoolYear: y,
    startDate: cal.start,
    endDate: cal.end,
  } satisfies SchoolYear);
  for (const [semester, startDate, endDate] of [
    [1, cal.start, cal.semester1End],
    [2, cal.semester2Start, cal.end],
  ] as const) {
    sink.write('school-years', {
      type: 'semester',
      key: keyOf(s, `semester-${y}-${semester}`),
      source: s.source,
      schoolCode: s.place.schoolCode,
      schoolYear: y,
      semester,
      startDate,
      endDate,
    } satisfies Semester);
  }
  for (const grade of GRADES) {
    for (const subject of gradeSubjects(grade)) {
      sink.write('subjects', {
        type: 'subject',
        key: keyOf(s, `subject-${grade}-${subject.code}`),
        source: s.source,
        schoolCode: s.place.schoolCode,
        subjectCode: subject.code,
        name: subject.name,
        grade,
        periodsPerYear: periodsPerYear(subject, grade),
        evaluation: subject.evaluation,
      } satisfies Subject);
    }
  }
  writeTeachers(s);
  for (const c of s.plan.classes) {
    sink.write('classes', {
      type: 'class',
      key: keyOf(s, `class-${y}-${c.className}`),
      source: s.source,
      schoolCode: s.place.schoolCode,
      schoolYear: y,
      className: c.className,
      grade: c.grade,
      homeroomTeacherCode: s.teacherCodes[c.homeroom]!,
      sessionsPerDay: 1,
    } satisfies Class);
  }
  for (const f of s.fees) {
    sink.write('fees', {
      type: 'feeItem',
      key: keyOf(s, `fee-item-${y}-${f.feeCode}`),
      source: s.source,
      schoolCode: s.place.schoolCode,
      schoolYear: y,
      ...f,
    });
  }

  const busy = new Uint8Array(s.plan.teachers.length * SLOTS);
  const colleagues = colleaguesOf(s.plan);
  for (const c of s.plan.classes) {
    if (sink.wants('timetable')) {
      const { lessons, clashes } = timetableFor(d.seed, index, c, busy, colleagues);
      d.totals.timetableClashes += clashes;
      for (const l of lessons) {
        sink.write('timetable', {
          type: 'timetableSlot',
          key: keyOf(s, `timetable-${y}-${c.className}-${l.weekday}-${l.period}`),
          source: s.source,
          schoolCode: s.place.schoolCode,
          schoolYear: y,
          className: c.className,
          weekday: l.weekday,
          session: 'morning',
          period: l.period,
          subjectCode: l.subjectCode,
          teacherCode: s.teacherCodes[l.teacher]!,
          validFrom: cal.start,
        } satisfies TimetableSlot);
      }
    }
    for (let k = 0; k < c.size; k++) {
      writeStudent(s, c.index, c.grade, c.className, k);
      if (sink.blocked) await sink.ready();
    }
    d.totals.classes++;
  }
  d.totals.schools++;
  d.totals.teachers += s.plan.teachers.length;
}

function writeTeachers(s: SchoolScope): void {
  const domain = `thcs${asciiFold(s.place.namesake).replace(/[^a-z]/g, '')}.hcm.edu.vn`;
  const used = new Set<string>();
  for (const t of s.plan.teachers) {
    const random = new Random(s.d.seed, Purpose.teachers, s.index, t.index);
    const person = teacherPerson(random, s.d.ids, s.place.commune, s.d.calendar.startYear);
    const teacherCode = s.d.teacherCodes.next();
    s.teacherCodes.push(teacherCode);
    const words = asciiFold(person.fullName).split(' ');
    const stem = `${words.at(-1)}${words
      .slice(0, -1)
      .map((w) => w[0])
      .join('')}`.replace(/[^a-z]/g, '');
    let local = stem;
    for (let n = 2; used.has(local); n++) local = `${stem}${n}`;
    used.add(local);
    s.d.sink.write('teachers', {
      type: 'teacher',
      key: keyOf(s, `teacher-${teacherCode}`),
      source: s.source,
      schoolCode: s.place.schoolCode,
      teacherCode,
      personalId: person.personalId,
      fullName: person.fullName,
      birthDate: person.birthDate,
      gender: person.gender,
      ethnicityCode: person.ethnicity,
      email: `${local}@${domain}`,
      phone: person.phone,
      position: person.position,
      subjectCodes: t.subjectCodes,
      status: 'working',
    } satisfies Teacher);
  }
}

function writeStudent(s: SchoolScope, classIndex: number, grade: number, className: string, k: number): void {
  const { d } = s;
  const { sink, calendar: cal } = d;
  const y = cal.schoolYear;
  const person = studentPerson(
    new Random(d.seed, Purpose.student, s.index, classIndex, k),
    d.ids,
    s.ring,
    s.place.commune,
    grade,
    cal.startYear,
  );
  const studentCode = d.studentCodes.next();
  s.studentSeq++;
  d.totals.students++;
  const faults = new Random(d.seed, Purpose.defect, s.index, classIndex, k);
  const fault: DefectKind | null =
    d.defectRate > 0 && faults.chance(d.defectRate) ? defectKindFor(d.faulty++, d.faultStart) : null;

  const student: Student = {
    type: 'student',
    key: keyOf(s, `student-${studentCode}`),
    source: s.source,
    schoolCode: s.place.schoolCode,
    studentCode,
    personalId: person.personalId,
    fullName: person.fullName,
    birthDate: person.birthDate,
    gender: person.gender,
    ethnicityCode: person.ethnicity,
    className,
    schoolYear: y,
    status: person.status,
    guardians: person.family.guardians,
  };
  const field = fault ? injectStudentFault(s, fault, faults, student, person) : null;
  const line = sink.write('students', student);
  if (fault && field !== null) sink.defect(fault, line, student.key, field);
  if (fault === 'student_duplicate') {
    // The same child entered a second time, under a new code (and so a new key).
    const code = d.studentCodes.next(true);
    const copy: Student = { ...student, key: `${s.system}:student-${code}`, studentCode: code };
    sink.defect(fault, sink.write('students', copy), copy.key, 'personalId');
  }
  sink.write('enrollments', {
    type: 'enrollment',
    key: keyOf(s, `enrollment-${y}-${studentCode}`),
    source: s.source,
    schoolCode: s.place.schoolCode,
    schoolYear: y,
    studentCode,
    className,
    status: person.status,
    statusDate: cal.start,
  } satisfies Enrollment);

  if (sink.wants('assessments') || sink.wants('learning-results')) {
    const book = gradeBook(new Random(d.seed, Purpose.grades, s.index, classIndex, k), grade);
    writeGradeBook(s, book, studentCode, className, fault, faults);
  }
  if (sink.wants('fees') || sink.wants('payments') || sink.wants('invoices')) {
    writeFees(s, new Random(d.seed, Purpose.fees, s.index, classIndex, k), studentCode);
  }
}

/** Applies a fault that lives on the student record; returns the field it sits at, or null. */
function injectStudentFault(
  s: SchoolScope,
  fault: DefectKind,
  random: Random,
  student: Student,
  person: StudentPerson,
): string | null {
  const { ids } = s.d;
  const id = person.personalId;
  const province = id.slice(0, 3);
  const digit4 = Number(id[3]);
  const yy = Number(id.slice(4, 6));
  switch (fault) {
    case 'personal_id_province':
      student.personalId = ids.allocate({ province: random.pick(BAD_PROVINCES), digit4, yy }, true);
      return 'personalId';
    case 'personal_id_gender':
      // Digit 4 of the other gender, same century.
      student.personalId = ids.allocate({ province, digit4: digit4 ^ 1, yy }, true);
      return 'personalId';
    case 'personal_id_birth_year': {
      const other = yy === 0 || (yy < 99 && random.chance(0.5)) ? yy + 1 : yy - 1;
      student.personalId = ids.allocate({ province, digit4, yy: other }, true);
      return 'personalId';
    }
    case 'personal_id_leading_zero':
      // What Excel leaves of a number it took for an integer.
      student.personalId = id.slice(1);
      return 'personalId';
    case 'personal_id_legacy_cmnd':
      student.personalId = `02${String(random.int(10_000_000)).padStart(7, '0')}`;
      return 'personalId';
    case 'guardians_missing':
      student.guardians = [];
      return 'guardians';
    case 'name_not_normalised':
      student.fullName = unnormalisedName(person.fullName, random.chance(0.6));
      return 'fullName';
    case 'guardian_minor': {
      // An elder sibling, still under 18, written down as the guardian.
      const gender: Gender = random.chance(0.5) ? 'male' : 'female';
      const birthYear = s.d.calendar.startYear - 16 + random.int(2);
      const sibling: Guardian = {
        relationship: 'guardian',
        fullName: fullName(random, person.family.familyName, gender, 'child', person.ethnicity),
        personalId: ids.allocate(
          { province: '079', digit4: genderCenturyDigit(gender, birthYear), yy: birthYear % 100 },
          true,
        ),
        birthDate: birthDateIn(random, birthYear),
      };
      student.guardians = [...person.family.guardians, sibling];
      return `guardians.${student.guardians.length - 1}`;
    }
    case 'student_duplicate':
      return null;
    default:
      return null;
  }
}

function writeGradeBook(
  s: SchoolScope,
  book: GradeBook,
  studentCode: string,
  className: string,
  fault: DefectKind | null,
  random: Random,
): void {
  const { sink } = s.d;
  const y = s.d.calendar.schoolYear;
  // Where an assessment fault goes: a semester and one of its scored subjects.
  let target: { semester: number; subject: number; field: string } | null = null;
  if (fault === 'assessment_average_mismatch' || fault === 'score_precision') {
    const semester = random.int(2);
    const scored = book.semesters[semester]!.flatMap((b, i) => (b.evaluation === 'scored' ? [i] : []));
    const subject = random.pick(scored);
    const b = book.semesters[semester]![subject] as Extract<SubjectBook, { evaluation: 'scored' }>;
    const which = random.int(b.regular.length + 2);
    const field =
      fault === 'assessment_average_mismatch'
        ? 'average'
        : which < b.regular.length
          ? `regular.${which}`
          : which === b.regular.length
            ? 'midterm'
            : 'final';
    target = { semester, subject, field };
  }
  for (const semester of [1, 2] as const satisfies readonly SemesterNo[]) {
    book.semesters[semester - 1]!.forEach((b, i) => {
      const key = `${s.system}:assessment-${y}-${semester}-${studentCode}-${b.subjectCode}`;
      const { schoolCode } = s.place;
      // Spelled out, not spread: this is the hottest record (26 a student).
      const record: Assessment =
        b.evaluation === 'scored'
          ? {
              type: 'assessment',
              key,
              source: s.source,
              schoolCode,
              schoolYear: y,
              semester,
              studentCode,
              className,
              subjectCode: b.subjectCode,
              evaluation: 'scored',
              regular: b.regular,
              midterm: b.midterm,
              final: b.final,
              average: b.average,
            }
          : {
              type: 'assessment',
              key,
              source: s.source,
              schoolCode,
              schoolYear: y,
              semester,
              studentCode,
              className,
              subjectCode: b.subjectCode,
              evaluation: 'commented',
              regular: b.regular,
              midterm: b.midterm,
              final: b.final,
              result: b.result,
            };
      const hit = target && target.semester === semester - 1 && target.subject === i ? target.field : null;
      if (hit && record.evaluation === 'scored') skewScore(record, hit, random);
      const line = sink.write('assessments', record);
      if (hit) sink.defect(fault!, line, record.key, hit);
    });
  }
  const wrongPeriod = fault === 'learning_level_mismatch' ? random.int(3) : -1;
  book.results.forEach((r, i) => {
    const record: LearningResult = {
      type: 'learningResult',
      key: keyOf(s, `learning-result-${y}-${r.period}-${studentCode}`),
      source: s.source,
      schoolCode: s.place.schoolCode,
      schoolYear: y,
      period: r.period,
      studentCode,
      className,
      subjects: r.subjects,
      level: r.level,
      conduct: r.conduct,
    };
    if (i === wrongPeriod) {
      const others = LEARNING_LEVELS.filter((l) => l !== r.level);
      record.level = random.pick(others);
    }
    const line = sink.write('learning-results', record);
    if (i === wrongPeriod) sink.defect('learning_level_mismatch', line, record.key, 'level');
  });
}

/** A stated average off by 0.1–0.5, or a score with a second decimal (7.2 → 7.25). */
function skewScore(
  record: Extract<Assessment, { evaluation: 'scored' }>,
  field: string,
  random: Random,
): void {
  if (field === 'average') {
    const t = toTenths(record.average!);
    const delta = random.between(1, 5);
    record.average = (t + delta <= 100 ? t + delta : t - delta) / 10;
    return;
  }
  const twoDecimals = (score: number) => {
    const t = toTenths(score);
    return (t < 100 ? t * 10 + 5 : 995) / 100;
  };
  if (field === 'midterm') record.midterm = twoDecimals(record.midterm!);
  else if (field === 'final') record.final = twoDecimals(record.final!);
  else {
    const i = Number(field.slice('regular.'.length));
    record.regular = record.regular.map((x, j) => (j === i ? twoDecimals(x) : x));
  }
}

function writeFees(s: SchoolScope, random: Random, studentCode: string): void {
  const { sink, calendar: cal } = s.d;
  const y = cal.schoolYear;
  const yy = `${String(cal.startYear % 100).padStart(2, '0')}${String((cal.startYear + 1) % 100).padStart(2, '0')}`;
  const choices = feeChoices(random);
  for (const semester of [1, 2] as const) {
    const items = receivableItems(s.fees, choices, semester);
    const total = items.reduce((a, i) => a + i.amount, 0);
    const bill = billing(cal, semester);
    const receivableNo = `${s.place.schoolCode}-${yy}-HK${semester}-${String(s.studentSeq).padStart(5, '0')}`;
    const paid = random.chance(0.92);
    sink.write('fees', {
      type: 'receivable',
      key: keyOf(s, `receivable-${receivableNo}`),
      source: s.source,
      schoolCode: s.place.schoolCode,
      schoolYear: y,
      receivableNo,
      studentCode,
      items,
      total,
      dueDate: bill.due,
      paymentReference: `SSC ${studentCode} HK${semester} ${yy}`,
      status: paid ? 'paid' : 'open',
    } satisfies Receivable);
    if (!paid) continue;
    const paymentId = `${s.place.schoolCode}-P${yy}-${String(++s.paymentSeq).padStart(6, '0')}`;
    const p = payment(random, total, bill, paymentId);
    sink.write('payments', {
      type: 'payment',
      key: keyOf(s, `payment-${paymentId}`),
      source: s.source,
      schoolCode: s.place.schoolCode,
      ...p,
      receivableNo,
      studentCode,
    } satisfies Payment);
    const issuedAt = p.paidAt.slice(0, 10);
    const form = invoiceForm(random, issuedAt);
    const seriesKey = `${form.template}/${form.series}`;
    const n = (s.invoiceNumbers.get(seriesKey) ?? 0) + 1;
    s.invoiceNumbers.set(seriesKey, n);
    const number = String(n).padStart(form.kind === 'e_invoice' ? 8 : 7, '0');
    sink.write('invoices', {
      type: 'invoice',
      key: keyOf(s, `invoice-${form.series}-${number}`),
      source: s.source,
      schoolCode: s.place.schoolCode,
      ...form,
      number,
      issuedAt,
      paymentId,
      receivableNo,
      studentCode,
      total,
    } satisfies Invoice);
  }
}
