/**
 * One school: its runs over time, what was refused grouped by reason with who must act, the holds
 * and replays waiting for a decision, and a person's lineage looked up by personal ID.
 */
import { useState } from 'preact/hooks';
import { ApiProblem, api } from '../api.ts';
import { Chart } from '../chart.tsx';
import {
  bi,
  formatDuration,
  formatNumber,
  formatShare,
  formatTime,
  half,
  stateName,
  streamName,
  type TextKey,
  t,
  useLang,
} from '../i18n.ts';
import type { DeadLetter, Run, SchoolStatus } from '../types.ts';
import { Badge, ErrorBox, Link, Loading, useLoad } from '../ui.tsx';

export function SchoolPage({ code }: { code: string }) {
  useLang();
  const status = useLoad(() => api<SchoolStatus>(`/schools/${encodeURIComponent(code)}/status`), [code]);
  // Bumped when a replay or a decision changed what waits: the request list reads again.
  const [changes, setChanges] = useState(0);
  const changed = () => {
    status.reload();
    setChanges((n) => n + 1);
  };
  if (status.error) return <ErrorBox error={status.error} retry={status.reload} />;
  if (!status.data) return <Loading />;
  const s = status.data;
  return (
    <section aria-labelledby="school-title">
      <p>
        <Link to="/">← {t('district')}</Link>
      </p>
      <h1 id="school-title">
        {s.schoolCode}
        {s.name ? ` — ${s.name}` : ''}
      </h1>
      <div class="status-line">
        <Badge colour={s.colour} />
        <ul class="reasons" data-testid="reasons">
          {s.reasons.map((r) => (
            <li key={`${r.code}${r.en}`}>{bi(r)}</li>
          ))}
        </ul>
      </div>
      <p class="muted">
        {t('identity')}: {formatShare(s.identity.confirmedShare)} ({formatNumber(s.identity.confirmed)}/
        {formatNumber(s.identity.people)} {t('people')})
      </p>
      <RunHistory code={code} />
      <DeadLetters school={s} onChange={changed} />
      <ReplayRequests code={code} changes={changes} onChange={changed} />
      <HeldRuns ids={s.heldRuns} onChange={status.reload} />
      <Lineage />
    </section>
  );
}

