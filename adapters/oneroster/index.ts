/**
 * The `oneroster` adapter: a OneRoster 1.2 REST consumer (Rostering, and Gradebook results) for
 * school systems that publish OneRoster. OAuth2 client credentials, `limit`/`offset` paging,
 * incremental reads by `filter=dateLastModified>'…'`, deletions from `status: tobedeleted`.
 * The mapping to canonical records is in README.md.
 */
import {
  type AdapterError,
  type BaseContext,
  type CheckProblem,
  type CheckResult,
  type Discovery,
  defineAdapter,
  isAdapterError,
  PermanentError,
  type ReadContext,
  type ReadItem,
  type StreamName,
} from '../../src/sdk/index.ts';
import { readAssessments } from './assessments.ts';
import { readClasses } from './classes.ts';
import { OneRosterClient } from './client.ts';
import { configSchema, type OneRosterConfig } from './config.ts';
import { readEnrollments } from './enrollments.ts';
import { ADAPTER } from './map.ts';
import { readStudents, readTeachers } from './people.ts';
import { Roster } from './roster.ts';
import { readSchools } from './schools.ts';

export { kindOfCategory, kindOfTitle, type LineItemKind } from './assessments.ts';
export { configSchema, DEFAULT_SCOPE, type OneRosterConfig } from './config.ts';

type OneRosterStream = 'schools' | 'students' | 'teachers' | 'classes' | 'enrollments' | 'assessments';

/** A problem a person can act on, with no secret in it (the SDK's messages never carry one; this makes sure). */
function problemOf(error: unknown, config: OneRosterConfig, code?: string): CheckProblem {
  const scrub = (text: string) => text.split(config.clientSecret).join('***');
  if (isAdapterError(error))
    return { code: code ?? (error as AdapterError).code, message: scrub(error.message) };
  return {
    code: code ?? 'UNEXPECTED',
    message: scrub(`Lỗi không mong đợi / Unexpected failure: ${(error as Error)?.message ?? String(error)}`),
  };
}

const refused = (error: unknown) => isAdapterError(error) && error.code === 'AUTH_REFUSED';

async function check(config: OneRosterConfig, ctx: BaseContext): Promise<CheckResult> {
  const client = new OneRosterClient(config, ctx);
  try {
    // A token, and the cheapest call there is.
    await client.count('rostering', 'orgs', 'orgs');
  } catch (error) {
    return { ok: false, problems: [problemOf(error, config)] };
  }
  // The token works: a refusal now means a scope the client was not granted.
  const problems: CheckProblem[] = [];
  for (const [service, path, what] of [
    ['rostering', 'demographics', 'demographics (ngày sinh, giới tính / birth date, sex)'],
    ['gradebook', 'results', 'gradebook (kết quả học tập / results)'],
  ] as const) {
    try {
      await client.count(service, path, path);
    } catch (error) {
      problems.push(
        refused(error)
          ? {
              code: 'SCOPE_MISSING',
              message: `${client.source} không cho đọc ${what}: cấp thêm scope cho client / does not let this client read ${what}: grant the scope`,
            }
          : problemOf(error, config),
      );
    }
  }
  return problems.length > 0 ? { ok: false, problems } : { ok: true };
}

/** A count when the provider can give one (a provider refusing the filter gets no count, not a failure). */
async function countOf(
  client: OneRosterClient,
  path: string,
  key: string,
  filter: string,
): Promise<number | undefined> {
  try {
    return await client.count('rostering', path, key, filter);
  } catch (error) {
    if (error instanceof PermanentError && error.code === 'HTTP_400') return undefined;
    throw error;
  }
}

