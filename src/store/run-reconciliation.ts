/**
 * A run's word is true: before a run may say `succeeded`, what it counted must agree with what
 * PostgreSQL holds, each sum taken from two places that are written apart.
 *
 * - read: `pulled` = `valid` + `invalid` + `excluded` (the pull's own tally, record by record);
 * - staged: the pull's count of changes staged = the records in the run's staged batches (the rows
 *   its claim wrote: a stale worker's batch, or one lost, would show here);
 * - sent: the records in the staged batches = accepted (`created` + `updated` + `deleted`) +
 *   `refused` + `failed` (the push answers, batch by batch);
 * - acknowledged: the records accepted = the ledger rows this run wrote (what the target said it
 *   holds is what the ledger says it holds).
 *
 * A run whose counts do not reconcile fails with the checks that did not hold, in Vietnamese and
 * English, and keeps its checkpoints where they were.
 */

import { sql, type Transaction } from 'kysely';
import { errorMessage } from '../model/error-catalogue.ts';
import type { RunCounts, Tables } from './tables.ts';

export interface ReconciliationCheck {
  name: 'read' | 'staged' | 'sent' | 'acknowledged';
  /** What the sum should be (its left side)… */
  expected: number;
  /** …and what the other side adds up to. */
  actual: number;
  ok: boolean;
}

export interface RunReconciliation {
  ok: boolean;
  checks: ReconciliationCheck[];
}

const SAID: Record<ReconciliationCheck['name'], { vi: string; en: string }> = {
  read: { vi: 'đã đọc ≠ hợp lệ + không hợp lệ + loại ra', en: 'read ≠ valid + invalid + excluded' },
  staged: {
    vi: 'số thay đổi đã chuẩn bị ≠ số bản ghi trong các lô',
    en: 'changes staged ≠ records in the staged batches',
  },
  sent: {
    vi: 'đã gửi ≠ được nhận + bị từ chối + thư chết',
    en: 'sent ≠ accepted + refused + dead-lettered',
  },
  acknowledged: {
    vi: 'đích xác nhận ≠ sổ cái ghi nhận',
    en: 'acknowledged by the target ≠ marked accepted in the ledger',
  },
};

/** The checks of a pushing run whose batches are all answered; inside finishIfDone's transaction. */
export async function reconcileRun(
  trx: Transaction<Tables>,
  runId: string,
  stored: Partial<RunCounts>,
): Promise<RunReconciliation> {
  const n = (k: keyof RunCounts) => stored[k] ?? 0;
  const { rows: batchRows } = await sql<{ records: number }>`
    select coalesce(sum(record_count), 0)::int as records from staged_batches where run_id = ${runId}::uuid
  `.execute(trx);
  const { rows: ledgerRows } = await sql<{ rows: number }>`
    select count(*)::int as rows from ledger where run_id = ${runId}::uuid
  `.execute(trx);
  const inBatches = batchRows[0]?.records ?? 0;
  const accepted = n('created') + n('updated') + n('deleted');
  const checks: ReconciliationCheck[] = [
    check('read', n('pulled'), n('valid') + n('invalid') + n('excluded')),
    // Runs staged before this count existed carry no `staged`: that check cannot be made for them.
    ...(stored.staged !== undefined ? [check('staged', n('staged'), inBatches)] : []),
    check('sent', inBatches, accepted + n('refused') + n('failed')),
    check('acknowledged', accepted, ledgerRows[0]?.rows ?? 0),
  ];
  return { ok: checks.every((c) => c.ok), checks };
}

const check = (name: ReconciliationCheck['name'], expected: number, actual: number): ReconciliationCheck => ({
  name,
  expected,
  actual,
  ok: expected === actual,
});

/** The run's failure when its counts do not reconcile, named check by check. */
export function reconciliationFailure(reconciliation: RunReconciliation): {
  code: string;
  message: string;
} {
  const failed = reconciliation.checks.filter((c) => !c.ok);
  const vi = failed.map((c) => `${SAID[c.name].vi} (${c.expected} ≠ ${c.actual})`).join('; ');
  const en = failed.map((c) => `${SAID[c.name].en} (${c.expected} ≠ ${c.actual})`).join('; ');
  return {
    code: 'RUN_NOT_RECONCILED',
    message: errorMessage('RUN_NOT_RECONCILED', { checks: { vi, en } }),
  };
}
