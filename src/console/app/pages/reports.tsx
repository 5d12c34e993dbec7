/**
 * Education reports over `GET /v1/reports/...`: a chart of the report's main figure, then the
 * report's tables made by the same function that writes the Excel file's sheets (so the page and
 * the download hold the same numbers, cell for cell), and the download itself. Filters live in
 * the address (`#/reports/scores?school=79NB0001&grade=6`), so a view can be bookmarked or sent.
 */
import { useMemo } from 'preact/hooks';
import { LEVELS, REPORT_NAMES, type ReportName } from '../../../reports/names.ts';
import type {
  AnyReport,
  DistrictReport,
  EnrolmentReport,
  LevelsReport,
  QualityReport,
  ScoresReport,
} from '../../../reports/schemas.ts';
import { type ReportTable, reportTables } from '../../../reports/tables.ts';
import { api, download } from '../api.ts';
import { Chart, type Series } from '../chart.tsx';
import { formatNumber, formatShare, half, lang, type TextKey, t, useLang } from '../i18n.ts';
import type { Overview } from '../types.ts';
import { ErrorBox, Loading, useLoad } from '../ui.tsx';

/** Rows shown per table; the Excel file has them all. */
const SHOWN_ROWS = 500;
const COLOUR = '#1f6feb';
const SECOND = '#8250df';

/** The filters each report takes, as the API names them. */
const FILTERS: Record<ReportName, readonly string[]> = {
  district: ['period'],
  enrolment: ['school', 'grade'],
  scores: ['school', 'grade', 'semester', 'subject'],
  levels: ['school', 'grade', 'period'],
  quality: ['school'],
};

export function isReportName(name: string): name is ReportName {
  return (REPORT_NAMES as readonly string[]).includes(name);
}

export function ReportsPage({ name, query }: { name: ReportName; query: string }) {
  useLang();
  const params = useMemo(() => {
    // Only the filters this report takes go to the API.
    const given = new URLSearchParams(query);
    const kept = new URLSearchParams();
    for (const key of FILTERS[name]) {
      const value = given.get(key);
      if (value) kept.set(key, value);
    }
    return kept.toString();
  }, [name, query]);
  const report = useLoad(
    () => api<AnyReport>(`/reports/${name}${params ? `?${params}` : ''}`),
    [name, params],
  );
  const schools = useLoad(() => api<Overview>('/district/overview'), []);
  const setFilter = (key: string, value: string) => {
    const next = new URLSearchParams(query);
    if (value) next.set(key, value);
    else next.delete(key);
    const text = next.toString();
    location.hash = `#/reports/${name}${text ? `?${text}` : ''}`;
  };
  const filter = (key: string) => new URLSearchParams(query).get(key) ?? '';
  return (
    <section aria-labelledby="reports-title">
      <h1 id="reports-title">{t('reports')}</h1>
      <nav class="tabs" aria-label={t('reports')}>
        {REPORT_NAMES.map((n) => (
          <a
            key={n}
            href={`#/reports/${n}${query ? `?${query}` : ''}`}
            aria-current={n === name ? 'page' : undefined}
            data-testid={`report-${n}`}
          >
            {t(`report_${n}` as TextKey)}
          </a>
        ))}
      </nav>
      <search class="filters">
        {FILTERS[name].includes('school') ? (
          <label>
            {t('school')}
            <select
              value={filter('school')}
              onChange={(e) => setFilter('school', e.currentTarget.value)}
              data-testid="filter-school"
            >
              <option value="">{t('allSchools')}</option>
              {(schools.data?.schools ?? []).map((s) => (
                <option key={s.schoolCode} value={s.schoolCode}>
                  {s.schoolCode}
                  {s.name ? ` — ${s.name}` : ''}
                </option>
              ))}
            </select>
          </label>
        ) : null}
        {FILTERS[name].includes('grade') ? (
          <label>
            {t('grade')}
            <select
              value={filter('grade')}
              onChange={(e) => setFilter('grade', e.currentTarget.value)}
              data-testid="filter-grade"
            >
              <option value="">{t('allGrades')}</option>
              {Array.from({ length: 12 }, (_, i) => String(i + 1)).map((g) => (
                <option key={g} value={g}>
                  {g}
                </option>
              ))}
            </select>
          </label>
        ) : null}
        {FILTERS[name].includes('semester') ? (
          <label>
            {t('semester')}
            <select value={filter('semester')} onChange={(e) => setFilter('semester', e.currentTarget.value)}>
              <option value="">{t('bothSemesters')}</option>
              <option value="1">1</option>
              <option value="2">2</option>
            </select>
          </label>
        ) : null}
        {FILTERS[name].includes('period') ? (
          <label>
            {t('period')}
            <select value={filter('period')} onChange={(e) => setFilter('period', e.currentTarget.value)}>
              <option value="">{t('latestPeriod')}</option>
              <option value="semester1">{t('semester1')}</option>
              <option value="semester2">{t('semester2')}</option>
              <option value="year">{t('wholeYear')}</option>
            </select>
          </label>
        ) : null}
        {name === 'scores' && report.data?.report === 'scores' ? (
          <label>
            {t('subject')}
            <select value={filter('subject')} onChange={(e) => setFilter('subject', e.currentTarget.value)}>
              <option value="">{t('allSubjects')}</option>
              {[...new Set(report.data.rows.map((r) => r.subjectCode))].sort().map((s) => (
                <option key={s} value={s}>
                  {s}
                </option>
              ))}
            </select>
          </label>
        ) : null}
        <p>
          <button
            type="button"
            class="primary"
            data-testid="download"
            onClick={() =>
              download(
                `/reports/${name}?${params ? `${params}&` : ''}format=xlsx`,
                `bao-cao-${name}.xlsx`,
              ).catch(() => report.reload())
            }
          >
            {t('downloadExcel')}
          </button>
        </p>
      </search>
      {report.error ? <ErrorBox error={report.error} retry={report.reload} /> : null}
      {!report.data && !report.error ? <Loading /> : null}
      {report.data && report.data.report === name ? (
        <>
          <ReportCharts report={report.data} />
          {reportTables(report.data).map((table) => (
            <Table key={table.sheet} table={table} />
          ))}
        </>
      ) : null}
    </section>
  );
}