async function discover(config: OneRosterConfig, ctx: BaseContext): Promise<Discovery> {
  const client = new OneRosterClient(config, ctx);
  const roster = await Roster.load(client, config);
  const active = "status='active'";
  const streams: Discovery['streams'] = [
    { name: 'schools', count: roster.schools().length },
    { name: 'students', count: await countOf(client, 'students', 'users', active) },
    { name: 'teachers', count: await countOf(client, 'teachers', 'users', active) },
    {
      name: 'classes',
      count: await countOf(client, 'classes', 'classes', `classType='homeroom' AND ${active}`),
    },
    // One canonical enrollment is a homeroom enrollment and one assessment a group of results:
    // X-Total-Count cannot say how many of either there are.
    { name: 'enrollments' },
    { name: 'assessments' },
  ];
  const schools: NonNullable<Discovery['schools']> = [];
  for (const org of roster.schools()) {
    try {
      schools.push({
        schoolCode: roster.schoolCode(org.sourcedId, `orgs/${org.sourcedId}`),
        ...(org.name ? { name: org.name } : {}),
      });
    } catch {
      // An org without a school code shows up as a rejected record when the schools stream is read.
    }
  }
  const years = new Set<string>();
  for (const s of roster.sessions.values()) {
    if (s.type !== 'schoolYear' || s.status === 'tobedeleted') continue;
    try {
      years.add(roster.yearOf(s.sourcedId, `academicSessions/${s.sourcedId}`).schoolYear);
    } catch {
      // Same: reported by the schools stream.
    }
  }
  return {
    streams: streams.map((s) => (s.count === undefined ? { name: s.name } : s)),
    schools,
    schoolYears: [...years].sort(),
  };
}

const READERS: Record<
  OneRosterStream,
  (ctx: ReadContext<OneRosterConfig>, client: OneRosterClient) => AsyncGenerator<ReadItem>
> = {
  schools: readSchools,
  students: readStudents,
  teachers: readTeachers,
  classes: readClasses,
  enrollments: readEnrollments,
  assessments: readAssessments,
};

const INCREMENTAL: ReadonlySet<StreamName> = new Set(['students', 'teachers', 'enrollments', 'assessments']);

export default defineAdapter({
  id: ADAPTER.id,
  name: 'OneRoster 1.2',
  version: ADAPTER.version,
  description:
    'OneRoster 1.2 Rostering và Gradebook (REST, OAuth2) / OneRoster 1.2 Rostering and Gradebook results over REST with OAuth2 client credentials',
  configSchema,
  streams: {
    schools: {
      primaryKey: ['key'],
      incremental: false,
      reportsDeletions: true,
      description: 'orgs and academicSessions',
    },
    students: {
      primaryKey: ['key'],
      incremental: true,
      reportsDeletions: true,
      description: 'users with role student, demographics, guardians from agents',
    },
    teachers: {
      primaryKey: ['key'],
      incremental: true,
      reportsDeletions: true,
      description: 'users with role teacher, demographics, subjects from enrollments',
    },
    classes: {
      primaryKey: ['key'],
      incremental: false,
      reportsDeletions: true,
      description: 'homeroom classes and subject courses',
    },
    enrollments: {
      primaryKey: ['key'],
      incremental: true,
      reportsDeletions: true,
      description: 'students in homeroom classes',
    },
    assessments: {
      primaryKey: ['key'],
      incremental: true,
      reportsDeletions: true,
      description: 'gradebook results per student, subject and semester',
    },
  },
  check,
  discover,
  async *read(stream, ctx) {
    const checkpoint = INCREMENTAL.has(stream) ? ctx.checkpoint : undefined;
    if (
      checkpoint !== undefined &&
      (typeof checkpoint !== 'string' || Number.isNaN(Date.parse(checkpoint)))
    ) {
      throw new PermanentError(
        'CHECKPOINT_INVALID',
        'Checkpoint không phải thời điểm ISO 8601 / The checkpoint is not an ISO 8601 instant',
      );
    }
    const since = checkpoint === undefined ? undefined : new Date(checkpoint as string).toISOString();
    const client = new OneRosterClient(ctx.config, ctx);
    try {
      yield* READERS[stream]({ ...ctx, checkpoint: since }, client);
    } catch (error) {
      // Cancelled: stop and return, as the contract asks.
      if (ctx.signal.aborted) return;
      throw error;
    }
  },
});
