/**
 * Streams `students` and `teachers`: users with the role, their demographics, and for students
 * their guardians inline (`guardians[]`).
 *
 * Incremental reads ask what changed after the checkpoint (`filter=dateLastModified>'…'`) in
 * `/users` and `/demographics` (and, for teachers, their enrollments), because a student's record
 * changes when a guardian's phone, or anyone's birth date, does. Users now `tobedeleted` come out
 * as `deleted` keys.
 */
import { type Guardian, readPersonalIdFacts, type Student, type Teacher } from '../../src/model/index.ts';
import { genderCode, mapEach, type ReadContext, type ReadItem, RecordError } from '../../src/sdk/index.ts';
import { changedSince, type OneRosterClient } from './client.ts';
import type { OneRosterConfig } from './config.ts';
import { bulkLookups, byIdLookups, type Lookups } from './lookups.ts';
import {
  fullNameOf,
  isGuardian,
  isoDate,
  isStudent,
  isTeacher,
  keyOf,
  locationOf,
  orgOfRole,
  personalIdOf,
  required,
  rolesOf,
  sourceOf,
} from './map.ts';
import { Roster } from './roster.ts';
import { isActive, type OrClass, type OrDemographics, type OrEnrollment, type OrUser } from './types.ts';

const text = (value: unknown): string | undefined =>
  typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;

function relationshipOf(
  guardian: OrUser,
  demo: OrDemographics | undefined,
  personalId: string | undefined,
): Guardian['relationship'] {
  if (!rolesOf(guardian).includes('parent')) return 'guardian';
  if (demo?.sex === 'male') return 'father';
  if (demo?.sex === 'female') return 'mother';
  // The personal ID's fourth digit says the gender when demographics do not.
  if (personalId && /^\d{12}$/.test(personalId)) {
    return readPersonalIdFacts(personalId).gender === 'male' ? 'father' : 'mother';
  }
  return 'guardian';
}

function toGuardian(
  guardian: OrUser,
  demo: OrDemographics | undefined,
  index: number,
  config: OneRosterConfig,
): Guardian {
  const field = `guardians.${index}`;
  const location = locationOf('users', guardian.sourcedId);
  const personalId = personalIdOf(guardian, config.personalIdTypes);
  const phone = text(guardian.phone) ?? text(guardian.sms);
  const usable = demo && isActive(demo) ? demo : undefined;
  return {
    relationship: relationshipOf(guardian, usable, personalId),
    fullName: required(fullNameOf(guardian), `${field}.fullName`, location, 'họ tên / name'),
    ...(personalId ? { personalId } : {}),
    ...(phone ? { phone } : {}),
    ...(usable?.birthDate ? { birthDate: isoDate(usable.birthDate, `${field}.birthDate`, location) } : {}),
  };
}

interface ResolvedStudent {
  user: OrUser;
  demo: OrDemographics | undefined;
  guardians: Array<{ user: OrUser; demo: OrDemographics | undefined }>;
}

function toStudent(r: ResolvedStudent, roster: Roster, config: OneRosterConfig, now: Date): Student {
  const { user, demo } = r;
  const location = locationOf('users', user.sourcedId);
  const schoolCode = roster.schoolCode(orgOfRole(user, 'student'), location);
  const studentCode = required(text(user.identifier), 'studentCode', location, 'mã học sinh (identifier)');
  if (!demo || !isActive(demo)) {
    throw new RecordError(
      'DEMOGRAPHICS_MISSING',
      'birthDate: học sinh không có demographics (ngày sinh, giới tính) / the student has no demographics (birth date, sex)',
      { field: 'birthDate', location },
    );
  }
  const birthDate = isoDate(demo.birthDate, 'birthDate', location);
  const gender = genderCode(required(text(demo.sex), 'gender', location, 'giới tính / sex'), location);
  const personalId = personalIdOf(user, config.personalIdTypes);
  const ethnicityCode = text(demo.metadata?.ethnicityCode);
  return {
    type: 'student',
    key: keyOf(config, 'student', user.sourcedId!),
    source: sourceOf(schoolCode, now, location),
    schoolCode,
    studentCode,
    ...(personalId ? { personalId } : {}),
    fullName: required(fullNameOf(user), 'fullName', location, 'họ tên / name'),
    birthDate,
    gender,
    ...(ethnicityCode ? { ethnicityCode } : {}),
    guardians: r.guardians.map((g, i) => toGuardian(g.user, g.demo, i, config)),
  };
}

