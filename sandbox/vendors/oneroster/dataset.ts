/**
 * Turns a district written by `generateDistrict` (canonical JSONL) into OneRoster 1.2 objects, the
 * way a Vietnamese school system that speaks OneRoster would publish it:
 *
 * - orgs: the city's education department (`district`) and its schools (`school`, identifier = the
 *   school code; commune, province code, level and address in `metadata`);
 * - academicSessions: the school year (`schoolYear`, schoolYear = the year it ends) and its two
 *   semesters (`semester`, children of the year), owned by the department;
 * - courses: one per school, grade and subject ("Toán 6", subjectCodes ["TOAN"]) and one homeroom
 *   course per grade ("Sinh hoạt lớp 6");
 * - classes: one homeroom class per class (`classType: homeroom`, title and classCode "6A1") and one
 *   class per class and subject (`scheduled`, title "6A1 - Toán", classCode "6A1-TOAN",
 *   subjectCodes ["TOAN"], both semesters as terms);
 * - users: students (identifier = studentCode, personal ID in userIds as `SoDinhDanh`), teachers
 *   (identifier = teacherCode, personal ID as `CCCD`) and guardians (role `parent` for father and
 *   mother, `guardian` for anyone else; personal ID as `CCCD`), linked both ways through `agents`;
 * - demographics: birth date and sex of everyone, the ethnicity code in `metadata.ethnicityCode`;
 * - enrollments: each student in the homeroom class and in every subject class of the class, the
 *   homeroom teacher (primary) in the homeroom class, each subject's teacher (from the timetable)
 *   in the subject class; the student's status in `metadata.studentStatus`;
 * - gradebook: four categories (ĐĐGtx, ĐĐGgk, ĐĐGck, ĐTBmhk); per subject class and semester the
 *   line items `TX1…TXn`, `GK`, `CK` and `TB` (title prefix and category say which); one result per
 *   student and line item: `score` for scored subjects, `textScore` Đ/CĐ for commented ones.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { readPersonalIdFacts } from '../../../src/model/personal-id.ts';
import type {
  Assessment,
  Class as CanonicalClass,
  School,
  SchoolYear,
  Semester,
  Student,
  Subject,
  Teacher,
  TimetableSlot,
} from '../../../src/model/records.ts';
import type {
  AcademicSession,
  Class,
  Course,
  Demographics,
  Enrollment,
  GuidRef,
  LineItem,
  OneRosterData,
  Org,
  Result,
  User,
} from './types.ts';

export const ROSTERING_PATH = '/ims/oneroster/rostering/v1p2';
export const GRADEBOOK_PATH = '/ims/oneroster/gradebook/v1p2';

/** When the generated records were "last modified": long before any test runs. */
export const SNAPSHOT_AT = '2025-09-01T00:00:00.000Z';

const COLLECTION_OF: Record<string, string> = {
  org: `${ROSTERING_PATH}/orgs`,
  academicSession: `${ROSTERING_PATH}/academicSessions`,
  course: `${ROSTERING_PATH}/courses`,
  class: `${ROSTERING_PATH}/classes`,
  user: `${ROSTERING_PATH}/users`,
  category: `${GRADEBOOK_PATH}/categories`,
  lineItem: `${GRADEBOOK_PATH}/lineItems`,
};

export const ref = (type: string, sourcedId: string): GuidRef => ({
  href: `${COLLECTION_OF[type] ?? ''}/${sourcedId}`,
  sourcedId,
  type,
});

/** "Nguyễn Thị Minh Khai" → family "Nguyễn", middle "Thị Minh", given "Khai". */
export function splitName(fullName: string): { familyName: string; middleName?: string; givenName: string } {
  const words = fullName.split(' ');
  if (words.length === 1) return { familyName: '', givenName: words[0]! };
  const middle = words.slice(1, -1).join(' ');
  return { familyName: words[0]!, givenName: words.at(-1)!, ...(middle ? { middleName: middle } : {}) };
}

