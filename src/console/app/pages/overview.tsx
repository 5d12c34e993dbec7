/** Every school in one table: its colour and the reason in words, each stream's last run, what waits. */
import { useMemo, useState } from 'preact/hooks';
import { api } from '../api.ts';
import {
  bi,
  formatDuration,
  formatNumber,
  formatShare,
  formatTime,
  stateName,
  streamName,
  t,
  useLang,
} from '../i18n.ts';
import type { Colour, Overview, SchoolStatus } from '../types.ts';
import { Badge, ErrorBox, Link, Loading, useLoad } from '../ui.tsx';

type SortKey = 'status' | 'school' | 'lastRun' | 'deadLetters' | 'identity';
const RANK: Record<Colour, number> = { red: 0, amber: 1, grey: 2, green: 3 };

const compare: Record<SortKey, (a: SchoolStatus, b: SchoolStatus) => number> = {
  status: (a, b) => RANK[a.colour] - RANK[b.colour] || a.schoolCode.localeCompare(b.schoolCode),
  school: (a, b) => a.schoolCode.localeCompare(b.schoolCode),
  lastRun: (a, b) => (b.lastRunAt ?? '').localeCompare(a.lastRunAt ?? ''),
  deadLetters: (a, b) => b.deadLetters.open - a.deadLetters.open,
  identity: (a, b) => (a.identity.confirmedShare ?? -1) - (b.identity.confirmedShare ?? -1),
};

export function OverviewPage() {
  useLang();
  const overview = useLoad(() => api<Overview>('/district/overview'), []);
  const [query, setQuery] = useState('');
  const [colour, setColour] = useState<'' | Colour>('');
  const [sort, setSort] = useState<SortKey>('status');
  const rows = useMemo(() => {
    const q = query.trim().toLowerCase();
    return (overview.data?.schools ?? [])
      .filter((s) => colour === '' || s.colour === colour)
      .filter(
        (s) => q === '' || s.schoolCode.toLowerCase().includes(q) || (s.name ?? '').toLowerCase().includes(q),
      )
      .sort(compare[sort]);
  }, [overview.data, query, colour, sort]);

  if (overview.error) return <ErrorBox error={overview.error} retry={overview.reload} />;
  if (!overview.data) return <Loading />;
  const { totals } = overview.data;
  return (
    <section aria-labelledby="overview-title">
      <h1 id="overview-title">{t('district')}</h1>
      <ul class="totals" data-testid="totals">
        <li>
          <strong data-testid="total-schools">{formatNumber(totals.schools)}</strong> {t('schools')}
        </li>
        {(['red', 'amber', 'grey', 'green'] as const).map((c) => (
          <li key={c}>
            <Badge colour={c} /> <strong data-testid={`total-${c}`}>{formatNumber(totals[c])}</strong>
          </li>
        ))}
        <li>
          <strong data-testid="total-dead-letters">{formatNumber(totals.openDeadLetters)}</strong>{' '}
          {t('openLetters')}
        </li>
        <li>
          <strong>{formatNumber(totals.heldRuns)}</strong> {t('held')}
        </li>
      </ul>
      <search class="filters">
        <label>
          {t('search')}
          <input
            type="search"
            value={query}
            onInput={(e) => setQuery(e.currentTarget.value)}
            data-testid="search"
          />
        </label>
        <label>
          {t('status')}
          <select
            value={colour}
            onChange={(e) => setColour(e.currentTarget.value as '' | Colour)}
            data-testid="colour"
          >
            <option value="">{t('allColours')}</option>
            {(['red', 'amber', 'grey', 'green'] as const).map((c) => (
              <option key={c} value={c}>
                {t(c)}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('sortBy')}
          <select value={sort} onChange={(e) => setSort(e.currentTarget.value as SortKey)} data-testid="sort">
            <option value="status">{t('status')}</option>
            <option value="school">{t('school')}</option>
            <option value="lastRun">{t('when')}</option>
            <option value="deadLetters">{t('deadLetters')}</option>
            <option value="identity">{t('identity')}</option>
          </select>
        </label>
      </search>
      <table class="schools" data-testid="schools">
        <thead>
          <tr>
            <th scope="col">{t('school')}</th>
            <th scope="col">{t('status')}</th>
            <th scope="col">{t('lastRuns')}</th>
            <th scope="col" class="num">
              {t('deadLetters')}
            </th>
            <th scope="col" class="num">
              {t('held')}
            </th>
            <th scope="col" class="num">
              {t('identity')}
            </th>
          </tr>
        </thead>
        <tbody>
          {rows.map((s) => (
            <tr key={s.schoolCode} data-school={s.schoolCode}>
              <th scope="row">
                <Link to={`/school/${s.schoolCode}`}>{s.schoolCode}</Link>
                {s.name ? <div class="muted">{s.name}</div> : null}
              </th>
              <td>
                <Badge colour={s.colour} />
                <div class="reason" data-testid="reason">
                  {bi(s.reasons[0])}
                </div>
              </td>
              <td>
                {s.streams.length === 0 ? (
                  <span class="muted">{t('never')}</span>
                ) : (
                  <ul class="streams">
                    {byRun(s.streams).map(({ run: r, streams }) => (
                      <li key={r.runId}>
                        <Link to={`/run/${r.runId}`}>{streams.map(streamName).join(', ')}</Link>:{' '}
                        {stateName(r.state)}, {formatTime(r.createdAt)}, {formatDuration(r.durationMs)} —{' '}
                        {formatNumber(r.read)} {t('read')} / {formatNumber(r.sent)} {t('sent')} /{' '}
                        {formatNumber(r.refused)} {t('refused')}
                      </li>
                    ))}
                  </ul>
                )}
              </td>
              <td class="num" data-testid="dead-letters">
                {formatNumber(s.deadLetters.open)}
              </td>
              <td class="num">{formatNumber(s.heldRuns.length)}</td>
              <td class="num" data-testid="identity">
                {formatShare(s.identity.confirmedShare)}
                <div class="muted">
                  {formatNumber(s.identity.confirmed)}/{formatNumber(s.identity.people)}
                </div>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

/**
 * The streams whose last run is the same run, on one line: a run's counts are the run's, not a
 * stream's, so writing them once per stream would read as if each stream had them.
 */
function byRun(streams: SchoolStatus['streams']) {
  const runs = new Map<string, { run: SchoolStatus['streams'][number]; streams: string[] }>();
  for (const s of streams) {
    const entry = runs.get(s.runId);
    if (entry) entry.streams.push(s.stream);
    else runs.set(s.runId, { run: s, streams: [s.stream] });
  }
  return [...runs.values()];
}
