/**
 * Payments flow back: the hub reads a school's payments from SSC since the last pull and keeps
 * them (`payments` table), so the district sees what was paid without asking SSC each time, and
 * reconciliation can compare bills with payments. The cursor is a checkpoint (adapter `ssc`,
 * stream `payments`): the newest payment time seen. SSC lists payments by when they were paid, and
 * a payment reaches SSC hours after it was made (bank settlement, a wallet's batch): reading from
 * the newest time seen would skip it for ever. So each pull reads again from `lookbackHours`
 * before the cursor; the upsert makes the overlap harmless, and only new payments count as new.
 * Then the school's payments its own software does not hold yet are written back to it, when its
 * adapter writes payments (payment-writeback.ts).
 */
import type { Payment } from '../model/index.ts';
import { hubError } from '../sdk/errors.ts';
import type { AdapterLogger, RecordError } from '../sdk/index.ts';
import { AdapterError } from '../sdk/index.ts';
import {
  type Database,
  type Keyring,
  loadCheckpoint,
  saveCheckpoint,
  upsertPayments,
} from '../store/index.ts';
import type { Target } from '../targets/target.ts';
import {
  noWriteBack,
  type PaymentDestination,
  type WriteBackReport,
  writeBackPayments,
} from './payment-writeback.ts';

/** The part of the SSC target the pull needs (structural, so src/pipeline stays off its module). */
export interface PaymentSource {
  id: string;
  readPayments(
    schoolCode: string,
    options?: { since?: string; onInvalid?: (error: RecordError, row: unknown) => void },
  ): AsyncIterable<Payment>;
}

export function paymentSourceOf(targets: Iterable<Target>): PaymentSource | undefined {
  for (const t of targets) if ('readPayments' in t) return t as unknown as PaymentSource;
  return undefined;
}

export interface PaymentPull extends WriteBackReport {
  schoolCode: string;
  read: number;
  new: number;
  invalid: Array<{ code: string; field?: string; message: string }>;
  since: string | null;
  until: string | null;
}

const CURSOR = { adapterId: 'ssc', stream: 'payments' } as const;

export async function pullPayments(options: {
  db: Database;
  keyring: Keyring;
  source: PaymentSource | undefined;
  schoolCode: string;
  runId?: string;
  /** How late a payment may reach SSC and still be read (default 72 h). */
  lookbackHours?: number;
  /**
   * The school's adapter, when it writes payments back (asked after the pull, so a school whose
   * source cannot be loaded still gets its payments pulled; the failure is in the report).
   */
  writeBack?: () => Promise<PaymentDestination | undefined>;
  logger?: AdapterLogger;
}): Promise<PaymentPull> {
  const { db, keyring, schoolCode, source } = options;
  if (!source) {
    throw hubError('TARGET_NOT_CONFIGURED', {
      target: 'SSC',
      reason: { vi: 'thiếu SSC_GATEWAY_URL', en: 'SSC_GATEWAY_URL is missing' },
    });
  }
  const cursor = ((await loadCheckpoint(db, { schoolCode, ...CURSOR })) as { since?: string } | undefined)
    ?.since;
  const lookbackMs = (options.lookbackHours ?? 72) * 3_600_000;
  const since = cursor ? new Date(Date.parse(cursor) - lookbackMs).toISOString() : undefined;
  const result: PaymentPull = {
    schoolCode,
    read: 0,
    new: 0,
    invalid: [],
    since: since ?? null,
    until: null,
    ...noWriteBack(),
  };
  let batch: Payment[] = [];
  let newest = cursor ? Date.parse(cursor) : 0;
  let newestText = cursor ?? null;
  const flush = async () => {
    if (batch.length === 0) return;
    result.new += await upsertPayments(db, keyring, batch);
    batch = [];
  };
  for await (const payment of source.readPayments(schoolCode, {
    ...(since ? { since } : {}),
    onInvalid: (error) =>
      result.invalid.push({
        code: error.code,
        ...(error.field ? { field: error.field } : {}),
        message: error.message,
      }),
  })) {
    result.read++;
    batch.push(payment);
    const at = Date.parse(payment.paidAt);
    if (at > newest) {
      newest = at;
      newestText = payment.paidAt;
    }
    if (batch.length >= 500) await flush();
  }
  await flush();
  result.until = newestText;
  if (newestText) {
    await saveCheckpoint(
      db,
      { schoolCode, ...CURSOR, runId: options.runId ?? null },
      {
        since: newestText,
      },
    );
  }
  let destination: PaymentDestination | undefined;
  try {
    destination = await options.writeBack?.();
  } catch (error) {
    result.writeBackErrors.push({
      paymentId: null,
      code: error instanceof AdapterError ? error.code : 'WRITE_BACK_UNAVAILABLE',
      message: (error as Error)?.message ?? String(error),
    });
    return result;
  }
  return {
    ...result,
    ...(await writeBackPayments({
      db,
      keyring,
      schoolCode,
      destination,
      ...(options.logger ? { logger: options.logger } : {}),
    })),
  };
}
