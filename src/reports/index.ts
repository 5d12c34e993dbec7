/**
 * The education reports: enrolment, scores, levels, the district compared, the data-quality
 * scorecard. Each function returns the JSON the API answers and the CLI prints; the Excel file
 * (xlsx.ts) writes the same rows. Counting is in SQL (store/reports.ts); the Circular 22
 * arithmetic is the model's (grading.ts): rounding of averages, levels from subject results.
 */
import {
  type Comment,
  ETHNICITY_CODES,
  type LearningLevel,
  learningLevel,
  meanOfTenths,
  yearAverage,
} from '../model/index.ts';
import { STREAMS } from '../sdk/index.ts';
import type { Db } from '../store/db.ts';
import {
  enrolmentCounts,
  lastQualityRuns,
  scoreCounts,
  scoreTotals,
  statedLevelCounts,
  studentIdentityCounts,
  studentSubjects,
} from '../store/index.ts';
import {
  type DistrictReport,
  type EnrolmentReport,
  LEVELS,
  type LevelsReport,
  type PERIODS,
  type QualityReport,
  type ReportFilters,
  type ScoresReport,
} from './schemas.ts';

export * from './schemas.ts';

/** Who asks: the schools their key covers (undefined: every school, a city key). */
export interface ReportScope {
  schools?: readonly string[] | undefined;
}

const now = () => new Date().toISOString();
const ratio = (n: number, d: number): number | null => (d === 0 ? null : n / d);

/** The schools a query may read: the one asked (the caller checked it is in scope), else the scope. */
function schoolsOf(scope: ReportScope, filters: ReportFilters): readonly string[] | undefined {
  return filters.school ? [filters.school] : scope.schools;
}

const clean = (filters: ReportFilters): ReportFilters =>
  Object.fromEntries(Object.entries(filters).filter(([, v]) => v !== undefined)) as ReportFilters;

export async function enrolment(
  db: Db,
  filters: ReportFilters,
  scope: ReportScope = {},
): Promise<EnrolmentReport> {
  const rows = await enrolmentCounts(db, {
    schools: schoolsOf(scope, filters),
    schoolYear: filters.schoolYear,
    grade: filters.grade,
    className: filters.className,
  });
  const byGrade = new Map<string, EnrolmentReport['byGrade'][number]>();
  const byEthnicity = new Map<string, EnrolmentReport['byEthnicity'][number]>();
  const totals = { students: 0, male: 0, female: 0 };
  for (const r of rows) {
    const g = `${r.school_code}\u0000${r.school_year}\u0000${r.grade}`;
    const grade = byGrade.get(g) ?? {
      schoolCode: r.school_code,
      schoolYear: r.school_year,
      grade: r.grade,
      students: 0,
      male: 0,
      female: 0,
    };
    byGrade.set(g, grade);
    const e = `${r.school_code}\u0000${r.ethnicity_code}`;
    const ethnicity = byEthnicity.get(e) ?? {
      schoolCode: r.school_code,
      ethnicityCode: r.ethnicity_code,
      ethnicity: r.ethnicity_code ? (ETHNICITY_CODES.get(r.ethnicity_code)?.name ?? null) : null,
      students: 0,
      male: 0,
      female: 0,
    };
    byEthnicity.set(e, ethnicity);
    for (const bucket of [grade, ethnicity, totals]) {
      bucket.students += r.students;
      if (r.gender === 'male') bucket.male += r.students;
      if (r.gender === 'female') bucket.female += r.students;
    }
  }
  return {
    report: 'enrolment',
    generatedAt: now(),
    filters: clean(filters),
    totals,
    byGrade: [...byGrade.values()],
    byEthnicity: [...byEthnicity.values()].sort(
      (a, b) =>
        a.schoolCode.localeCompare(b.schoolCode) ||
        (a.ethnicityCode ?? '99').localeCompare(b.ethnicityCode ?? '99'),
    ),
  };
}

export async function scores(db: Db, filters: ReportFilters, scope: ReportScope = {}): Promise<ScoresReport> {
  const counts = await scoreCounts(db, {
    schools: schoolsOf(scope, filters),
    schoolYear: filters.schoolYear,
    grade: filters.grade,
    className: filters.className,
    subject: filters.subject,
    semester: filters.semester,
  });
  const rows = new Map<string, ScoresReport['rows'][number] & { tenths: number; scored: number }>();
  for (const c of counts) {
    const k = [c.school_code, c.school_year, c.semester, c.grade, c.subject_code, c.evaluation].join(
      '\u0000',
    );
    const row = rows.get(k) ?? {
      schoolCode: c.school_code,
      schoolYear: c.school_year,
      semester: c.semester,
      grade: c.grade,
      subjectCode: c.subject_code,
      evaluation: c.evaluation,
      students: 0,
      average: null,
      bands: Array.from({ length: 10 }, () => 0),
      withoutAverage: 0,
      passed: 0,
      notPassed: 0,
      withoutResult: 0,
      tenths: 0,
      scored: 0,
    };
    rows.set(k, row);
    row.students += c.records;
    if (c.evaluation === 'scored') {
      if (c.band === null) row.withoutAverage += c.records;
      else {
        row.bands[c.band]! += c.records;
        row.scored += c.records;
        row.tenths += c.tenths;
      }
    } else if (c.comment === 'Đ') row.passed += c.records;
    else if (c.comment === 'CĐ') row.notPassed += c.records;
    else row.withoutResult += c.records;
  }
  return {
    report: 'scores',
    generatedAt: now(),
    filters: clean(filters),
    rows: [...rows.values()].map(({ tenths, scored, ...row }) => ({
      ...row,
      average: meanOfTenths(tenths, scored),
    })),
  };
}