function toTeacher(
  user: OrUser,
  demo: OrDemographics | undefined,
  subjectCodes: readonly string[],
  roster: Roster,
  config: OneRosterConfig,
  now: Date,
): Teacher {
  const location = locationOf('users', user.sourcedId);
  const schoolCode = roster.schoolCode(orgOfRole(user, 'teacher'), location);
  const usable = demo && isActive(demo) ? demo : undefined;
  const personalId = personalIdOf(user, config.personalIdTypes);
  // Sex other than male or female is left out: the field is optional for teachers.
  const gender = usable?.sex === 'male' || usable?.sex === 'female' ? usable.sex : undefined;
  const email = text(user.email);
  const phone = text(user.phone) ?? text(user.sms);
  const ethnicityCode = text(usable?.metadata?.ethnicityCode);
  const position = text(user.metadata?.position);
  return {
    type: 'teacher',
    key: keyOf(config, 'teacher', user.sourcedId!),
    source: sourceOf(schoolCode, now, location),
    schoolCode,
    teacherCode: required(text(user.identifier), 'teacherCode', location, 'mã cán bộ (identifier)'),
    ...(personalId ? { personalId } : {}),
    fullName: required(fullNameOf(user), 'fullName', location, 'họ tên / name'),
    ...(usable?.birthDate ? { birthDate: isoDate(usable.birthDate, 'birthDate', location) } : {}),
    ...(gender ? { gender } : {}),
    ...(ethnicityCode ? { ethnicityCode } : {}),
    ...(email?.includes('@') ? { email } : {}),
    ...(phone ? { phone } : {}),
    ...(position ? { position } : {}),
    subjectCodes: [...subjectCodes].sort(),
    status: 'working',
  };
}

/** The users a read maps, and where it finds their demographics and guardians. */
interface UserSource {
  users: AsyncIterable<OrUser>;
  lookups: Lookups;
}

/**
 * What an incremental read of people must look at: the users that changed, and the ids of people
 * whose record changed through someone else (a guardian, their demographics, their enrollments).
 */
async function changedPeople(
  client: OneRosterClient,
  since: string,
  role: 'student' | 'teacher',
): Promise<{ direct: OrUser[]; others: Set<string> }> {
  const direct: OrUser[] = [];
  const others = new Set<string>();
  const changedGuardians = new Map<string, OrUser>();
  const filter = changedSince(since);
  for await (const u of client.list<OrUser>('rostering', 'users', 'users', { filter })) {
    if (!u.sourcedId) continue;
    if (role === 'student' ? isStudent(u) : isTeacher(u)) direct.push(u);
    else if (role === 'student' && isGuardian(u)) changedGuardians.set(u.sourcedId, u);
  }
  const directIds = new Set(direct.map((u) => u.sourcedId));
  for (const g of changedGuardians.values())
    for (const a of g.agents ?? []) if (a.sourcedId) others.add(a.sourcedId);
  for await (const d of client.list<OrDemographics>('rostering', 'demographics', 'demographics', {
    filter,
  })) {
    if (!d.sourcedId || directIds.has(d.sourcedId)) continue;
    const known = changedGuardians.get(d.sourcedId);
    if (known) continue; // its children are in already
    others.add(d.sourcedId); // a student's, a teacher's or a guardian's: sorted out below
  }
  if (role === 'teacher') {
    for await (const e of client.list<OrEnrollment>('rostering', 'enrollments', 'enrollments', {
      filter: `role='teacher' AND ${filter}`,
    })) {
      if (e.user?.sourcedId) others.add(e.user.sourcedId);
    }
    // Teachers are few: knowing who they are spares a call for each student whose demographics changed.
    const teachers = new Set<string>();
    for await (const t of client.list<OrUser>('rostering', 'teachers', 'users', { fields: ['sourcedId'] })) {
      if (t.sourcedId) teachers.add(t.sourcedId);
    }
    for (const id of others) if (!teachers.has(id)) others.delete(id);
  }
  for (const id of directIds) others.delete(id!);
  return { direct, others };
}

/** The users of an incremental read: those that changed, then the others fetched one by one. */
async function* incrementalUsers(
  client: OneRosterClient,
  direct: readonly OrUser[],
  others: ReadonlySet<string>,
  role: 'student' | 'teacher',
  gone: string[],
  config: OneRosterConfig,
): AsyncGenerator<OrUser> {
  yield* direct;
  const seen = new Set(direct.map((u) => u.sourcedId));
  for (const id of others) {
    const user = await client.get<OrUser>('rostering', `users/${encodeURIComponent(id)}`, 'user');
    if (!user) {
      // Gone without a trace (a hard delete): the hub may hold it under either kind.
      gone.push(keyOf(config, role, id));
      continue;
    }
    if (role === 'student' && isGuardian(user) && !isStudent(user)) {
      // A guardian's demographics changed: the children carry them inline.
      for (const child of user.agents ?? []) {
        if (!child.sourcedId || seen.has(child.sourcedId) || others.has(child.sourcedId)) continue;
        seen.add(child.sourcedId);
        const c = await client.get<OrUser>(
          'rostering',
          `users/${encodeURIComponent(child.sourcedId)}`,
          'user',
        );
        if (c) yield c;
      }
      continue;
    }
    if (!seen.has(id)) {
      seen.add(id);
      yield user;
    }
  }
}

