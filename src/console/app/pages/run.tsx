/** One run: its counts, timings and reconciliation, and its progress live while it runs. */
import { useEffect, useState } from 'preact/hooks';
import { api, streamEvents } from '../api.ts';
import {
  formatDuration,
  formatNumber,
  formatTime,
  half,
  stateName,
  streamName,
  t,
  useLang,
} from '../i18n.ts';
import type { Run, RunCounts } from '../types.ts';
import { ErrorBox, Link, Loading, useLoad } from '../ui.tsx';

const FINISHED = new Set(['succeeded', 'failed', 'cancelled']);

interface LiveEvent {
  event: string;
  at: string | null;
  text: string;
}

export function RunPage({ id }: { id: string }) {
  useLang();
  const run = useLoad(() => api<Run>(`/runs/${id}`), [id]);
  const [live, setLive] = useState<{ state?: string; counts?: RunCounts; events: LiveEvent[] }>({
    events: [],
  });

  useEffect(() => {
    const controller = new AbortController();
    setLive({ events: [] });
    streamEvents(
      `/runs/${id}/events`,
      (event, data) => {
        const d = data as { state?: string; at?: string; counts?: RunCounts };
        setLive((prev) => ({
          state: d.state ?? prev.state,
          counts: d.counts ?? prev.counts,
          events: [
            ...prev.events,
            {
              event,
              // `at` is when the run entered the state, as the hub recorded it.
              at: d.at ?? null,
              text: d.state ? stateName(d.state) : d.counts ? `${d.counts.pulled} ${t('read')}` : '',
            },
          ].slice(-50),
        }));
      },
      controller.signal,
    )
      .then(() => run.reload())
      .catch(() => {
        // Aborted when leaving the page, or the run's stream ended: the detail above stands.
      });
    return () => controller.abort();
  }, [id]);

  if (run.error) return <ErrorBox error={run.error} retry={run.reload} />;
  if (!run.data) return <Loading />;
  const r = run.data;
  const counts = live.counts ?? r.counts;
  const state = live.state ?? r.state;
  return (
    <section aria-labelledby="run-title">
      <p>
        <Link to={`/school/${r.schoolCode}`}>← {r.schoolCode}</Link>
      </p>
      <h1 id="run-title">
        {t('run')} {r.id.slice(0, 8)}
      </h1>
      <dl class="facts">
        <dt>{t('state')}</dt>
        <dd data-testid="run-state" aria-live="polite">
          <span data-state={state}>{stateName(state)}</span>
          {FINISHED.has(state) ? '' : ' …'}
        </dd>
        <dt>{t('streams')}</dt>
        <dd>{r.streams.map(streamName).join(', ')}</dd>
        <dt>{t('when')}</dt>
        <dd>{formatTime(r.createdAt)}</dd>
        <dt>{t('duration')}</dt>
        <dd>
          {formatDuration(
            r.finishedAt && r.startedAt ? Date.parse(r.finishedAt) - Date.parse(r.startedAt) : null,
          )}
        </dd>
        {r.failure ? (
          <>
            <dt>{t('failure')}</dt>
            <dd>
              {half(r.failure.message)} ({r.failure.code})
            </dd>
          </>
        ) : null}
      </dl>
      <table class="counts" data-testid="run-counts">
        <tbody>
          {(Object.keys(counts) as Array<keyof RunCounts>).map((k) => (
            <tr key={k}>
              <th scope="row">{k}</th>
              <td class="num" data-count={k}>
                {formatNumber(counts[k])}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {r.reconciliation ? (
        <>
          <h2>{t('reconciliation')}</h2>
          <ul>
            {r.reconciliation.checks.map((c) => (
              <li key={c.name}>
                {c.ok ? '✓' : '✗'} {c.name}: {formatNumber(c.actual)} / {formatNumber(c.expected)}
              </li>
            ))}
          </ul>
        </>
      ) : null}
      <h2>{t('liveProgress')}</h2>
      <ol class="events" data-testid="events">
        {live.events.map((e, i) => (
          <li key={i}>
            <time>{formatTime(e.at)}</time> {e.event}: {e.text}
          </li>
        ))}
      </ol>
    </section>
  );
}