type Period = (typeof PERIODS)[number];

/** A student's level from subject results (Art. 9(2)–(3)); null while a subject has none. */
function levelFromSubjects(
  period: Period,
  subjects: ReadonlyArray<{
    e: string;
    a1: number | null;
    a2: number | null;
    c1: string | null;
    c2: string | null;
  }>,
): LearningLevel | null {
  const scored: number[] = [];
  const commented: Comment[] = [];
  for (const s of subjects) {
    if (s.e === 'scored') {
      const average =
        period === 'semester1'
          ? s.a1
          : period === 'semester2'
            ? s.a2
            : s.a1 !== null && s.a2 !== null
              ? yearAverage(s.a1, s.a2) // ĐTBmcn = (ĐTBmhkI + 2·ĐTBmhkII) / 3
              : null;
      if (average === null) return null;
      scored.push(average);
    } else {
      // A commented subject's year result is its second semester's (Art. 9(1a)).
      const result = period === 'semester1' ? s.c1 : s.c2;
      if (result !== 'Đ' && result !== 'CĐ') return null;
      commented.push(result);
    }
  }
  return learningLevel({ scored, commented }).level;
}

interface LevelTally {
  schoolCode: string;
  schoolYear: string;
  period: Period;
  grade: number | null;
  learning: Map<string, number>;
  conduct: Map<string, number>;
  fromLearningResults: number;
  fromAssessments: number;
  incomplete: number;
}

async function levelTallies(db: Db, filters: ReportFilters, scope: ReportScope, period?: Period) {
  const f = {
    schools: schoolsOf(scope, filters),
    schoolYear: filters.schoolYear,
    grade: filters.grade,
    className: filters.className,
    period,
  };
  const [stated, computed] = await Promise.all([statedLevelCounts(db, f), studentSubjects(db, f)]);
  const tallies = new Map<string, LevelTally>();
  const tally = (school: string, year: string, p: string, grade: number | null) => {
    const k = [school, year, p, grade].join('\u0000');
    const t = tallies.get(k) ?? {
      schoolCode: school,
      schoolYear: year,
      period: p as Period,
      grade,
      learning: new Map(),
      conduct: new Map(),
      fromLearningResults: 0,
      fromAssessments: 0,
      incomplete: 0,
    };
    tallies.set(k, t);
    return t;
  };
  for (const s of stated) {
    const t = tally(s.school_code, s.school_year, s.period, s.grade);
    if (s.level) {
      t.learning.set(s.level, (t.learning.get(s.level) ?? 0) + s.students);
      t.fromLearningResults += s.students;
    }
    if (s.conduct) t.conduct.set(s.conduct, (t.conduct.get(s.conduct) ?? 0) + s.students);
  }
  for (const s of computed) {
    const t = tally(s.school_code, s.school_year, s.period, s.grade);
    const level = levelFromSubjects(s.period as Period, s.subjects);
    if (level === null) t.incomplete++;
    else {
      t.learning.set(level, (t.learning.get(level) ?? 0) + 1);
      t.fromAssessments++;
    }
  }
  return [...tallies.values()];
}

function shares(counts: Map<string, number>) {
  const total = LEVELS.reduce((n, l) => n + (counts.get(l) ?? 0), 0);
  return {
    total,
    levels: LEVELS.map((level) => ({
      level,
      students: counts.get(level) ?? 0,
      share: ratio(counts.get(level) ?? 0, total),
    })),
  };
}

const PERIOD_RANK: Record<Period, number> = { semester1: 0, semester2: 1, year: 2 };

function periodOf(filters: ReportFilters): Period | undefined {
  return filters.period ?? (filters.semester ? (`semester${filters.semester}` as Period) : undefined);
}

