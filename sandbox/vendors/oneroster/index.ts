/**
 * A sandbox OneRoster 1.2 provider: serves a generated district over Rostering and Gradebook REST
 * on loopback, with OAuth2 client credentials, paging, filters, soft deletes (`tobedeleted`),
 * changes on demand (`mutate`) and misbehaviour on demand (`fail`). See README.md.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { commentedSemesterResult, semesterAverage } from '../../../src/model/grading.ts';
import { generateDistrict } from '../../generator/index.ts';
import { urlHost } from '../../ports.ts';
import { buildDataset, GRADEBOOK_PATH, ROSTERING_PATH, type SourceRecords } from './dataset.ts';
import { type Fault, FaultQueue } from './faults.ts';
import { injectReferenceDefects, type ReferenceDefect } from './reference.ts';
import { ALL_SCOPES, buildServer, type ClientCredentials, type ServerStats } from './server.ts';
import type { OneRosterData, Result, User } from './types.ts';

export type { Fault } from './faults.ts';
export { parseFilter } from './filter.ts';
export type { ReferenceDefect } from './reference.ts';
export { ALL_SCOPES, type ClientCredentials, SCOPES } from './server.ts';
export type * from './types.ts';
export { GRADEBOOK_PATH, ROSTERING_PATH, type SourceRecords };

export interface OneRosterProviderOptions {
  /** A directory written by `generateDistrict`. Without it a district is generated in a temporary directory. */
  districtDir?: string;
  /** For a generated district (defaults: 1 school, seed 1, 1 class per grade of 10 students). */
  schools?: number;
  seed?: number;
  classesPerGrade?: number;
  classSize?: number;
  schoolYear?: string;
  /** Serve the gradebook (categories, line items, results); default true. */
  gradebook?: boolean;
  /** Only these subjects' courses, classes and results (default all): for small recordings. */
  subjects?: readonly string[];
  /** Only these grades' classes and students (default 6–9). */
  grades?: readonly number[];
  /** Break a few records on purpose (see reference.ts); the list is in `referenceDefects`. */
  referenceDefects?: boolean;
  /** The main client; defaults `edubridge-sandbox` / `sandbox-secret`, granted every read scope. */
  clientId?: string;
  clientSecret?: string;
  /** More clients, e.g. one without the gradebook scope. */
  clients?: ClientCredentials[];
  /** Lifetime of a token (default 3600 s). */
  tokenTtlSeconds?: number;
  /** Page size when `limit` is absent (default 100, as the spec says). */
  defaultLimit?: number;
  /** Largest page the provider serves whatever `limit` asks (default 1000). */
  maxLimit?: number;
  /** The provider's clock: `dateLastModified` of changes, token expiry, the `Date` header. */
  now?: () => Date;
  /** Default 0: any free port. */
  port?: number;
  /** The address to listen on (default 127.0.0.1). */
  host?: string;
}

export interface Mutation {
  /** Whose users to touch (default `student`). */
  role?: 'student' | 'teacher' | 'guardian';
  /** Users to change (sourcedIds, or how many to pick): a student's middle name, a teacher's or guardian's phone. */
  change?: number | readonly string[];
  /** Users to delete: they, their demographics and enrollments become `tobedeleted`. */
  delete?: number | readonly string[];
}

export interface MutationResult {
  changed: string[];
  deleted: string[];
}

export interface OneRosterProvider {
  /** `http://127.0.0.1:<port>`: the adapter's `baseUrl`. */
  url: string;
  tokenUrl: string;
  rosteringUrl: string;
  gradebookUrl: string;
  clientId: string;
  clientSecret: string;
  /** What is served, live: tests may read it (and should change it only through the methods below). */
  data: OneRosterData;
  /** The canonical records the data was built from. */
  source: SourceRecords;
  referenceDefects: ReferenceDefect[];
  stats: ServerStats;
  /** Faults served so far, by kind. */
  faultsServed: Record<string, number>;
  /** Queues a fault for the next matching requests. */
  fail(fault: Fault): void;
  clearFaults(): void;
  /** Every token issued so far expires now. */
  expireTokens(): void;
  /** Changes and deletes users; `dateLastModified` moves to the provider's now. */
  mutate(mutation: Mutation): MutationResult;
  /**
   * Changes midterm (GK) results: a scored one by half a point, a commented one Đ ↔ CĐ, and the
   * semester average (TB) of the same student with it. Returns the changed results' sourcedIds.
   */
  changeResults(which: number | readonly string[]): string[];
  close(): Promise<void>;
}