const grade2 = (grade: number) => String(grade).padStart(2, '0');

async function readJsonl<T>(dir: string, file: string): Promise<T[]> {
  let text: string;
  try {
    text = await readFile(join(dir, file), 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw e;
  }
  return text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as T);
}

export const CATEGORIES = [
  { sourcedId: 'cat-tx', title: 'Đánh giá thường xuyên (ĐĐGtx)', prefix: 'TX' },
  { sourcedId: 'cat-gk', title: 'Đánh giá giữa kỳ (ĐĐGgk)', prefix: 'GK' },
  { sourcedId: 'cat-ck', title: 'Đánh giá cuối kỳ (ĐĐGck)', prefix: 'CK' },
  { sourcedId: 'cat-tb', title: 'Điểm trung bình / kết quả môn học kỳ (ĐTBmhk)', prefix: 'TB' },
] as const;

export interface DatasetOptions {
  /** Serve categories, line items and results (default true). */
  gradebook?: boolean;
  /** Only these subjects (codes such as `TOAN`, `GDTC`): fewer classes and results, for small recordings. */
  subjects?: readonly string[];
  /** Only these grades' classes and students (6–9). */
  grades?: readonly number[];
}

/** What the tests compare the adapter's output with: the canonical records the data came from. */
export interface SourceRecords {
  schools: School[];
  students: Student[];
  teachers: Teacher[];
  classes: CanonicalClass[];
  assessments: Assessment[];
  /** Subjects each teacher teaches, from the timetable: teacherCode → subject codes. */
  teaching: Map<string, Set<string>>;
}

export interface Dataset {
  data: OneRosterData;
  source: SourceRecords;
}

/**
 * Reads a generated district and builds what the provider serves.
 *
 * @example
 * const { data } = await buildDataset('out/district');
 * data.users.length // students + teachers + guardians
 */
