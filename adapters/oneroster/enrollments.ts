/**
 * Stream `enrollments`: a student's enrollment in a homeroom class is the canonical `enrollment`
 * (which class the student is in for the year). Enrollments in subject classes and teachers'
 * enrollments are not records of their own: they say who learns and who teaches each subject.
 *
 * A full read goes school by school (`/schools/{id}/enrollments` and `/schools/{id}/students`), so
 * only one school's student codes are held at a time. An incremental read asks for the enrollments
 * changed after the checkpoint; those now `tobedeleted` come out as `deleted` keys.
 */
import { type Enrollment, STUDENT_STATUS_CODES } from '../../src/model/index.ts';
import { mapEach, type ReadContext, type ReadItem, RecordError } from '../../src/sdk/index.ts';
import { ClassIndex } from './classes.ts';
import { changedSince, type OneRosterClient } from './client.ts';
import type { OneRosterConfig } from './config.ts';
import { isoDate, keyOf, locationOf, required, sourceOf } from './map.ts';
import { Roster } from './roster.ts';
import { isActive, type OrEnrollment, type OrUser } from './types.ts';

const STATUSES: ReadonlySet<string> = new Set(STUDENT_STATUS_CODES);

interface Resolved {
  enrollment: OrEnrollment;
  studentCode: string | undefined;
}

function toEnrollment(
  r: Resolved,
  index: ClassIndex,
  roster: Roster,
  config: OneRosterConfig,
  now: Date,
): Enrollment {
  const e = r.enrollment;
  const location = locationOf('enrollments', e.sourcedId);
  const cls = index.classes.get(e.class!.sourcedId!)!;
  const schoolCode = roster.schoolCode(e.school?.sourcedId ?? cls.schoolId, location);
  const year = roster.yearOf(cls.terms[0], location);
  const status = e.metadata?.studentStatus ?? 'studying';
  if (typeof status !== 'string' || !STATUSES.has(status)) {
    throw new RecordError(
      'CODE_UNKNOWN',
      'status: metadata.studentStatus không có trong danh mục trạng thái học sinh / metadata.studentStatus is not a student status code',
      { field: 'status', location },
    );
  }
  return {
    type: 'enrollment',
    key: keyOf(config, 'enrollment', e.sourcedId!),
    source: sourceOf(schoolCode, now, location),
    schoolCode,
    schoolYear: year.schoolYear,
    studentCode: required(
      r.studentCode,
      'studentCode',
      location,
      'mã học sinh của user / the user\u2019s student code',
    ),
    className: index.className(cls, location),
    status,
    // Without a begin date, the enrollment holds from the first day of the year.
    statusDate: e.beginDate ? isoDate(e.beginDate, 'statusDate', location) : year.startDate,
  };
}

export async function* readEnrollments(
  ctx: ReadContext<OneRosterConfig>,
  client: OneRosterClient,
): AsyncGenerator<ReadItem> {
  const { config } = ctx;
  const roster = await Roster.load(client, config);
  const index = await ClassIndex.load(client, config);
  const now = ctx.now();
  const gone: string[] = [];
  const since = typeof ctx.checkpoint === 'string' ? ctx.checkpoint : undefined;
  const codes = new Map<string, string | undefined>();
  const studentCode = async (id: string | undefined) => {
    if (!id) return undefined;
    if (!codes.has(id)) {
      const user = await client.get<OrUser>('rostering', `users/${encodeURIComponent(id)}`, 'user');
      codes.set(id, user?.identifier?.trim() || undefined);
    }
    return codes.get(id);
  };

  async function* resolve(enrollments: AsyncIterable<OrEnrollment>): AsyncGenerator<Resolved> {
    for await (const e of enrollments) {
      const cls = e.class?.sourcedId ? index.classes.get(e.class.sourcedId) : undefined;
      if (!e.sourcedId || e.role !== 'student' || !cls?.homeroom) continue;
      if (!isActive(e)) {
        gone.push(keyOf(config, 'enrollment', e.sourcedId));
        continue;
      }
      yield { enrollment: e, studentCode: await studentCode(e.user?.sourcedId) };
    }
  }

  const map = (r: Resolved) => toEnrollment(r, index, roster, config, now);
  if (since !== undefined) {
    yield* mapEach(
      resolve(
        client.list<OrEnrollment>('rostering', 'enrollments', 'enrollments', { filter: changedSince(since) }),
      ),
      map,
      ctx,
    );
  } else {
    for (const school of roster.schools()) {
      // One school's student codes at a time.
      codes.clear();
      const id = encodeURIComponent(school.sourcedId!);
      for await (const u of client.list<OrUser>('rostering', `schools/${id}/students`, 'users', {
        fields: ['sourcedId', 'identifier'],
      })) {
        if (u.sourcedId) codes.set(u.sourcedId, u.identifier?.trim() || undefined);
      }
      yield* mapEach(
        resolve(
          client.list<OrEnrollment>('rostering', `schools/${id}/enrollments`, 'enrollments', {
            filter: "role='student'",
          }),
        ),
        map,
        ctx,
      );
    }
  }
  if (gone.length > 0) yield ctx.deleted(gone);
  yield ctx.checkpointAt(client.checkpoint());
}