async function loadDataset(options: OneRosterProviderOptions) {
  const only = {
    ...(options.subjects ? { subjects: options.subjects } : {}),
    ...(options.grades ? { grades: options.grades } : {}),
  };
  if (options.districtDir)
    return buildDataset(options.districtDir, { gradebook: options.gradebook ?? true, ...only });
  const dir = await mkdtemp(join(tmpdir(), 'edubridge-oneroster-'));
  try {
    const gradebook = options.gradebook ?? true;
    await generateDistrict({
      outDir: dir,
      schools: options.schools ?? 1,
      seed: options.seed ?? 1,
      classesPerGrade: options.classesPerGrade ?? 1,
      classSize: options.classSize ?? 10,
      ...(options.schoolYear ? { schoolYear: options.schoolYear } : {}),
      streams: [
        'schools',
        'school-years',
        'subjects',
        'classes',
        'teachers',
        'students',
        'timetable',
        ...(gradebook ? (['assessments'] as const) : []),
      ],
    });
    return await buildDataset(dir, { gradebook, ...only });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function pick(pool: readonly User[], which: number | readonly string[] | undefined, phase: number): User[] {
  if (which === undefined) return [];
  if (typeof which !== 'number') {
    const wanted = new Set(which);
    return pool.filter((u) => wanted.has(u.sourcedId));
  }
  // Spread over the list, changes and deletions on different users.
  return pool.filter((_, i) => i % 7 === phase).slice(0, which);
}

/**
 * Starts the provider (on 127.0.0.1 unless `host` says otherwise).
 *
 * @example
 * const provider = await startOneRosterProvider({ schools: 1, classSize: 8 });
 * // adapter config: { baseUrl: provider.url, tokenUrl: provider.tokenUrl, clientId: provider.clientId, … }
 * provider.mutate({ change: 2, delete: 1 });
 * provider.fail({ kind: 'status', status: 429, retryAfter: 1 });
 * await provider.close();
 */
export async function startOneRosterProvider(
  options: OneRosterProviderOptions = {},
): Promise<OneRosterProvider> {
  const { data, source } = await loadDataset(options);
  const referenceDefects = options.referenceDefects ? injectReferenceDefects(data) : [];
  const now = options.now ?? (() => new Date());
  const clientId = options.clientId ?? 'edubridge-sandbox';
  const clientSecret = options.clientSecret ?? 'sandbox-secret';
  const faults = new FaultQueue();
  const stats: ServerStats = { requests: 0, tokenRequests: 0, tokensIssued: 0, statuses: {}, log: [] };
  const tokens = new Map<string, { clientId: string; scopes: Set<string>; expiresAt: number }>();
  const app = buildServer({
    data,
    clients: [{ clientId, clientSecret, scopes: ALL_SCOPES }, ...(options.clients ?? [])],
    tokenTtlSeconds: options.tokenTtlSeconds ?? 3600,
    defaultLimit: options.defaultLimit ?? 100,
    maxLimit: options.maxLimit ?? 1000,
    now,
    faults,
    stats,
    tokens,
  });
  const host = options.host ?? '127.0.0.1';
  await app.listen({ host, port: options.port ?? 0 });
  const address = app.server.address();
  if (!address || typeof address === 'string') throw new Error('the OneRoster sandbox has no TCP address');
  const url = `http://${urlHost(host)}:${address.port}`;

  const stamp = () => now().toISOString();
  const byId = <T extends { sourcedId: string }>(rows: readonly T[]) =>
    new Map(rows.map((r) => [r.sourcedId, r]));
  const demographics = byId(data.demographics);

  function mutate(m: Mutation): MutationResult {
    const role = m.role ?? 'student';
    const roles = role === 'guardian' ? ['parent', 'guardian', 'relative'] : [role];
    const pool = data.users.filter(
      (u) => u.status === 'active' && u.roles.some((r) => roles.includes(r.role)),
    );
    const changed = pick(pool, m.change, 3);
    const deleted = pick(pool, m.delete, 5).filter((u) => !changed.includes(u));
    for (const u of changed) {
      if (role === 'student') {
        u.middleName = u.middleName?.endsWith(' Ngọc')
          ? u.middleName.slice(0, -5)
          : `${u.middleName ?? ''} Ngọc`.trim();
      } else {
        const digits = (u.phone ?? '0900000000').replace(/\D/g, '');
        u.phone = `09${digits.slice(3)}${digits[2] ?? '0'}`;
        if (u.sms) u.sms = u.phone;
      }
      u.dateLastModified = stamp();
    }
    const gone = new Set(deleted.map((u) => u.sourcedId));
    for (const u of deleted) {
      u.status = 'tobedeleted';
      u.dateLastModified = stamp();
      const d = demographics.get(u.sourcedId);
      if (d) {
        d.status = 'tobedeleted';
        d.dateLastModified = stamp();
      }
    }
    for (const e of data.enrollments) {
      if (gone.has(e.user.sourcedId) && e.status === 'active') {
        e.status = 'tobedeleted';
        e.dateLastModified = stamp();
      }
    }
    return { changed: changed.map((u) => u.sourcedId), deleted: deleted.map((u) => u.sourcedId) };
  }

  function changeResults(which: number | readonly string[]): string[] {
    const lineItems = byId(data.lineItems);
    const kindOf = (r: Result) => lineItems.get(r.lineItem.sourcedId)?.title.slice(0, 3) ?? '';
    const midterms = data.results.filter((r) => r.status === 'active' && kindOf(r).startsWith('GK'));
    const chosen =
      typeof which === 'number'
        ? midterms.filter((_, i) => i % 11 === 4).slice(0, which)
        : midterms.filter((r) => which.includes(r.sourcedId));
    const changedIds: string[] = [];
    for (const r of chosen) {
      if (r.score !== undefined) r.score = r.score >= 9.5 ? r.score - 0.5 : r.score + 0.5;
      else r.textScore = r.textScore === 'Đ' ? 'CĐ' : 'Đ';
      r.dateLastModified = stamp();
      changedIds.push(r.sourcedId);
      // The semester average (TB) follows, as the school's software would recompute it.
      const term = lineItems.get(r.lineItem.sourcedId)!.academicSession.sourcedId;
      const group = data.results.filter(
        (x) =>
          x.status === 'active' &&
          x.student.sourcedId === r.student.sourcedId &&
          x.class.sourcedId === r.class.sourcedId &&
          lineItems.get(x.lineItem.sourcedId)?.academicSession.sourcedId === term,
      );
      const of = (prefix: string) => group.filter((x) => kindOf(x).startsWith(prefix));
      const tb = of('TB')[0];
      const mid = of('GK')[0];
      const fin = of('CK')[0];
      if (!tb || !mid || !fin) continue;
      if (r.score !== undefined) {
        tb.score = semesterAverage(
          of('TX').map((x) => x.score!),
          mid.score!,
          fin.score!,
        );
      } else {
        const all = [...of('TX'), mid, fin].map((x) => x.textScore as 'Đ' | 'CĐ');
        tb.textScore = commentedSemesterResult(all, of('TX').length + 2);
      }
      tb.dateLastModified = stamp();
    }
    return changedIds;
  }

  return {
    url,
    tokenUrl: `${url}/oauth/token`,
    rosteringUrl: `${url}${ROSTERING_PATH}`,
    gradebookUrl: `${url}${GRADEBOOK_PATH}`,
    clientId,
    clientSecret,
    data,
    source,
    referenceDefects,
    stats,
    faultsServed: faults.served,
    fail: (fault) => faults.add(fault),
    clearFaults: () => faults.clear(),
    expireTokens: () => {
      for (const t of tokens.values()) t.expiresAt = 0;
    },
    mutate,
    changeResults,
    close: async () => {
      tokens.clear();
      await app.close();
    },
  };
}