export async function buildDataset(dir: string, options: DatasetOptions = {}): Promise<Dataset> {
  const at = SNAPSHOT_AT;
  const base = { status: 'active' as const, dateLastModified: at };
  const only = options.subjects ? new Set(options.subjects) : undefined;
  const grades = options.grades ? new Set(options.grades) : undefined;
  const inGrade = (className: string | undefined) =>
    !grades || (className !== undefined && grades.has(Number.parseInt(className, 10)));
  const taught = (s: { subjectCode: string }) => !only || only.has(s.subjectCode);
  const [schools, years, allSubjects, allClasses, teachers, allStudents, timetable] = await Promise.all([
    readJsonl<School>(dir, 'schools.jsonl'),
    readJsonl<SchoolYear | Semester>(dir, 'school-years.jsonl'),
    readJsonl<Subject>(dir, 'subjects.jsonl'),
    readJsonl<CanonicalClass>(dir, 'classes.jsonl'),
    readJsonl<Teacher>(dir, 'teachers.jsonl'),
    readJsonl<Student>(dir, 'students.jsonl'),
    readJsonl<TimetableSlot>(dir, 'timetable.jsonl'),
  ]);
  const subjects = allSubjects.filter((s) => taught(s) && (!grades || grades.has(s.grade)));
  const classes = allClasses.filter((c) => inGrade(c.className));
  const students = allStudents.filter((s) => inGrade(s.className));
  const assessments =
    options.gradebook === false
      ? []
      : (await readJsonl<Assessment>(dir, 'assessments.jsonl')).filter(
          (a) => taught(a) && inGrade(a.className),
        );
  if (schools.length === 0) throw new Error(`no schools.jsonl in ${dir}: run generateDistrict first`);

  const data: OneRosterData = {
    orgs: [],
    academicSessions: [],
    courses: [],
    classes: [],
    users: [],
    enrollments: [],
    demographics: [],
    categories: [],
    lineItems: [],
    results: [],
  };

  // Orgs --------------------------------------------------------------------------------------
  const province = schools[0]!.provinceCode;
  const districtId = `org-so-${province}`;
  const orgIdOf = (schoolCode: string) => `org-${schoolCode.toLowerCase()}`;
  data.orgs.push({
    ...base,
    sourcedId: districtId,
    name: 'Sở Giáo dục và Đào tạo (sandbox)',
    type: 'district',
    identifier: province,
    children: schools.map((s) => ref('org', orgIdOf(s.schoolCode))),
  });
  for (const s of schools) {
    data.orgs.push({
      ...base,
      sourcedId: orgIdOf(s.schoolCode),
      name: s.name,
      type: 'school',
      identifier: s.schoolCode,
      parent: ref('org', districtId),
      metadata: {
        commune: s.commune,
        provinceCode: s.provinceCode,
        level: s.level,
        ...(s.address ? { address: s.address } : {}),
      },
    } satisfies Org);
  }

  // Academic sessions: the department's calendar (every generated school shares it) --------------
  const year = years.find((y): y is SchoolYear => y.type === 'schoolYear');
  if (!year) throw new Error(`no school year in ${dir}/school-years.jsonl`);
  const semesters = years
    .filter((y): y is Semester => y.type === 'semester' && y.schoolCode === year.schoolCode)
    .sort((a, b) => a.semester - b.semester);
  const endYear = year.schoolYear.slice(5);
  const yearId = `as-${year.schoolYear}`;
  const termId = (semester: number) => `as-${year.schoolYear}-hk${semester}`;
  data.academicSessions.push({
    ...base,
    sourcedId: yearId,
    title: `Năm học ${year.schoolYear}`,
    type: 'schoolYear',
    startDate: year.startDate,
    endDate: year.endDate,
    schoolYear: endYear,
    org: ref('org', districtId),
    children: semesters.map((s) => ref('academicSession', termId(s.semester))),
  } satisfies AcademicSession);
  for (const s of semesters) {
    data.academicSessions.push({
      ...base,
      sourcedId: termId(s.semester),
      title: `Học kỳ ${s.semester === 1 ? 'I' : 'II'} ${year.schoolYear}`,
      type: 'semester',
      startDate: s.startDate,
      endDate: s.endDate,
      schoolYear: endYear,
      parent: ref('academicSession', yearId),
      org: ref('org', districtId),
    } satisfies AcademicSession);
  }
  const semesterDates = new Map<number, Semester>(semesters.map((s) => [s.semester, s]));

  // Courses and classes ----------------------------------------------------------------------
  const subjectsOf = new Map<string, Subject[]>(); // `${school}|${grade}`
  for (const s of subjects) {
    const k = `${s.schoolCode}|${s.grade}`;
    subjectsOf.set(k, [...(subjectsOf.get(k) ?? []), s]);
  }
  const courseId = (schoolCode: string, grade: number, code: string) =>
    `crs-${schoolCode.toLowerCase()}-${grade}-${code.toLowerCase()}`;
  for (const s of schools) {
    for (const grade of [
      ...new Set(subjects.filter((x) => x.schoolCode === s.schoolCode).map((x) => x.grade)),
    ]) {
      data.courses.push({
        ...base,
        sourcedId: courseId(s.schoolCode, grade, 'shl'),
        title: `Sinh hoạt lớp ${grade}`,
        courseCode: `SHL${grade}`,
        grades: [grade2(grade)],
        schoolYear: ref('academicSession', yearId),
        org: ref('org', orgIdOf(s.schoolCode)),
      } satisfies Course);
      for (const subject of subjectsOf.get(`${s.schoolCode}|${grade}`) ?? []) {
        data.courses.push({
          ...base,
          sourcedId: courseId(s.schoolCode, grade, subject.subjectCode),
          title: `${subject.name} ${grade}`,
          courseCode: `${subject.subjectCode}${grade}`,
          grades: [grade2(grade)],
          subjects: [subject.name],
          subjectCodes: [subject.subjectCode],
          schoolYear: ref('academicSession', yearId),
          org: ref('org', orgIdOf(s.schoolCode)),
        } satisfies Course);
      }
    }
  }
  const homeroomId = (schoolCode: string, className: string) =>
    `cls-${schoolCode.toLowerCase()}-${className.toLowerCase()}`;
  const subjectClassId = (schoolCode: string, className: string, code: string) =>
    `${homeroomId(schoolCode, className)}-${code.toLowerCase()}`;
  const terms = semesters.map((s) => ref('academicSession', termId(s.semester)));
  for (const c of classes) {
    data.classes.push({
      ...base,
      sourcedId: homeroomId(c.schoolCode, c.className),
      title: c.className,
      classCode: c.className,
      classType: 'homeroom',
      grades: [grade2(c.grade)],
      course: ref('course', courseId(c.schoolCode, c.grade, 'shl')),
      school: ref('org', orgIdOf(c.schoolCode)),
      terms: [ref('academicSession', yearId)],
    } satisfies Class);
    for (const subject of subjectsOf.get(`${c.schoolCode}|${c.grade}`) ?? []) {
      data.classes.push({
        ...base,
        sourcedId: subjectClassId(c.schoolCode, c.className, subject.subjectCode),
        title: `${c.className} - ${subject.name}`,
        classCode: `${c.className}-${subject.subjectCode}`,
        classType: 'scheduled',
        grades: [grade2(c.grade)],
        subjects: [subject.name],
        subjectCodes: [subject.subjectCode],
        course: ref('course', courseId(c.schoolCode, c.grade, subject.subjectCode)),
        school: ref('org', orgIdOf(c.schoolCode)),
        terms,
      } satisfies Class);
    }
  }

  // Users and demographics ---------------------------------------------------------------------
  const teacherId = (code: string) => `te-${code.toLowerCase()}`;
  const studentId = (code: string) => `st-${code}`;
  for (const t of teachers) {
    const org = ref('org', orgIdOf(t.schoolCode));
    data.users.push({
      ...base,
      sourcedId: teacherId(t.teacherCode),
      username: t.email?.split('@')[0] ?? t.teacherCode,
      userIds: t.personalId ? [{ type: 'CCCD', identifier: t.personalId }] : [],
      enabledUser: true,
      ...splitName(t.fullName),
      roles: [{ roleType: 'primary', role: 'teacher', org }],
      agents: [],
      primaryOrg: org,
      identifier: t.teacherCode,
      ...(t.email ? { email: t.email } : {}),
      ...(t.phone ? { phone: t.phone } : {}),
      ...(t.position ? { metadata: { position: t.position } } : {}),
    } satisfies User);
    data.demographics.push({
      ...base,
      sourcedId: teacherId(t.teacherCode),
      ...(t.birthDate ? { birthDate: t.birthDate } : {}),
      ...(t.gender ? { sex: t.gender } : {}),
      ...(t.ethnicityCode ? { metadata: { ethnicityCode: t.ethnicityCode } } : {}),
    } satisfies Demographics);
  }

  const guardianUsers = new Map<string, User>();
  let guardianSeq = 0;
  for (const s of students) {
    const org = ref('org', orgIdOf(s.schoolCode));
    const agents: GuidRef[] = [];
    for (const g of s.guardians) {
      const dedupe = g.personalId ? `id:${g.personalId}` : `${s.studentCode}:${g.relationship}:${g.fullName}`;
      let user = guardianUsers.get(dedupe);
      if (!user) {
        const sourcedId = `gd-${String(++guardianSeq).padStart(6, '0')}`;
        user = {
          ...base,
          sourcedId,
          username: sourcedId,
          userIds: g.personalId ? [{ type: 'CCCD', identifier: g.personalId }] : [],
          enabledUser: true,
          ...splitName(g.fullName),
          roles: [{ roleType: 'primary', role: g.relationship === 'guardian' ? 'guardian' : 'parent', org }],
          agents: [],
          primaryOrg: org,
          ...(g.phone ? { phone: g.phone, sms: g.phone } : {}),
        };
        guardianUsers.set(dedupe, user);
        const sex =
          g.relationship === 'father'
            ? 'male'
            : g.relationship === 'mother'
              ? 'female'
              : g.personalId && /^\d{12}$/.test(g.personalId)
                ? readPersonalIdFacts(g.personalId).gender
                : undefined;
        data.demographics.push({
          ...base,
          sourcedId,
          ...(g.birthDate ? { birthDate: g.birthDate } : {}),
          ...(sex ? { sex } : {}),
        });
      }
      user.agents.push(ref('user', studentId(s.studentCode)));
      agents.push(ref('user', user.sourcedId));
    }
    data.users.push({
      ...base,
      sourcedId: studentId(s.studentCode),
      username: s.studentCode,
      userIds: s.personalId ? [{ type: 'SoDinhDanh', identifier: s.personalId }] : [],
      enabledUser: true,
      ...splitName(s.fullName),
      roles: [{ roleType: 'primary', role: 'student', org }],
      agents,
      primaryOrg: org,
      identifier: s.studentCode,
      ...(s.className ? { grades: [grade2(Number.parseInt(s.className, 10))] } : {}),
    } satisfies User);
    data.demographics.push({
      ...base,
      sourcedId: studentId(s.studentCode),
      birthDate: s.birthDate,
      sex: s.gender,
      ...(s.ethnicityCode ? { metadata: { ethnicityCode: s.ethnicityCode } } : {}),
    });
  }
  data.users.push(...guardianUsers.values());

  // Enrollments ------------------------------------------------------------------------------
  let enrollmentSeq = 0;
  const enroll = (e: Omit<Enrollment, 'sourcedId' | 'status' | 'dateLastModified'>) =>
    data.enrollments.push({ ...base, sourcedId: `en-${String(++enrollmentSeq).padStart(7, '0')}`, ...e });
  const teaching = new Map<string, Set<string>>();
  const teacherOfClassSubject = new Map<string, string>();
  for (const slot of timetable) {
    const k = `${slot.schoolCode}|${slot.className}|${slot.subjectCode}`;
    if (!teacherOfClassSubject.has(k)) teacherOfClassSubject.set(k, slot.teacherCode);
  }
  for (const c of classes) {
    const school = ref('org', orgIdOf(c.schoolCode));
    if (c.homeroomTeacherCode) {
      enroll({
        user: ref('user', teacherId(c.homeroomTeacherCode)),
        class: ref('class', homeroomId(c.schoolCode, c.className)),
        school,
        role: 'teacher',
        primary: true,
        beginDate: year.startDate,
        endDate: year.endDate,
      });
    }
    for (const subject of subjectsOf.get(`${c.schoolCode}|${c.grade}`) ?? []) {
      const teacher = teacherOfClassSubject.get(`${c.schoolCode}|${c.className}|${subject.subjectCode}`);
      if (!teacher) continue;
      if (!teaching.has(teacher)) teaching.set(teacher, new Set());
      teaching.get(teacher)!.add(subject.subjectCode);
      enroll({
        user: ref('user', teacherId(teacher)),
        class: ref('class', subjectClassId(c.schoolCode, c.className, subject.subjectCode)),
        school,
        role: 'teacher',
        primary: true,
        beginDate: year.startDate,
        endDate: year.endDate,
      });
    }
  }
  const gradeOfClass = new Map(classes.map((c) => [`${c.schoolCode}|${c.className}`, c.grade]));
  for (const s of students) {
    if (!s.className) continue;
    const school = ref('org', orgIdOf(s.schoolCode));
    const user = ref('user', studentId(s.studentCode));
    enroll({
      user,
      class: ref('class', homeroomId(s.schoolCode, s.className)),
      school,
      role: 'student',
      beginDate: year.startDate,
      endDate: year.endDate,
      ...(s.status ? { metadata: { studentStatus: s.status } } : {}),
    });
    const grade = gradeOfClass.get(`${s.schoolCode}|${s.className}`);
    for (const subject of subjectsOf.get(`${s.schoolCode}|${grade}`) ?? []) {
      enroll({
        user,
        class: ref('class', subjectClassId(s.schoolCode, s.className, subject.subjectCode)),
        school,
        role: 'student',
        beginDate: year.startDate,
        endDate: year.endDate,
      });
    }
  }

  // Gradebook --------------------------------------------------------------------------------
  if (options.gradebook !== false) {
    for (const c of CATEGORIES) data.categories.push({ ...base, sourcedId: c.sourcedId, title: c.title });
    // How many regular assessments each class, subject and semester has: the most any student has.
    const regularCount = new Map<string, number>();
    const groupKey = (a: Assessment) => `${a.schoolCode}|${a.className}|${a.subjectCode}|${a.semester}`;
    for (const a of assessments) {
      const k = groupKey(a);
      regularCount.set(k, Math.max(regularCount.get(k) ?? 0, a.regular.length));
    }
    let lineItemSeq = 0;
    let resultSeq = 0;
    const lineItems = new Map<string, LineItem[]>(); // groupKey → [TX1…TXn, GK, CK, TB]
    const subjectName = new Map(subjects.map((s) => [s.subjectCode, s.name]));
    for (const [k, n] of regularCount) {
      const [schoolCode, className, subjectCode, sem] = k.split('|') as [string, string, string, string];
      const semester = Number(sem);
      const dates = semesterDates.get(semester as 1 | 2)!;
      const days = Math.max(1, (Date.parse(dates.endDate) - Date.parse(dates.startDate)) / 86_400_000);
      const on = (share: number) =>
        new Date(Date.parse(dates.startDate) + Math.round(days * share) * 86_400_000).toISOString();
      const items: LineItem[] = [];
      const make = (prefix: string, categoryId: string, share: number): LineItem => ({
        ...base,
        sourcedId: `li-${String(++lineItemSeq).padStart(6, '0')}`,
        title: `${prefix} - ${subjectName.get(subjectCode) ?? subjectCode} ${className} - HK${semester === 1 ? 'I' : 'II'}`,
        assignDate: on(share),
        dueDate: on(share),
        class: ref('class', subjectClassId(schoolCode, className, subjectCode)),
        school: ref('org', orgIdOf(schoolCode)),
        category: ref('category', categoryId),
        academicSession: ref('academicSession', termId(semester)),
        resultValueMin: 0,
        resultValueMax: 10,
      });
      for (let i = 1; i <= n; i++) items.push(make(`TX${i}`, 'cat-tx', (0.8 * i) / (n + 1)));
      items.push(make('GK', 'cat-gk', 0.45), make('CK', 'cat-ck', 0.9), make('TB', 'cat-tb', 1));
      lineItems.set(k, items);
      data.lineItems.push(...items);
    }
    for (const a of assessments) {
      const items = lineItems.get(groupKey(a))!;
      const n = items.length - 3;
      const scoreDate = `${semesterDates.get(a.semester)!.endDate}T00:00:00.000Z`;
      const result = (item: LineItem, value: number | string): Result => ({
        ...base,
        sourcedId: `re-${String(++resultSeq).padStart(7, '0')}`,
        lineItem: ref('lineItem', item.sourcedId),
        student: ref('user', studentId(a.studentCode)),
        class: item.class,
        scoreStatus: 'fully graded',
        ...(typeof value === 'number' ? { score: value } : { textScore: value }),
        scoreDate,
      });
      a.regular.forEach((v, i) => {
        data.results.push(result(items[i]!, v));
      });
      if (a.midterm !== undefined) data.results.push(result(items[n]!, a.midterm));
      if (a.final !== undefined) data.results.push(result(items[n + 1]!, a.final));
      const summary = a.evaluation === 'scored' ? a.average : a.result;
      if (summary !== undefined) data.results.push(result(items[n + 2]!, summary));
    }
  }

  return { data, source: { schools, students, teachers, classes, assessments, teaching } };
}
