/**
 * Cross-target reconciliation of one school: what the school's software says (students, their
 * status and guardians, fee notices) against what SSC reports paid. It lists what a district
 * accountant must look at:
 * - a withdrawn or transferred student still billed (a notice not cancelled, not fully paid);
 * - an enrolled student with no fee notice in the current school year;
 * - a billed student whose billing guardian (the primary contact, who receives the notices) is
 *   missing, has no personal ID, or is not verified as the student's guardian.
 *
 * Guardianship verification comes from C06 checks (issue 6); until those exist every guardian is
 * `not_checked`, and the report says so rather than pretending.
 *
 * And against the city Education DB, the system of record for master data: its roster for the
 * school is matched with the school's students and teachers by sector code (MaHocSinh, MaCanBo),
 * else by personal ID, and the report lists who is only in the school's software (the city will
 * hold them for review), who is only in the city DB (moved away, or never recorded at the
 * school), and which fields differ. Field names only: the values are personal data.
 */
import {
  ACTIVE_STUDENT_STATUSES,
  type CanonicalRecord,
  checkRecord,
  type Guardianship,
  type Receivable,
  type Student,
} from '../model/index.ts';
import { readContext, silentLogger } from '../sdk/adapter.ts';
import {
  type Adapter,
  AdapterError,
  type InputLimits,
  isSignal,
  parseAdapterConfig,
  type StreamName,
} from '../sdk/index.ts';
import { type Database, paidByReceivable } from '../store/index.ts';

export type GuardianVerification = 'verified' | 'not_confirmed' | 'not_checked';

/** The part of the city Education DB target reconciliation needs (structural). */
export interface CityRosterSource {
  readRoster(
    schoolCode: string,
  ): Promise<{ HocSinh: Record<string, unknown>[]; GiaoVien: Record<string, unknown>[] }>;
  map(record: CanonicalRecord): { key: string; body: unknown } | undefined;
}

export interface RosterDifferences {
  students: number;
  teachers: number;
  onlyInSchool: Array<{ kind: 'HocSinh' | 'GiaoVien'; code: string }>;
  onlyInCity: Array<{ kind: 'HocSinh' | 'GiaoVien'; code: string }>;
  differing: Array<{
    kind: 'HocSinh' | 'GiaoVien';
    code: string;
    fields: string[];
    matchedBy: 'code' | 'personalId';
  }>;
}

export interface ReconciliationReport {
  schoolCode: string;
  generatedAt: string;
  /** The school year of the fee notices compared (the latest the source holds). */
  schoolYear: string | null;
  /** Streams the source could not give (the checks that need them are skipped). */
  unavailable: string[];
  verificationSource: 'c06' | 'none';
  counts: {
    students: number;
    enrolled: number;
    notices: number;
    withdrawnStillBilled: number;
    enrolledWithoutNotice: number;
    billedGuardianNotVerified: number;
  };
  withdrawnStillBilled: Array<{
    studentCode: string;
    status: string;
    receivableNo: string;
    total: number;
    paid: number;
    outstanding: number;
  }>;
  enrolledWithoutNotice: Array<{ studentCode: string; className: string | null }>;
  billedGuardianNotVerified: Array<{
    studentCode: string;
    receivableNo: string;
    guardianKey: string | null;
    reason: 'no_guardian' | 'no_personal_id' | 'not_checked' | 'not_confirmed';
  }>;
  /** Against the city's roster; null when no city Education DB target is configured. */
  cityRoster: RosterDifferences | null;
}

export interface ReconcileOptions {
  db: Database;
  adapter: Adapter;
  adapterConfig: unknown;
  schoolCode: string;
  /** Rows listed per category at most (counts are always complete); default 1000. */
  limit?: number;
  /** How a guardian's link to a student was verified; default: nothing verified yet. */
  verification?: (
    guardian: { key: string; personalId?: string | undefined },
    studentKey: string,
  ) => GuardianVerification;
  /** The city Education DB, to compare master data with its roster. */
  city?: CityRosterSource;
  signal?: AbortSignal;
  /** Bounds on what the adapter parses (XLSX_MAX_INFLATED_BYTES …); the defaults without it. */
  inputLimits?: InputLimits;
}

/** The master fields compared with the city's roster (the city's names). */
const COMPARED: Record<'HocSinh' | 'GiaoVien', readonly string[]> = {
  HocSinh: ['HoTen', 'NgaySinh', 'GioiTinh', 'SoDinhDanh', 'MaDanToc', 'NamHoc', 'MaLop', 'TrangThai'],
  GiaoVien: ['HoTen', 'NgaySinh', 'GioiTinh', 'SoDinhDanh', 'MaDanToc'],
};
const CODE_FIELD = { HocSinh: 'MaHocSinh', GiaoVien: 'MaCanBo' } as const;

