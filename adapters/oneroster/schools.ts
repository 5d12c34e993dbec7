/**
 * Stream `schools`: orgs of type `school` → `school`; academic sessions of type `schoolYear` →
 * `schoolYear` and their `semester`/`term` children → `semester`, one per school the session
 * applies to (a department's calendar applies to all its schools).
 */
import type { School, SchoolYear, Semester } from '../../src/model/index.ts';
import { codeList, mapEach, type ReadContext, type ReadItem, RecordError } from '../../src/sdk/index.ts';
import type { OneRosterClient } from './client.ts';
import type { OneRosterConfig } from './config.ts';
import { isoDate, keyOf, locationOf, required, sourceOf } from './map.ts';
import { Roster } from './roster.ts';
import { isActive, type OrAcademicSession, type OrOrg } from './types.ts';

const schoolLevel = codeList(
  {
    primary: ['Tiểu học', 'TH'],
    lower_secondary: ['THCS', 'Trung học cơ sở'],
    upper_secondary: ['THPT', 'Trung học phổ thông'],
    multi_level: ['Liên cấp', 'TH-THCS', 'THCS-THPT', 'TH-THCS-THPT'],
  },
  'level',
);

const text = (value: unknown): string | undefined =>
  typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;

function toSchool(org: OrOrg, roster: Roster, config: OneRosterConfig, now: Date): School {
  const location = locationOf('orgs', org.sourcedId);
  const schoolCode = roster.schoolCode(org.sourcedId, location);
  const profile = config.schools[schoolCode] ?? {};
  const meta = org.metadata ?? {};
  const level = profile.level ?? text(meta.level);
  const provinceCode = profile.provinceCode ?? text(meta.provinceCode) ?? /^(\d{2})/.exec(schoolCode)?.[1];
  const address = profile.address ?? text(meta.address);
  return {
    type: 'school',
    key: keyOf(config, 'school', org.sourcedId!),
    source: sourceOf(schoolCode, now, location),
    schoolCode,
    name: required(text(org.name), 'name', location, 'tên trường / school name'),
    level: schoolLevel(
      required(level, 'level', location, 'cấp học (metadata.level) / school level'),
      location,
    ),
    commune: required(profile.commune ?? text(meta.commune), 'commune', location, 'xã/phường / commune'),
    provinceCode: required(provinceCode, 'provinceCode', location, 'mã tỉnh / province code'),
    ...(address ? { address } : {}),
  };
}

function sessionRecords(
  session: OrAcademicSession,
  roster: Roster,
  config: OneRosterConfig,
  now: Date,
): Array<SchoolYear | Semester> {
  const location = locationOf('academicSessions', session.sourcedId);
  const schools = roster.schoolsOfSession(session);
  if (session.type === 'schoolYear') {
    const year = roster.yearOf(session.sourcedId, location);
    return schools.map((org) => {
      const schoolCode = roster.schoolCode(org.sourcedId, location);
      return {
        type: 'schoolYear',
        key: keyOf(config, 'school-year', `${session.sourcedId}@${org.sourcedId}`),
        source: sourceOf(schoolCode, now, location),
        schoolCode,
        schoolYear: year.schoolYear,
        startDate: year.startDate,
        endDate: year.endDate,
      } satisfies SchoolYear;
    });
  }
  const year = roster.yearOf(session.sourcedId, location);
  const semester = roster.semesterOf(session.sourcedId, location);
  const startDate = isoDate(session.startDate, 'startDate', location);
  const endDate = isoDate(session.endDate, 'endDate', location);
  return schools.map((org) => {
    const schoolCode = roster.schoolCode(org.sourcedId, location);
    return {
      type: 'semester',
      key: keyOf(config, 'semester', `${session.sourcedId}@${org.sourcedId}`),
      source: sourceOf(schoolCode, now, location),
      schoolCode,
      schoolYear: year.schoolYear,
      semester,
      startDate,
      endDate,
    } satisfies Semester;
  });
}

export async function* readSchools(
  ctx: ReadContext<OneRosterConfig>,
  client: OneRosterClient,
): AsyncGenerator<ReadItem> {
  const { config } = ctx;
  const roster = await Roster.load(client, config);
  const now = ctx.now();
  const deleted: string[] = [];
  const schools = [...roster.orgs.values()].filter((o) => o.type === 'school' && o.sourcedId);
  for (const org of schools) if (!isActive(org)) deleted.push(keyOf(config, 'school', org.sourcedId!));
  yield* mapEach(schools.filter(isActive), (org) => toSchool(org, roster, config, now), ctx);
  const sessions = [...roster.sessions.values()].filter(
    (s) => s.sourcedId && (s.type === 'schoolYear' || s.type === 'semester' || s.type === 'term'),
  );
  for (const s of sessions) {
    if (isActive(s)) continue;
    const kind = s.type === 'schoolYear' ? 'school-year' : 'semester';
    for (const org of roster.schoolsOfSession(s))
      deleted.push(keyOf(config, kind, `${s.sourcedId}@${org.sourcedId}`));
  }
  yield* mapEach(
    sessions.filter(isActive),
    (s) => {
      // A term that is not a semester of a school year (a summer course, a grading period …) is not ours.
      if (s.type !== 'schoolYear' && !s.parent?.sourcedId && !s.schoolYear) {
        throw new RecordError(
          'SESSION_UNMAPPABLE',
          'semester: học kỳ không thuộc năm học nào / the term belongs to no school year',
          { field: 'semester', location: locationOf('academicSessions', s.sourcedId) },
        );
      }
      return sessionRecords(s, roster, config, now);
    },
    ctx,
  );
  if (deleted.length > 0) yield ctx.deleted(deleted);
}