/** The report's main figures as bars (each with the table of the same numbers below it). */
function ReportCharts({ report }: { report: AnyReport }) {
  switch (report.report) {
    case 'district':
      return <DistrictCharts report={report} />;
    case 'enrolment':
      return <EnrolmentChart report={report} />;
    case 'scores':
      return <ScoresChart report={report} />;
    case 'levels':
      return <LevelsCharts report={report} />;
    case 'quality':
      return <QualityChart report={report} />;
  }
}

const percent = (share: number | null) => (share === null ? null : Math.round(share * 1000) / 10);

function Bars(props: { title: TextKey; xLabel: TextKey; x: string[]; series: Series[] }) {
  if (props.x.length === 0) return <p class="muted">{t('noData')}</p>;
  return (
    <figure class="report-chart">
      <figcaption>{t(props.title)}</figcaption>
      <Chart title={t(props.title)} x={props.x} series={props.series} kind="bars" xLabel={t(props.xLabel)} />
    </figure>
  );
}

function DistrictCharts({ report }: { report: DistrictReport }) {
  const x = report.schools.map((s) => s.schoolCode);
  return (
    <div class="charts">
      <Bars
        title="chartPassRate"
        xLabel="school"
        x={x}
        series={[
          { label: t('passRate'), values: report.schools.map((s) => percent(s.passRate)), colour: COLOUR },
        ]}
      />
      <Bars
        title="chartAverage"
        xLabel="school"
        x={x}
        series={[{ label: t('average'), values: report.schools.map((s) => s.averageScore), colour: SECOND }]}
      />
    </div>
  );
}

function EnrolmentChart({ report }: { report: EnrolmentReport }) {
  const byGrade = new Map<string, number>();
  for (const r of report.byGrade) {
    const grade = r.grade === null ? '—' : String(r.grade);
    byGrade.set(grade, (byGrade.get(grade) ?? 0) + r.students);
  }
  const grades = [...byGrade.keys()].sort((a, b) => Number(a) - Number(b));
  return (
    <Bars
      title="chartEnrolment"
      xLabel="grade"
      x={grades}
      series={[{ label: t('students'), values: grades.map((g) => byGrade.get(g) ?? 0), colour: COLOUR }]}
    />
  );
}

