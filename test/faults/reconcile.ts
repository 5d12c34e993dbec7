/**
 * The one check every scenario ends with: what the city holds against what the school has, what
 * the hub's ledger says the city holds, the runs' states and counts, and the dead letters. It reads
 * the hub's tables with plain SQL (not the hub's store code, which is what is under test).
 */
import type pg from 'pg';
import type { CityEduDb } from '../../sandbox/city-edudb/index.ts';
import type { SchoolExpectation } from './sandboxes.ts';

export interface RunRow {
  id: string;
  school_code: string;
  mode: string;
  state: string;
  counts: Record<string, number>;
  created_at: Date;
  finished_at: Date | null;
}

export interface Reconciliation {
  /** Students the city should hold (known to it), over every school synced. */
  expected: number;
  held: number;
  missing: number;
  extra: number;
  /** Records written more often than their content changed, plus batches applied beyond those staged. */
  duplicates: number;
  review: number;
  reviewExpected: number;
  ledgerDiffers: number;
  deadLetters: number;
  deadLettersExpected: number;
  runs: RunRow[];
  /** From the fault to the end of the last run, when a fault time was given. */
  recoveredMs: number | undefined;
  /** From the first run's request to the end of the last. */
  syncedMs: number | undefined;
  /** Each broken expectation, one line each. */
  failures: string[];
}

const sample = (items: Iterable<string>, n = 3) => {
  const list = [...items];
  return list.length === 0 ? '' : ` (e.g. ${list.slice(0, n).join(', ')}${list.length > n ? ', …' : ''})`;
};
const short = (id: string) => id.slice(0, 8);

/**
 * Reconciles the schools in `expected` (default every school the city expects) after their runs
 * ended. `faultAt` (epoch ms) gives the time to recover.
 */
