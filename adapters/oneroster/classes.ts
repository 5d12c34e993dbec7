/**
 * Stream `classes`, and the class index the `enrollments` and `assessments` streams share.
 *
 * A Vietnamese class (lớp 6A1) keeps its students together for every subject; OneRoster's class is
 * one course's section. The adapter reads a OneRoster class of `classType: homeroom` as the
 * canonical `class`, and a `scheduled` class with `subjectCodes` as that class's lessons in one
 * subject (where results live). The class name comes from the class title through
 * `classNamePattern` ("6A1 - Toán" → "6A1"). Courses with `subjectCodes` become `subject` records,
 * with periods and evaluation from the 2018 curriculum.
 */
import { type Class, gradeOfClassName, type Subject, subjectFor } from '../../src/model/index.ts';
import { mapEach, type ReadContext, type ReadItem, RecordError } from '../../src/sdk/index.ts';
import type { OneRosterClient } from './client.ts';
import type { OneRosterConfig } from './config.ts';
import { gradeOf, keyOf, locationOf, sourceOf } from './map.ts';
import { Roster } from './roster.ts';
import {
  isActive,
  type OrClass,
  type OrCourse,
  type OrEnrollment,
  type OrOrg,
  type OrUser,
} from './types.ts';

/** What the streams need of a class, kept for every class of the provider (a few hundred a school). */
export interface ClassInfo {
  sourcedId: string;
  active: boolean;
  homeroom: boolean;
  title: string | undefined;
  classCode: string | undefined;
  grades: string[] | undefined;
  /** The canonical subject code of a subject class (mapped through `subjectCodeMap`). */
  subjectCode: string | undefined;
  schoolId: string | undefined;
  terms: string[];
}

export class ClassIndex {
  private constructor(
    private readonly config: OneRosterConfig,
    readonly classes: ReadonlyMap<string, ClassInfo>,
  ) {}

  static async load(client: OneRosterClient, config: OneRosterConfig): Promise<ClassIndex> {
    const classes = new Map<string, ClassInfo>();
    for await (const c of client.list<OrClass>('rostering', 'classes', 'classes')) {
      if (!c.sourcedId) continue;
      const code = c.subjectCodes?.[0]?.trim();
      classes.set(c.sourcedId, {
        sourcedId: c.sourcedId,
        active: isActive(c),
        homeroom: c.classType === 'homeroom',
        title: c.title,
        classCode: c.classCode,
        grades: c.grades,
        subjectCode: code ? (config.subjectCodeMap[code] ?? code) : undefined,
        schoolId: c.school?.sourcedId,
        terms: (c.terms ?? []).flatMap((t) => (t.sourcedId ? [t.sourcedId] : [])),
      });
    }
    return new ClassIndex(config, classes);
  }

  /** The canonical class name ("6A1") of a class, by `classNamePattern` on its title. */
  className(c: ClassInfo, location: string, field = 'className'): string {
    const match = new RegExp(this.config.classNamePattern).exec(c.title ?? '');
    const name = match?.[1]?.trim();
    if (!name) {
      throw new RecordError(
        'CLASS_NAME_UNREADABLE',
        `${field}: không đọc được tên lớp từ tiêu đề lớp (classNamePattern) / cannot read the class name from the class title (classNamePattern)`,
        { field, location },
      );
    }
    return name;
  }

  grade(c: ClassInfo, className: string, location: string): number {
    const grade = gradeOf(c.grades) ?? gradeOfClassName(className) ?? undefined;
    if (grade === undefined) {
      throw new RecordError('GRADE_MISSING', 'grade: lớp không có khối / the class has no grade', {
        field: 'grade',
        location,
      });
    }
    return grade;
  }
}

/** Homeroom teachers: the primary teacher enrolled in each homeroom class, by teacher code. */
async function homeroomTeachers(client: OneRosterClient, index: ClassIndex): Promise<Map<string, string>> {
  const teacherCode = new Map<string, string>();
  for await (const t of client.list<OrUser>('rostering', 'teachers', 'users', {
    fields: ['sourcedId', 'identifier'],
  })) {
    if (t.sourcedId && t.identifier?.trim()) teacherCode.set(t.sourcedId, t.identifier.trim());
  }
  const byClass = new Map<string, { code: string; primary: boolean }>();
  for await (const e of client.list<OrEnrollment>('rostering', 'enrollments', 'enrollments', {
    filter: "role='teacher'",
  })) {
    const cls = e.class?.sourcedId ? index.classes.get(e.class.sourcedId) : undefined;
    const code = e.user?.sourcedId ? teacherCode.get(e.user.sourcedId) : undefined;
    if (!cls?.homeroom || !code || !isActive(e)) continue;
    const primary = e.primary === true || e.primary === 'true';
    const held = byClass.get(cls.sourcedId);
    if (!held || (primary && !held.primary)) byClass.set(cls.sourcedId, { code, primary });
  }
  return new Map([...byClass].map(([id, v]) => [id, v.code]));
}

