/**
 * The small, district-wide part of a roster every stream needs: orgs (which school is which) and
 * academic sessions (which school year and semester a term is). Read once per read; a district
 * has a few hundred orgs and a handful of sessions.
 */
import { RecordError } from '../../src/sdk/index.ts';
import type { OneRosterClient } from './client.ts';
import type { OneRosterConfig } from './config.ts';
import { isoDate, locationOf } from './map.ts';
import { isActive, type OrAcademicSession, type OrOrg } from './types.ts';

export interface YearInfo {
  sessionId: string;
  schoolYear: string;
  startDate: string;
  endDate: string;
}

export class Roster {
  private constructor(
    private readonly config: OneRosterConfig,
    readonly orgs: ReadonlyMap<string, OrOrg>,
    readonly sessions: ReadonlyMap<string, OrAcademicSession>,
  ) {}

  static async load(client: OneRosterClient, config: OneRosterConfig): Promise<Roster> {
    const orgs = new Map<string, OrOrg>();
    for await (const org of client.list<OrOrg>('rostering', 'orgs', 'orgs')) {
      if (org.sourcedId) orgs.set(org.sourcedId, org);
    }
    const sessions = new Map<string, OrAcademicSession>();
    for await (const s of client.list<OrAcademicSession>(
      'rostering',
      'academicSessions',
      'academicSessions',
    )) {
      if (s.sourcedId) sessions.set(s.sourcedId, s);
    }
    return new Roster(config, orgs, sessions);
  }

  /** Active schools, in the provider's order. */
  schools(): OrOrg[] {
    return [...this.orgs.values()].filter((o) => o.type === 'school' && isActive(o));
  }

  /** The school code of an org: the configured mapping, else the org's `identifier`. */
  schoolCode(orgId: string | undefined, location: string, field = 'schoolCode'): string {
    if (orgId && this.config.schoolCodeOf[orgId]) return this.config.schoolCodeOf[orgId]!;
    const org = orgId ? this.orgs.get(orgId) : undefined;
    if (!org) {
      throw new RecordError(
        'ORG_UNKNOWN',
        `${field}: trường (org ${orgId ?? '?'}) không có trong danh sách orgs / the school (org ${orgId ?? '?'}) is not among the orgs`,
        { field, location },
      );
    }
    const code = org.identifier?.trim();
    if (!code) {
      throw new RecordError(
        'SCHOOL_CODE_MISSING',
        `${field}: org ${orgId} không có identifier (mã trường); khai báo trong schoolCodeOf / org ${orgId} has no identifier (school code); map it in schoolCodeOf`,
        { field, location },
      );
    }
    return code;
  }

  /** True when `ancestorId` is the org or one of its parents. */
  private isUnder(orgId: string, ancestorId: string): boolean {
    const seen = new Set<string>();
    for (let id: string | undefined = orgId; id && !seen.has(id); id = this.orgs.get(id)?.parent?.sourcedId) {
      if (id === ancestorId) return true;
      seen.add(id);
    }
    return false;
  }

  /** The active schools a session applies to: its org's schools, or every school when it names none. */
  schoolsOfSession(session: OrAcademicSession): OrOrg[] {
    const owner = session.org?.sourcedId;
    return this.schools().filter((s) => !owner || this.isUnder(s.sourcedId!, owner));
  }

  /** The school year a session belongs to: itself when it is one, else its nearest `schoolYear` parent. */
  yearOf(sessionId: string | undefined, location: string, field = 'schoolYear'): YearInfo {
    let session = sessionId ? this.sessions.get(sessionId) : undefined;
    // A term's year is its parent (a grading period's, its grandparent); a term without one stands for itself.
    for (let hops = 0; session && session.type !== 'schoolYear' && hops < 5; hops++) {
      const parent = session.parent?.sourcedId ? this.sessions.get(session.parent.sourcedId) : undefined;
      if (!parent) break;
      session = parent;
    }
    if (!session) {
      throw new RecordError(
        'SESSION_UNKNOWN',
        `${field}: academic session ${sessionId ?? '?'} không có / academic session ${sessionId ?? '?'} is unknown`,
        { field, location },
      );
    }
    const where = locationOf('academicSessions', session.sourcedId);
    const startDate = isoDate(session.startDate, 'startDate', where);
    const endDate = isoDate(session.endDate, 'endDate', where);
    // OneRoster's schoolYear is the year the school year ends in ("2026" for 2025–2026).
    const end = /^\d{4}$/.test(String(session.schoolYear ?? '').trim())
      ? Number(session.schoolYear)
      : Number(endDate.slice(0, 4));
    const start = session.type === 'schoolYear' ? Number(startDate.slice(0, 4)) : end - 1;
    if (end !== start + 1) {
      throw new RecordError(
        'SCHOOL_YEAR_UNMAPPABLE',
        `${field}: năm học ${start}–${end} không phải một năm học / ${start}–${end} is not one school year`,
        { field, location: where },
      );
    }
    return { sessionId: session.sourcedId!, schoolYear: `${start}-${end}`, startDate, endDate };
  }

  /** 1 or 2: the rank of a term by start date among the terms of its school year. */
  semesterOf(termId: string | undefined, location: string, field = 'semester'): 1 | 2 {
    const term = termId ? this.sessions.get(termId) : undefined;
    const fail = (why: string) =>
      new RecordError('SEMESTER_UNMAPPABLE', `${field}: ${why}`, { field, location });
    if (!term) throw fail(`học kỳ ${termId ?? '?'} không có / term ${termId ?? '?'} is unknown`);
    const parent = term.parent?.sourcedId;
    const siblings = [...this.sessions.values()]
      .filter(
        (s) =>
          isActive(s) &&
          (s.type === 'semester' || s.type === 'term') &&
          s.parent?.sourcedId === parent &&
          (parent !== undefined || s.schoolYear === term.schoolYear),
      )
      .sort((a, b) => String(a.startDate).localeCompare(String(b.startDate)));
    const rank = siblings.findIndex((s) => s.sourcedId === term.sourcedId) + 1;
    if (rank !== 1 && rank !== 2) {
      throw fail(
        `năm học có ${siblings.length} học kỳ; Thông tư 22 có 2 / the school year has ${siblings.length} terms; Circular 22 has 2`,
      );
    }
    return rank;
  }
}