const OPEN: ReadonlySet<Receivable['status']> = new Set(['open', 'partially_paid']);

export async function reconcileSchool(options: ReconcileOptions): Promise<ReconciliationReport> {
  const { adapter, schoolCode } = options;
  const limit = options.limit ?? 1_000;
  const verify = options.verification ?? (() => 'not_checked' as const);
  const config = parseAdapterConfig(adapter.configSchema, options.adapterConfig, adapter.id);
  const unavailable: string[] = [];
  const students = new Map<
    string,
    {
      key: string;
      code: string;
      status: string | null;
      className: string | null;
      inline: Student['guardians'];
    }
  >();
  const byCode = new Map<string, string>();
  /** A student's guardianship links, by student key (looked up once per billed notice). */
  const guardianships = new Map<string, Guardianship[]>();
  const personIds = new Map<string, string | undefined>();
  const enrollmentStatus = new Map<string, { year: string; status: string; className: string }>();
  const receivables: Receivable[] = [];
  const masters: Array<{ kind: 'HocSinh' | 'GiaoVien'; record: Record<string, unknown> }> = [];
  const keepMaster = (r: CanonicalRecord) => {
    if (!options.city) return;
    try {
      const body = options.city.map(r)?.body as
        | { kind?: string; record?: Record<string, unknown> }
        | undefined;
      if (body?.record && (body.kind === 'HocSinh' || body.kind === 'GiaoVien'))
        masters.push({ kind: body.kind, record: body.record });
    } catch {
      // A record the city's mapping refuses is in the sync report already; it cannot be compared.
    }
  };

  const read = async (stream: StreamName, take: (record: CanonicalRecord) => void) => {
    if (!adapter.streams[stream]) {
      unavailable.push(stream);
      return;
    }
    const ctx = readContext(
      {
        logger: silentLogger,
        signal: options.signal ?? new AbortController().signal,
        now: () => new Date(),
        ...(options.inputLimits ? { limits: options.inputLimits } : {}),
      },
      config,
      undefined as never,
    );
    try {
      for await (const item of adapter.read(stream, ctx)) {
        if (isSignal(item) || item.schoolCode !== schoolCode) continue;
        // Only records that pass the record rules take part, as in a sync run.
        const checked = checkRecord(item, { asOf: new Date() });
        if (checked.record) take(checked.record);
      }
    } catch (error) {
      if (!(error instanceof AdapterError) || error.retryable) throw error;
      unavailable.push(stream);
    }
  };

  await read('students', (r) => {
    if (r.type !== 'student') return;
    keepMaster(r);
    students.set(r.key, {
      key: r.key,
      code: r.studentCode,
      status: r.status ?? null,
      className: r.className ?? null,
      inline: r.guardians,
    });
    byCode.set(r.studentCode, r.key);
  });
  if (options.city)
    await read('teachers', (r) => {
      if (r.type === 'teacher') keepMaster(r);
    });
  await read('guardianships', (r) => {
    if (r.type === 'guardianship') {
      const links = guardianships.get(r.studentKey);
      if (links) links.push(r);
      else guardianships.set(r.studentKey, [r]);
    } else if (r.type === 'person') personIds.set(r.key, r.personalId);
  });
  await read('enrollments', (r) => {
    if (r.type !== 'enrollment') return;
    const seen = enrollmentStatus.get(r.studentCode);
    if (!seen || r.schoolYear >= seen.year)
      enrollmentStatus.set(r.studentCode, { year: r.schoolYear, status: r.status, className: r.className });
  });
  await read('fees', (r) => {
    if (r.type === 'receivable') receivables.push(r);
  });

  const schoolYear = receivables.reduce<string | null>(
    (y, r) => (y === null || r.schoolYear > y ? r.schoolYear : y),
    null,
  );
  const current = receivables.filter((r) => r.schoolYear === schoolYear);
  const paid = await paidByReceivable(options.db, schoolCode);
  const statusOf = (code: string) => {
    const s = students.get(byCode.get(code) ?? '');
    return enrollmentStatus.get(code)?.status ?? s?.status ?? null;
  };
  const isActive = (code: string) => {
    const status = statusOf(code);
    return status === null || ACTIVE_STUDENT_STATUSES.has(status);
  };

  const report: ReconciliationReport = {
    schoolCode,
    generatedAt: new Date().toISOString(),
    schoolYear,
    unavailable,
    verificationSource: options.verification ? 'c06' : 'none',
    counts: {
      students: students.size,
      enrolled: [...students.values()].filter((s) => isActive(s.code)).length,
      notices: current.length,
      withdrawnStillBilled: 0,
      enrolledWithoutNotice: 0,
      billedGuardianNotVerified: 0,
    },
    withdrawnStillBilled: [],
    enrolledWithoutNotice: [],
    billedGuardianNotVerified: [],
    cityRoster: options.city ? await compareWithCity(options.city, schoolCode, masters, limit) : null,
  };
  const push = <T>(list: T[], item: T) => {
    if (list.length < limit) list.push(item);
  };
  if (unavailable.includes('fees') || schoolYear === null) return report;

  const billed = new Set<string>();
  for (const notice of current) {
    if (notice.status === 'cancelled') continue;
    billed.add(notice.studentCode);
    const got = paid.get(notice.receivableNo) ?? 0;
    const outstanding = Math.max(notice.total - got, 0);
    if (!isActive(notice.studentCode) && OPEN.has(notice.status) && outstanding > 0) {
      report.counts.withdrawnStillBilled++;
      push(report.withdrawnStillBilled, {
        studentCode: notice.studentCode,
        status: statusOf(notice.studentCode) ?? 'unknown',
        receivableNo: notice.receivableNo,
        total: notice.total,
        paid: got,
        outstanding,
      });
    }
    if (!OPEN.has(notice.status) || outstanding === 0) continue;
    const studentKey = byCode.get(notice.studentCode);
    const reason = studentKey ? billingGuardianProblem(studentKey) : 'no_guardian';
    if (reason) {
      report.counts.billedGuardianNotVerified++;
      push(report.billedGuardianNotVerified, {
        studentCode: notice.studentCode,
        receivableNo: notice.receivableNo,
        guardianKey: studentKey ? (billingGuardianOf(studentKey)?.key ?? null) : null,
        reason,
      });
    }
  }
  for (const s of students.values()) {
    if (!isActive(s.code) || billed.has(s.code)) continue;
    report.counts.enrolledWithoutNotice++;
    push(report.enrolledWithoutNotice, {
      studentCode: s.code,
      className: enrollmentStatus.get(s.code)?.className ?? s.className,
    });
  }
  return report;

  /** The guardian who receives the notices: the primary contact, else the first guardian. */
  function billingGuardianOf(
    studentKey: string,
  ): { key: string; personalId?: string | undefined } | undefined {
    const links = guardianships.get(studentKey) ?? [];
    const link = links.find((g) => g.primaryContact) ?? links[0];
    if (link) return { key: link.guardianKey, personalId: personIds.get(link.guardianKey) };
    const inline = students.get(studentKey)?.inline[0];
    return inline ? { key: `${studentKey}#guardian0`, personalId: inline.personalId } : undefined;
  }

  function billingGuardianProblem(
    studentKey: string,
  ): ReconciliationReport['billedGuardianNotVerified'][number]['reason'] | undefined {
    const guardian = billingGuardianOf(studentKey);
    if (!guardian) return 'no_guardian';
    if (!guardian.personalId) return 'no_personal_id';
    const verdict = verify(guardian, studentKey);
    return verdict === 'verified' ? undefined : verdict;
  }
}