function RunHistory({ code }: { code: string }) {
  const runs = useLoad(
    () => api<{ runs: Run[] }>(`/runs?school=${encodeURIComponent(code)}&limit=100`),
    [code],
  );
  if (runs.error) return <ErrorBox error={runs.error} retry={runs.reload} />;
  if (!runs.data) return <Loading />;
  const list = runs.data.runs;
  const chronological = [...list].reverse();
  return (
    <section aria-labelledby="history-title">
      <h2 id="history-title">{t('runHistory')}</h2>
      {list.length === 0 ? (
        <p class="muted">{t('none')}</p>
      ) : (
        <>
          <Chart
            title={t('chartRecords')}
            kind="line"
            xLabel={t('when')}
            x={chronological.map((r) => Date.parse(r.createdAt) / 1000)}
            series={[
              { label: t('read'), values: chronological.map((r) => r.counts.pulled), colour: '#0550ae' },
              {
                label: t('refused'),
                values: chronological.map((r) => r.counts.refused + r.counts.failed + r.counts.invalid),
                colour: '#a40e26',
              },
            ]}
          />
          <table data-testid="runs">
            <thead>
              <tr>
                <th scope="col">{t('when')}</th>
                <th scope="col">{t('state')}</th>
                <th scope="col">{t('streams')}</th>
                <th scope="col">{t('duration')}</th>
                <th scope="col" class="num">
                  {t('counts')}
                </th>
              </tr>
            </thead>
            <tbody>
              {list.map((r) => (
                <tr key={r.id}>
                  <td>
                    <Link to={`/run/${r.id}`}>{formatTime(r.createdAt)}</Link>
                  </td>
                  <td>{stateName(r.state)}</td>
                  <td>{r.streams.map(streamName).join(', ')}</td>
                  <td>
                    {formatDuration(
                      r.finishedAt && r.startedAt ? Date.parse(r.finishedAt) - Date.parse(r.startedAt) : null,
                    )}
                  </td>
                  <td class="num">
                    {formatNumber(r.counts.pulled)} /{' '}
                    {formatNumber(r.counts.created + r.counts.updated + r.counts.deleted)} /{' '}
                    {formatNumber(r.counts.refused + r.counts.failed)}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </section>
  );
}

/** A replay done at once, or (over the four-eyes threshold) the request that waits for approval. */
type ReplayAnswer = {
  replayed?: number;
  stillRefused?: number;
  failed?: number;
  superseded?: number;
  replayRequest?: ReplayRequest;
};

function DeadLetters({ school, onChange }: { school: SchoolStatus; onChange: () => void }) {
  const [message, setMessage] = useState<string>('');
  const [error, setError] = useState<unknown>();
  const replay = async (target: string, code: string) => {
    setError(undefined);
    try {
      const answer = await api<ReplayAnswer>('/dead-letters/replay', {
        method: 'POST',
        body: { school: school.schoolCode, target, code },
      });
      setMessage(
        answer.replayRequest
          ? t('replayPending')
          : `${t('replayDone')}: ${answer.replayed} · ${t('refused')}: ${answer.stillRefused ?? 0}`,
      );
      onChange();
    } catch (e) {
      setError(e);
    }
  };
  return (
    <section aria-labelledby="letters-title">
      <h2 id="letters-title">
        {t('deadLetters')} ({formatNumber(school.deadLetters.open)})
      </h2>
      {message ? (
        <p role="status" class="notice" data-testid="replay-message">
          {message}
        </p>
      ) : null}
      {error ? <ErrorBox error={error} /> : null}
      {school.deadLetters.reasons.length === 0 ? (
        <p class="muted">{t('none')}</p>
      ) : (
        <table data-testid="letter-groups">
          <thead>
            <tr>
              <th scope="col">{t('reason')}</th>
              <th scope="col" class="num">
                {t('count')}
              </th>
              <th scope="col">{t('whoActs')}</th>
              <th scope="col">{t('whatToDo')}</th>
              <th scope="col">
                <span class="visually-hidden">{t('replay')}</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {school.deadLetters.reasons.map((g) => (
              <tr key={`${g.target}${g.stream}${g.code}${g.message}`}>
                <td>
                  <strong>{g.code}</strong> · {g.target} · {streamName(g.stream)}
                  <div>{half(g.message)}</div>
                  <LetterList
                    school={school.schoolCode}
                    target={g.target}
                    stream={g.stream}
                    code={g.code}
                    onChange={onChange}
                  />
                </td>
                <td class="num">{formatNumber(g.count)}</td>
                <td>{t(`actor_${g.actor}` as TextKey)}</td>
                <td>{bi(g.action)}</td>
                <td>
                  <button type="button" onClick={() => replay(g.target, g.code)} data-testid="replay">
                    {t('replay')} ({formatNumber(g.count)})
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

function LetterList(props: {
  school: string;
  target: string;
  stream: string;
  code: string;
  onChange: () => void;
}) {
  const [open, setOpen] = useState(false);
  const query = new URLSearchParams({
    school: props.school,
    target: props.target,
    stream: props.stream,
    code: props.code,
    limit: '100',
  });
  return (
    <details onToggle={(e) => setOpen(e.currentTarget.open)}>
      <summary>{t('showRecords')}</summary>
      {open ? <Letters query={query.toString()} onChange={props.onChange} /> : null}
    </details>
  );
}

function Letters({ query, onChange }: { query: string; onChange: () => void }) {
  const letters = useLoad(() => api<{ deadLetters: DeadLetter[] }>(`/dead-letters?${query}`), [query]);
  if (letters.error) return <ErrorBox error={letters.error} />;
  if (!letters.data) return <Loading />;
  const discard = async (id: string) => {
    await api(`/dead-letters/${id}`, { method: 'DELETE' });
    letters.reload();
    onChange();
  };
  return (
    <ul class="letters">
      {letters.data.deadLetters.map((l) => (
        <li key={l.id}>
          <code>{l.recordKey}</code> · {l.occurrences}× · {formatTime(l.lastSeenAt)}{' '}
          <button type="button" class="secondary" onClick={() => discard(l.id)}>
            {t('discard')}
          </button>
        </li>
      ))}
    </ul>
  );
}

interface ReplayRequest {
  id: string;
  requestedBy: string;
  count: number;
  requestedAt: string;
  state: 'pending' | 'approved' | 'rejected';
}

function ReplayRequests({
  code,
  changes,
  onChange,
}: {
  code: string;
  changes: number;
  onChange: () => void;
}) {
  const requests = useLoad(
    () =>
      api<{ requests: ReplayRequest[] }>(`/replay-requests?school=${encodeURIComponent(code)}`).catch(
        (e: unknown) => {
          // A hub without four-eyes replay has no such route: nothing waits.
          if (e instanceof ApiProblem && e.status === 404) return { requests: [] };
          throw e;
        },
      ),
    [code, changes],
  );
  const [error, setError] = useState<unknown>();
  const decide = async (id: string, decision: 'approve' | 'reject') => {
    setError(undefined);
    try {
      await api(`/replay-requests/${id}/${decision}`, { method: 'POST' });
      requests.reload();
      onChange();
    } catch (e) {
      setError(e);
    }
  };
  const pending = (requests.data?.requests ?? []).filter((r) => r.state === 'pending');
  if (pending.length === 0 && !error) return null;
  return (
    <section aria-labelledby="requests-title">
      <h2 id="requests-title">{t('replayRequests')}</h2>
      {error ? <ErrorBox error={error} /> : null}
      <table data-testid="replay-requests">
        <thead>
          <tr>
            <th scope="col">{t('when')}</th>
            <th scope="col">{t('requestedBy')}</th>
            <th scope="col" class="num">
              {t('count')}
            </th>
            <th scope="col">
              <span class="visually-hidden">{t('approve')}</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {pending.map((r) => (
            <tr key={r.id}>
              <td>{formatTime(r.requestedAt)}</td>
              <td>{r.requestedBy}</td>
              <td class="num">{formatNumber(r.count)}</td>
              <td>
                <button type="button" onClick={() => decide(r.id, 'approve')} data-testid="approve-replay">
                  {t('approve')}
                </button>{' '}
                <button type="button" class="secondary" onClick={() => decide(r.id, 'reject')}>
                  {t('reject')}
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

function HeldRuns({ ids, onChange }: { ids: string[]; onChange: () => void }) {
  if (ids.length === 0) return null;
  return (
    <section aria-labelledby="held-title">
      <h2 id="held-title">{t('heldRuns')}</h2>
      {ids.map((id) => (
        <HeldRun key={id} id={id} onChange={onChange} />
      ))}
    </section>
  );
}

function HeldRun({ id, onChange }: { id: string; onChange: () => void }) {
  const run = useLoad(() => api<Run>(`/runs/${id}`), [id]);
  const [error, setError] = useState<unknown>();
  if (run.error) return <ErrorBox error={run.error} />;
  if (!run.data) return <Loading />;
  const decide = async (decision: 'release' | 'discard') => {
    setError(undefined);
    try {
      await api(`/runs/${id}/release`, { method: 'POST', body: { decision } });
      onChange();
    } catch (e) {
      setError(e);
    }
  };
  return (
    <article class="held" data-testid="held-run">
      <h3>
        <Link to={`/run/${id}`}>{formatTime(run.data.createdAt)}</Link> ·{' '}
        {run.data.streams.map(streamName).join(', ')}
      </h3>
      <p>{t('holdWhy')}:</p>
      <HoldDiff hold={run.data.hold} />
      {error ? <ErrorBox error={error} /> : null}
      <button type="button" onClick={() => decide('release')} data-testid="release">
        {t('release')}
      </button>{' '}
      <button type="button" class="secondary" onClick={() => decide('discard')}>
        {t('discardRun')}
      </button>
    </article>
  );
}

interface HoldReport {
  reasons?: Array<{
    target: string;
    stream: string;
    held: number;
    changed: number;
    deleted: number;
    share: number;
    sample?: string[];
  }>;
  threshold?: number;
}

/** What caused the hold: per target and stream, what the target holds and what the run would change. */
function HoldDiff({ hold }: { hold: Record<string, unknown> | null }) {
  const report = hold as HoldReport | null;
  if (!report?.reasons) return null;
  return (
    <table class="hold" data-testid="hold-diff">
      <thead>
        <tr>
          <th scope="col">{t('target')}</th>
          <th scope="col">{t('streams')}</th>
          <th scope="col" class="num">
            {t('holdHeld')}
          </th>
          <th scope="col" class="num">
            {t('holdChanged')}
          </th>
          <th scope="col" class="num">
            {t('holdDeleted')}
          </th>
          <th scope="col" class="num">
            {t('holdShare')}
          </th>
          <th scope="col">{t('holdSample')}</th>
        </tr>
      </thead>
      <tbody>
        {report.reasons.map((r) => (
          <tr key={`${r.target}${r.stream}`}>
            <td>{r.target}</td>
            <td>{streamName(r.stream)}</td>
            <td class="num">{formatNumber(r.held)}</td>
            <td class="num">{formatNumber(r.changed)}</td>
            <td class="num">{formatNumber(r.deleted)}</td>
            <td class="num">
              {formatShare(r.share)} &gt; {formatShare(report.threshold ?? null)}
            </td>
            <td>
              <code>{(r.sample ?? []).slice(0, 10).join(', ')}</code>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

interface LineageAnswer {
  personalId: string;
  records: Array<{
    schoolCode: string;
    stream: string;
    recordKey: string;
    role?: string;
    lineage: Array<{
      target: string;
      runId: string;
      mappingVersion: string;
      createdAt: string;
      gatewayMessageId: string | null;
    }>;
  }>;
}

function Lineage() {
  const [personalId, setPersonalId] = useState('');
  const [answer, setAnswer] = useState<LineageAnswer>();
  const [error, setError] = useState<unknown>();
  const submit = async (event: Event) => {
    event.preventDefault();
    setError(undefined);
    setAnswer(undefined);
    try {
      setAnswer(
        await api<LineageAnswer>('/people/lineage', {
          method: 'POST',
          body: { personalId: personalId.trim() },
        }),
      );
      // The number typed is not kept on the page once answered: the answer shows it masked.
      setPersonalId('');
    } catch (e) {
      setError(e);
    }
  };
  return (
    <section aria-labelledby="lineage-title">
      <h2 id="lineage-title">{t('lineage')}</h2>
      <form onSubmit={submit} class="inline">
        <label>
          {t('personalId')}
          <input
            inputMode="numeric"
            autoComplete="off"
            pattern="[0-9]{12}"
            maxLength={12}
            value={personalId}
            onInput={(e) => setPersonalId(e.currentTarget.value)}
            data-testid="personal-id"
          />
        </label>
        <button type="submit">{t('lookUp')}</button>
      </form>
      <p class="muted">{t('lookupAudited')}</p>
      {error ? <ErrorBox error={error} /> : null}
      {answer ? (
        <div data-testid="lineage">
          <p>
            <strong>{answer.personalId}</strong>
          </p>
          {answer.records.length === 0 ? <p class="muted">{t('noRecords')}</p> : null}
          {answer.records.map((r) => (
            <article key={`${r.schoolCode}${r.stream}${r.recordKey}`}>
              <h3>
                {r.schoolCode} · {r.stream} · <code>{r.recordKey}</code>
              </h3>
              <ul>
                {r.lineage.map((l) => (
                  <li key={`${l.runId}${l.target}`}>
                    {formatTime(l.createdAt)} → {l.target} ({l.mappingVersion}) ·{' '}
                    <Link to={`/run/${l.runId}`}>{t('run')}</Link>
                    {l.gatewayMessageId ? ` · ${l.gatewayMessageId}` : ''}
                  </li>
                ))}
              </ul>
            </article>
          ))}
        </div>
      ) : null}
    </section>
  );
}