export async function reconcile(
  pool: pg.Pool,
  city: CityEduDb,
  expected: ReadonlyMap<string, SchoolExpectation>,
  options: { faultAt?: number | undefined; schools?: readonly string[] } = {},
): Promise<Reconciliation> {
  const failures: string[] = [];
  const schools = options.schools ?? [...expected.keys()];

  const runs = (
    await pool.query<RunRow>(
      'select id, school_code, mode, state, counts, created_at, finished_at from runs where school_code = any($1) order by created_at',
      [schools],
    )
  ).rows;
  const batches = (
    await pool.query<{ run_id: string; total: string; pushed: string }>(
      'select run_id, count(*) as total, count(pushed_at) as pushed from staged_batches where run_id = any($1) group by run_id',
      [runs.map((r) => r.id)],
    )
  ).rows;
  const ledgerKeys = new Set(
    (
      await pool.query<{ record_key: string }>(
        'select record_key from ledger where school_code = any($1) and deleted_at is null',
        [schools],
      )
    ).rows.map((r) => r.record_key),
  );
  const letters = (
    await pool.query<{
      run_id: string;
      school_code: string;
      record_key: string | null;
      code: string;
      occurrences: number;
    }>(
      `select run_id, school_code, record_key, code, occurrences from dead_letters
       where school_code = any($1) and resolved_at is null and replayed_at is null and discarded_at is null`,
      [schools],
    )
  ).rows;

  let expectedTotal = 0;
  let reviewExpected = 0;
  const heldKeys = new Set<string>();
  const heldCodes = new Set<string>();
  const reviewKeys = new Set<string>();
  const reviewCodes = new Set<string>();
  let versionsAboveOne = 0;
  const studentsOf = new Map<string, number>();
  for (const code of schools) {
    const e = expected.get(code);
    if (!e) throw new Error(`no expectation for school ${code}`);
    expectedTotal += e.known.size;
    reviewExpected += e.unknown.size;
    studentsOf.set(code, e.students);
  }
  const schoolSet = new Set(schools);
  for (const [key, h] of city.state.held) {
    if (h.kind !== 'HocSinh' || !schoolSet.has(String(h.record.MaTruong))) continue;
    heldKeys.add(key);
    heldCodes.add(String(h.record.MaHocSinh));
    if (h.version !== 1) versionsAboveOne++;
  }
  for (const [key, r] of city.state.review) {
    if (r.kind !== 'HocSinh' || !schoolSet.has(r.schoolCode)) continue;
    reviewKeys.add(key);
    reviewCodes.add(r.masterCode);
  }

  // The city holds every student it knows, and nothing else.
  const missing = new Set<string>();
  const unknownHeld = new Set<string>();
  for (const code of schools) {
    const e = expected.get(code)!;
    for (const s of e.known) if (!heldCodes.has(s)) missing.add(s);
    for (const s of e.unknown) if (heldCodes.has(s)) unknownHeld.add(s);
  }
  const extra = heldKeys.size - (expectedTotal - missing.size);
  if (missing.size > 0)
    failures.push(
      `city holds ${heldKeys.size} of ${expectedTotal} students: ${missing.size} missing${sample(missing)}`,
    );
  if (unknownHeld.size > 0)
    failures.push(`city holds ${unknownHeld.size} students it should not know${sample(unknownHeld)}`);
  if (extra > 0 && unknownHeld.size === 0)
    failures.push(`city holds ${extra} records beyond the school's students`);

  // Each applied once: one write per version, and no batch applied that the hub did not record.
  const twice = new Set<string>();
  for (const key of heldKeys) {
    const h = city.state.held.get(key)!;
    if ((city.state.applied.get(key) ?? 0) > h.version) twice.add(key);
  }
  const pushedBatches = batches.reduce((n, b) => n + Number(b.pushed), 0);
  const stagedBatches = batches.reduce((n, b) => n + Number(b.total), 0);
  // More batches applied than the hub ever staged: some content went under two keys. (Fewer
  // recorded than applied is a lost answer, reported below, not yet a duplicate.)
  const extraBatches = Math.max(0, city.state.batchesApplied - stagedBatches);
  if (twice.size > 0) failures.push(`${twice.size} records applied more than once${sample(twice)}`);
  if (versionsAboveOne > 0) failures.push(`${versionsAboveOne} records at version > 1 after a first sync`);
  if (city.state.batchesApplied !== pushedBatches)
    failures.push(
      `the city applied ${city.state.batchesApplied} batch(es), the hub recorded ${pushedBatches} as pushed (of ${stagedBatches} staged)`,
    );
  if (stagedBatches !== pushedBatches)
    failures.push(`${stagedBatches - pushedBatches} staged batches never pushed`);

  // The review list: exactly the students the city does not know.
  const notOnReview = new Set<string>();
  for (const code of schools)
    for (const s of expected.get(code)!.unknown) if (!reviewCodes.has(s)) notOnReview.add(s);
  if (notOnReview.size > 0)
    failures.push(`${notOnReview.size} unknown students not on the city's review list${sample(notOnReview)}`);

  // The ledger says what the city holds.
  const ledgerOnly = [...ledgerKeys].filter((k) => !heldKeys.has(k));
  const cityOnly = [...heldKeys].filter((k) => !ledgerKeys.has(k));
  if (ledgerOnly.length > 0)
    failures.push(`the ledger has ${ledgerOnly.length} keys the city does not hold${sample(ledgerOnly)}`);
  if (cityOnly.length > 0)
    failures.push(`the city holds ${cityOnly.length} keys the ledger does not have${sample(cityOnly)}`);

  // Runs: all succeeded, counts reconciled. A full run reads every student and sends the ones the
  // city does not know again (a refusal never reaches the ledger); an incremental run reads what
  // changed since the last checkpoint.
  if (runs.length === 0) failures.push('no run found');
  let created = 0;
  for (const run of runs) {
    const c = run.counts;
    const students = studentsOf.get(run.school_code) ?? 0;
    const unknown = expected.get(run.school_code)!.unknown.size;
    const full = run.mode === 'full';
    created += c.created ?? 0;
    const wrong: string[] = [];
    if (run.state !== 'succeeded') wrong.push(`state ${run.state}`);
    if (full && c.pulled !== students) wrong.push(`pulled ${c.pulled} of ${students} students`);
    if ((c.valid ?? 0) + (c.invalid ?? 0) !== c.pulled)
      wrong.push(`valid ${c.valid} + invalid ${c.invalid} ≠ pulled ${c.pulled}`);
    if (full ? c.refused !== unknown : (c.refused ?? 0) > unknown)
      wrong.push(`refused ${c.refused}, on review ${unknown}`);
    if (c.failed !== 0) wrong.push(`failed ${c.failed}`);
    if (wrong.length > 0)
      failures.push(`run ${short(run.id)} (${run.mode}, ${run.school_code}): ${wrong.join(', ')}`);
  }
  if (runs.length > 0 && created !== heldKeys.size)
    failures.push(`the runs counted ${created} created, the city holds ${heldKeys.size}`);

  // Dead letters: one open UNKNOWN_MASTER letter per unknown student the runs sent, however many
  // runs met it (a letter counts its occurrences), and nothing else: per school with a full run, as
  // many open letters as students the city does not know. Every refusal a run counted is one
  // occurrence: none lost, none counted twice.
  const want = new Map<string, number>();
  for (const run of runs) {
    if (run.mode === 'full') want.set(run.school_code, expected.get(run.school_code)!.unknown.size);
  }
  const unexpected = new Map<string, number>();
  const seen = new Map<string, number>();
  const good = new Map<string, number>();
  let occurrences = 0;
  for (const l of letters) {
    if (l.record_key !== null) {
      const id = `${l.school_code}\u0000${l.record_key}`;
      seen.set(id, (seen.get(id) ?? 0) + 1);
    }
    if (l.code === 'UNKNOWN_MASTER' && l.record_key !== null && reviewKeys.has(l.record_key)) {
      occurrences += l.occurrences;
      good.set(l.school_code, (good.get(l.school_code) ?? 0) + 1);
    } else {
      const what = l.record_key === null ? `${l.code} (whole batch)` : l.code;
      unexpected.set(what, (unexpected.get(what) ?? 0) + 1);
    }
  }
  const lettersExpected = [...want.values()].reduce((a, b) => a + b, 0);
  const lettersMissing = [...want].reduce(
    (n, [school, w]) => n + Math.max(0, w - (good.get(school) ?? 0)),
    0,
  );
  const refusals = runs.reduce((n, r) => n + (r.counts.refused ?? 0), 0);
  const repeated = [...seen.values()].filter((n) => n > 1).length;
  if (unexpected.size > 0)
    failures.push(
      `dead letters that should not be there: ${[...unexpected].map(([code, n]) => `${code} ×${n}`).join(', ')}`,
    );
  if (lettersMissing > 0) failures.push(`${lettersMissing} UNKNOWN_MASTER dead letters missing`);
  if (repeated > 0) failures.push(`${repeated} records with more than one open letter`);
  if (occurrences !== refusals)
    failures.push(`the letters count ${occurrences} refusals, the runs ${refusals}`);

  const last = runs.reduce<number | undefined>((t, r) => {
    const at = r.finished_at?.getTime();
    return at === undefined ? t : Math.max(t ?? 0, at);
  }, undefined);
  return {
    expected: expectedTotal,
    held: heldKeys.size,
    missing: missing.size,
    extra: Math.max(0, extra),
    duplicates: twice.size + extraBatches,
    review: reviewKeys.size,
    reviewExpected,
    ledgerDiffers: ledgerOnly.length + cityOnly.length,
    deadLetters: letters.length,
    deadLettersExpected: lettersExpected,
    runs,
    recoveredMs:
      options.faultAt !== undefined && last !== undefined && runs.every((r) => r.finished_at)
        ? last - options.faultAt
        : undefined,
    syncedMs:
      runs[0] && last !== undefined && runs.every((r) => r.finished_at)
        ? last - runs[0].created_at.getTime()
        : undefined,
    failures,
  };
}

/** The figures of a reconciliation, for the scenario's line. */
export function describeReconciliation(r: Reconciliation, faulted = true): string {
  const states = new Map<string, number>();
  for (const run of r.runs) states.set(run.state, (states.get(run.state) ?? 0) + 1);
  const runs =
    r.runs.length === 1
      ? `run ${r.runs[0]!.state}`
      : `runs ${[...states].map(([s, n]) => `${n} ${s}`).join(', ') || 'none'}`;
  return [
    `expected ${r.expected}`,
    `held ${r.held}`,
    `duplicates ${r.duplicates}`,
    `review ${r.review}/${r.reviewExpected}`,
    `dead letters ${r.deadLetters}/${r.deadLettersExpected}`,
    r.ledgerDiffers === 0 ? 'ledger = city' : `ledger ≠ city by ${r.ledgerDiffers}`,
    runs,
    faulted
      ? r.recoveredMs === undefined
        ? 'not recovered'
        : `recovered in ${(r.recoveredMs / 1000).toFixed(1)} s`
      : r.syncedMs === undefined
        ? 'not finished'
        : `synced in ${(r.syncedMs / 1000).toFixed(1)} s`,
  ].join(', ');
}