async function compareWithCity(
  city: CityRosterSource,
  schoolCode: string,
  masters: ReadonlyArray<{ kind: 'HocSinh' | 'GiaoVien'; record: Record<string, unknown> }>,
  limit: number,
): Promise<RosterDifferences> {
  const roster = await city.readRoster(schoolCode);
  const out: RosterDifferences = {
    students: 0,
    teachers: 0,
    onlyInSchool: [],
    onlyInCity: [],
    differing: [],
  };
  const push = <T>(list: T[], item: T) => {
    if (list.length < limit) list.push(item);
  };
  for (const kind of ['HocSinh', 'GiaoVien'] as const) {
    const codeField = CODE_FIELD[kind];
    const theirs = roster[kind];
    const byCode = new Map(theirs.map((r) => [String(r[codeField]), r]));
    const byId = new Map(
      theirs.filter((r) => typeof r.SoDinhDanh === 'string').map((r) => [String(r.SoDinhDanh), r]),
    );
    const matched = new Set<Record<string, unknown>>();
    for (const { record } of masters.filter((m) => m.kind === kind)) {
      if (kind === 'HocSinh') out.students++;
      else out.teachers++;
      const code = String(record[codeField]);
      let match = byCode.get(code);
      let matchedBy: 'code' | 'personalId' = 'code';
      if (!match && typeof record.SoDinhDanh === 'string') {
        match = byId.get(record.SoDinhDanh);
        matchedBy = 'personalId';
      }
      if (!match) {
        push(out.onlyInSchool, { kind, code });
        continue;
      }
      matched.add(match);
      const fields = COMPARED[kind].filter((f) => JSON.stringify(record[f]) !== JSON.stringify(match[f]));
      if (matchedBy === 'personalId') fields.unshift(codeField);
      if (fields.length > 0) push(out.differing, { kind, code, fields, matchedBy });
    }
    for (const r of theirs) if (!matched.has(r)) push(out.onlyInCity, { kind, code: String(r[codeField]) });
  }
  return out;
}
