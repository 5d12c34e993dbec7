/**
 * A target's batch answer `{ results: [{ key, status, code?, message?, version?, deleted? }] }`
 * read into one result per key the batch sent, whichever target answered: a key the target skipped
 * has failed, and a status it does not name is a failure with a code saying so.
 */
import { errorMessage } from '../model/error-catalogue.ts';
import { hubError } from '../sdk/errors.ts';
import type { PushBatch, TargetRecordResult } from './target.ts';

interface BatchAnswer {
  results?: Array<{
    key?: unknown;
    status?: unknown;
    code?: unknown;
    message?: unknown;
    version?: unknown;
    deleted?: unknown;
  }>;
}

const str = (v: unknown) => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : undefined);

export function perRecordResults(
  batch: PushBatch,
  answer: unknown,
  target: {
    /** The target as messages name it: `{ vi: 'CSDL ngành', en: 'the city DB' }`. */
    name: { vi: string; en: string };
    /** Statuses that mean the target did not take the record (besides `refused`). */
    refusedStatuses?: readonly string[];
  },
): TargetRecordResult[] {
  const results = (answer as BatchAnswer | undefined)?.results;
  if (!Array.isArray(results))
    throw hubError('TARGET_ANSWER_INVALID', {
      target: target.name,
      reason: { vi: 'trả lời không có danh sách kết quả', en: 'answered without per-record results' },
    });
  const refused = new Set(['refused', ...(target.refusedStatuses ?? [])]);
  const deleteKeys = new Set(batch.deletes);
  const byKey = new Map<string, TargetRecordResult>();
  for (const r of results) {
    const key = str(r?.key);
    if (key === undefined) continue;
    const status = str(r.status);
    const code = str(r.code);
    const message = str(r.message);
    const version = str(r.version);
    const deleted = r.deleted === true || deleteKeys.has(key);
    byKey.set(key, {
      key,
      outcome:
        status === 'accepted'
          ? 'accepted'
          : status !== undefined && refused.has(status)
            ? 'refused'
            : 'failed',
      ...(version !== undefined ? { targetVersion: version } : {}),
      ...(code !== undefined ? { code } : status === 'accepted' ? {} : { code: 'TARGET_STATUS_UNKNOWN' }),
      ...(message !== undefined ? { message } : {}),
      ...(deleted ? { deleted: true } : {}),
    });
  }
  const expected = [
    ...batch.upserts.map((u) => ({ key: u.key, deleted: false })),
    ...batch.deletes.map((key) => ({ key, deleted: true })),
  ];
  return expected.map(
    ({ key, deleted }) =>
      byKey.get(key) ?? {
        key,
        outcome: 'failed',
        code: 'TARGET_NO_RESULT',
        message: errorMessage('TARGET_NO_RESULT', { target: target.name }),
        ...(deleted ? { deleted: true } : {}),
      },
  );
}