const BANDS = Array.from({ length: 10 }, (_, i) => (i === 9 ? '9–10' : `${i}–${i + 1}`));

function ScoresChart({ report }: { report: ScoresReport }) {
  const bands = Array.from({ length: 10 }, () => 0);
  for (const r of report.rows) {
    for (let i = 0; i < bands.length; i++) bands[i]! += r.bands[i] ?? 0;
  }
  if (report.rows.every((r) => r.evaluation !== 'scored')) return <p class="muted">{t('noData')}</p>;
  return (
    <Bars
      title="chartBands"
      xLabel="band"
      x={BANDS}
      series={[{ label: t('students'), values: bands, colour: COLOUR }]}
    />
  );
}

function LevelsCharts({ report }: { report: LevelsReport }) {
  const sum = (pick: (r: LevelsReport['rows'][number]) => ReadonlyArray<{ students: number }>) =>
    LEVELS.map((_, i) => report.rows.reduce((total, r) => total + (pick(r)[i]?.students ?? 0), 0));
  if (report.rows.length === 0) return <p class="muted">{t('noData')}</p>;
  return (
    <div class="charts">
      <Bars
        title="chartLearning"
        xLabel="level"
        x={[...LEVELS]}
        series={[{ label: t('students'), values: sum((r) => r.learning), colour: COLOUR }]}
      />
      <Bars
        title="chartConduct"
        xLabel="level"
        x={[...LEVELS]}
        series={[{ label: t('students'), values: sum((r) => r.conduct), colour: SECOND }]}
      />
    </div>
  );
}

function QualityChart({ report }: { report: QualityReport }) {
  // Each rule's worst share over the schools and streams shown: where to look first.
  const worst = new Map<string, number>();
  for (const s of report.streams)
    for (const r of s.rules) worst.set(r.rule, Math.max(worst.get(r.rule) ?? 0, r.share ?? 0));
  const rules = [...worst.entries()].sort((a, b) => b[1] - a[1]).slice(0, 12);
  return (
    <Bars
      title="chartQuality"
      xLabel="rule"
      x={rules.map(([rule]) => rule)}
      series={[{ label: t('share'), values: rules.map(([, share]) => percent(share)), colour: COLOUR }]}
    />
  );
}

/** One sheet of the Excel file as a table: headers in the page's language, raw values kept beside. */
function Table({ table }: { table: ReportTable }) {
  const shown = table.rows.slice(0, SHOWN_ROWS);
  return (
    <section class="report-table">
      <h2>{half(table.sheet.replace(' - ', ' / '))}</h2>
      {table.rows.length === 0 ? (
        <p class="muted">{t('noData')}</p>
      ) : (
        <div class="scroll">
          <table data-testid="report-table" data-sheet={table.sheet}>
            <thead>
              <tr>
                {table.columns.map((c) => (
                  <th key={c.key} scope="col" class={c.share || isNumeric(table, c.key) ? 'num' : undefined}>
                    {half(c.header)}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {shown.map((row, i) => (
                <tr key={i}>
                  {table.columns.map((c) => {
                    const value = row[c.key] ?? null;
                    return (
                      <td
                        key={c.key}
                        data-value={value === null ? '' : String(value)}
                        class={typeof value === 'number' ? 'num' : undefined}
                      >
                        {cell(value, c.share === true)}
                      </td>
                    );
                  })}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {table.rows.length > SHOWN_ROWS ? (
        <p class="muted">
          {formatNumber(SHOWN_ROWS)} / {formatNumber(table.rows.length)} {t('rowsShown')}
        </p>
      ) : null}
    </section>
  );
}

function isNumeric(table: ReportTable, key: string): boolean {
  return table.rows.some((r) => typeof r[key] === 'number');
}

function cell(value: string | number | null, share: boolean): string {
  if (value === null) return '—';
  if (share && typeof value === 'number') return formatShare(value);
  if (typeof value === 'number') {
    return Number.isInteger(value)
      ? formatNumber(value)
      : new Intl.NumberFormat(lang() === 'vi' ? 'vi-VN' : 'en-GB', { maximumFractionDigits: 1 }).format(
          value,
        );
  }
  return value;
}