async function userSource(
  ctx: ReadContext<OneRosterConfig>,
  client: OneRosterClient,
  role: 'student' | 'teacher',
  gone: string[],
): Promise<UserSource> {
  const since = typeof ctx.checkpoint === 'string' ? ctx.checkpoint : undefined;
  if (since === undefined) {
    return {
      users: client.list<OrUser>('rostering', role === 'student' ? 'students' : 'teachers', 'users'),
      lookups: await bulkLookups(client, { guardians: role === 'student' }),
    };
  }
  const { direct, others } = await changedPeople(client, since, role);
  const many = direct.length + others.size > ctx.config.bulkLookupAbove;
  return {
    users: incrementalUsers(client, direct, others, role, gone, ctx.config),
    lookups: many ? await bulkLookups(client, { guardians: role === 'student' }) : byIdLookups(client),
  };
}

export async function* readStudents(
  ctx: ReadContext<OneRosterConfig>,
  client: OneRosterClient,
): AsyncGenerator<ReadItem> {
  const { config } = ctx;
  const gone: string[] = [];
  const roster = await Roster.load(client, config);
  const { users, lookups } = await userSource(ctx, client, 'student', gone);
  const now = ctx.now();
  async function* resolved(): AsyncGenerator<ResolvedStudent> {
    for await (const user of users) {
      if (!user.sourcedId || !isStudent(user)) continue;
      if (!isActive(user)) {
        gone.push(keyOf(config, 'student', user.sourcedId));
        continue;
      }
      const guardians = [];
      for (const g of await lookups.guardiansOf(user)) {
        guardians.push({ user: g, demo: await lookups.demographics(g.sourcedId!) });
      }
      yield { user, demo: await lookups.demographics(user.sourcedId), guardians };
    }
  }
  yield* mapEach(resolved(), (r) => toStudent(r, roster, config, now), ctx);
  if (gone.length > 0) yield ctx.deleted(gone);
  yield ctx.checkpointAt(client.checkpoint());
}

/** Subjects each teacher teaches: subject codes of the classes they are enrolled in as teacher. */
async function teaching(client: OneRosterClient, config: OneRosterConfig): Promise<Map<string, Set<string>>> {
  const subjectOfClass = new Map<string, string>();
  for await (const c of client.list<OrClass>('rostering', 'classes', 'classes', {
    fields: ['sourcedId', 'status', 'subjectCodes'],
  })) {
    const code = c.subjectCodes?.[0];
    if (c.sourcedId && code && isActive(c))
      subjectOfClass.set(c.sourcedId, config.subjectCodeMap[code] ?? code);
  }
  const subjects = new Map<string, Set<string>>();
  for await (const e of client.list<OrEnrollment>('rostering', 'enrollments', 'enrollments', {
    filter: "role='teacher'",
  })) {
    const code = e.class?.sourcedId ? subjectOfClass.get(e.class.sourcedId) : undefined;
    const user = e.user?.sourcedId;
    if (!code || !user || !isActive(e)) continue;
    if (!subjects.has(user)) subjects.set(user, new Set());
    subjects.get(user)!.add(code);
  }
  return subjects;
}

export async function* readTeachers(
  ctx: ReadContext<OneRosterConfig>,
  client: OneRosterClient,
): AsyncGenerator<ReadItem> {
  const { config } = ctx;
  const gone: string[] = [];
  const roster = await Roster.load(client, config);
  const { users, lookups } = await userSource(ctx, client, 'teacher', gone);
  const subjects = await teaching(client, config);
  const now = ctx.now();
  async function* resolved() {
    for await (const user of users) {
      if (!user.sourcedId || !isTeacher(user)) continue;
      if (!isActive(user)) {
        gone.push(keyOf(config, 'teacher', user.sourcedId));
        continue;
      }
      yield { user, demo: await lookups.demographics(user.sourcedId) };
    }
  }
  yield* mapEach(
    resolved(),
    ({ user, demo }) =>
      toTeacher(user, demo, [...(subjects.get(user.sourcedId!) ?? [])], roster, config, now),
    ctx,
  );
  if (gone.length > 0) yield ctx.deleted(gone);
  yield ctx.checkpointAt(client.checkpoint());
}