function toClass(
  c: ClassInfo,
  index: ClassIndex,
  roster: Roster,
  teachers: ReadonlyMap<string, string>,
  config: OneRosterConfig,
  now: Date,
): Class {
  const location = locationOf('classes', c.sourcedId);
  const schoolCode = roster.schoolCode(c.schoolId, location);
  const className = index.className(c, location);
  const teacher = teachers.get(c.sourcedId);
  return {
    type: 'class',
    key: keyOf(config, 'class', c.sourcedId),
    source: sourceOf(schoolCode, now, location),
    schoolCode,
    schoolYear: roster.yearOf(c.terms[0], location).schoolYear,
    className,
    grade: index.grade(c, className, location),
    ...(teacher ? { homeroomTeacherCode: teacher } : {}),
  };
}

/** A course of a school is that school's; a course of the department is taught in each of its schools. */
function schoolsOfCourse(course: OrCourse, roster: Roster): OrOrg[] {
  const owner = course.org?.sourcedId;
  const org = owner ? roster.orgs.get(owner) : undefined;
  return org?.type === 'school'
    ? [org]
    : roster.schoolsOfSession({ org: owner ? { sourcedId: owner } : null });
}

function toSubjects(course: OrCourse, roster: Roster, config: OneRosterConfig, now: Date): Subject[] {
  const location = locationOf('courses', course.sourcedId);
  const raw = course.subjectCodes?.[0]?.trim() ?? '';
  const subjectCode = config.subjectCodeMap[raw] ?? raw;
  const grade = gradeOf(course.grades);
  if (grade === undefined) {
    throw new RecordError('GRADE_MISSING', 'grade: môn học không có khối / the course has no grade', {
      field: 'grade',
      location,
    });
  }
  const definition = subjectFor(subjectCode, grade);
  if (!definition) {
    throw new RecordError(
      'SUBJECT_UNKNOWN',
      `subjectCode: môn "${subjectCode}" không có trong chương trình 2018 khối ${grade} (subjectCodeMap) / subject "${subjectCode}" is not in the 2018 curriculum of grade ${grade} (subjectCodeMap)`,
      { field: 'subjectCode', location },
    );
  }
  return schoolsOfCourse(course, roster).map((school) => {
    const schoolCode = roster.schoolCode(school.sourcedId, location);
    return {
      type: 'subject',
      key: keyOf(config, 'subject', `${course.sourcedId}@${school.sourcedId}`),
      source: sourceOf(schoolCode, now, location),
      schoolCode,
      subjectCode,
      name: definition.name,
      grade,
      periodsPerYear: definition.periodsPerYear[String(grade)]!,
      evaluation: definition.evaluation,
    };
  });
}

export async function* readClasses(
  ctx: ReadContext<OneRosterConfig>,
  client: OneRosterClient,
): AsyncGenerator<ReadItem> {
  const { config } = ctx;
  const roster = await Roster.load(client, config);
  const index = await ClassIndex.load(client, config);
  const teachers = await homeroomTeachers(client, index);
  const now = ctx.now();
  const deleted: string[] = [];
  const homerooms = [...index.classes.values()].filter((c) => c.homeroom);
  for (const c of homerooms) if (!c.active) deleted.push(keyOf(config, 'class', c.sourcedId));
  yield* mapEach(
    homerooms.filter((c) => c.active),
    (c) => toClass(c, index, roster, teachers, config, now),
    ctx,
  );
  async function* subjectCourses() {
    for await (const course of client.list<OrCourse>('rostering', 'courses', 'courses')) {
      if (!course.sourcedId || !course.subjectCodes?.length) continue;
      if (!isActive(course)) {
        for (const school of schoolsOfCourse(course, roster)) {
          deleted.push(keyOf(config, 'subject', `${course.sourcedId}@${school.sourcedId}`));
        }
        continue;
      }
      yield course;
    }
  }
  yield* mapEach(subjectCourses(), (course) => toSubjects(course, roster, config, now), ctx);
  if (deleted.length > 0) yield ctx.deleted(deleted);
}