export async function levels(db: Db, filters: ReportFilters, scope: ReportScope = {}): Promise<LevelsReport> {
  const tallies = await levelTallies(db, filters, scope, periodOf(filters));
  const rows = tallies
    .map((t) => {
      const learning = shares(t.learning);
      const conduct = shares(t.conduct);
      return {
        schoolCode: t.schoolCode,
        schoolYear: t.schoolYear,
        period: t.period,
        grade: t.grade,
        students: learning.total,
        learning: learning.levels,
        passRate: ratio(learning.total - (t.learning.get('Chưa đạt') ?? 0), learning.total),
        conductRated: conduct.total,
        conduct: conduct.levels,
        fromLearningResults: t.fromLearningResults,
        fromAssessments: t.fromAssessments,
        incomplete: t.incomplete,
      };
    })
    .sort(
      (a, b) =>
        a.schoolCode.localeCompare(b.schoolCode) ||
        a.schoolYear.localeCompare(b.schoolYear) ||
        PERIOD_RANK[a.period] - PERIOD_RANK[b.period] ||
        (a.grade ?? 99) - (b.grade ?? 99),
    );
  return { report: 'levels', generatedAt: now(), filters: clean(filters), rows };
}

export async function district(
  db: Db,
  filters: ReportFilters,
  scope: ReportScope = {},
): Promise<DistrictReport> {
  const schools = schoolsOf(scope, filters);
  const all = await levelTallies(db, filters, scope, periodOf(filters));
  // The period compared: the one asked, else the latest school year's latest period with levels.
  const latest = [...all].sort(
    (a, b) => b.schoolYear.localeCompare(a.schoolYear) || PERIOD_RANK[b.period] - PERIOD_RANK[a.period],
  )[0];
  const schoolYear = filters.schoolYear ?? latest?.schoolYear ?? null;
  const period = periodOf(filters) ?? latest?.period ?? null;
  const chosen = all.filter((t) => t.schoolYear === schoolYear && t.period === period);
  const [enrolled, scoreRows, identity] = await Promise.all([
    enrolment(db, { ...filters, period: undefined, semester: undefined }, scope),
    schoolYear
      ? scoreTotals(db, {
          schools,
          schoolYear,
          grade: filters.grade,
          className: filters.className,
          subject: filters.subject,
          semester: period === 'year' || period === null ? undefined : PERIOD_RANK[period] + 1,
        })
      : Promise.resolve([]),
    studentIdentityCounts(db, schools),
  ]);
  const codes = new Set<string>([
    ...enrolled.byGrade.map((r) => r.schoolCode),
    ...chosen.map((t) => t.schoolCode),
    ...scoreRows.map((r) => r.school_code),
  ]);
  const rows = [...codes].sort().map((schoolCode) => {
    const learning = new Map<string, number>();
    for (const t of chosen.filter((x) => x.schoolCode === schoolCode))
      for (const [level, n] of t.learning) learning.set(level, (learning.get(level) ?? 0) + n);
    const s = shares(learning);
    const scored = scoreRows.filter((r) => r.school_code === schoolCode);
    const people = identity.find((i) => i.school_code === schoolCode);
    return {
      schoolCode,
      students: enrolled.byGrade
        .filter((r) => r.schoolCode === schoolCode)
        .reduce((n, r) => n + r.students, 0),
      averageScore: meanOfTenths(
        scored.reduce((n, r) => n + r.tenths, 0),
        scored.reduce((n, r) => n + r.records, 0),
      ),
      rated: s.total,
      learning: s.levels,
      passRate: ratio(s.total - (learning.get('Chưa đạt') ?? 0), s.total),
      c06ConfirmedShare: people ? ratio(people.confirmed, people.people) : null,
    };
  });
  return {
    report: 'district',
    generatedAt: now(),
    filters: clean(filters),
    schoolYear,
    period,
    schools: rows,
  };
}

const TYPES_OF_STREAM = STREAMS as Readonly<Record<string, readonly string[]>>;

export async function quality(
  db: Db,
  filters: ReportFilters,
  scope: ReportScope = {},
): Promise<QualityReport> {
  const runs = await lastQualityRuns(db, schoolsOf(scope, filters));
  return {
    report: 'quality',
    generatedAt: now(),
    filters: clean(filters),
    streams: runs.map((run) => {
      // A run's report counts by record type; a stream's records are those of its types.
      const types = new Set(TYPES_OF_STREAM[run.stream] ?? []);
      let records = 0;
      let invalid = 0;
      for (const [type, c] of Object.entries(run.by_type ?? {})) {
        if (!types.has(type)) continue;
        records += c.records;
        invalid += c.invalid;
      }
      const rules = new Map<string, { rule: string; severity: string; records: number }>();
      for (const r of run.rules) {
        if (!types.has(r.record_type)) continue;
        const entry = rules.get(r.rule_code) ?? { rule: r.rule_code, severity: r.severity, records: 0 };
        entry.records += r.records;
        rules.set(r.rule_code, entry);
      }
      return {
        schoolCode: run.school_code,
        stream: run.stream,
        runId: run.run_id,
        runAt: new Date(run.created_at).toISOString(),
        records,
        invalid,
        rules: [...rules.values()]
          .sort((a, b) => b.records - a.records || a.rule.localeCompare(b.rule))
          .map((r) => ({ ...r, share: ratio(r.records, records) })),
      };
    }),
  };
}

/** Every report by name, for the API and the CLI. */
export const REPORTS = { enrolment, scores, levels, district, quality } as const;
