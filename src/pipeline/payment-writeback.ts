/**
 * Payments go on into the school's own software: after a pull, every payment of the school its
 * software does not hold yet (new ones, and ones refused or not reached before) is handed to the
 * school's adapter, when that adapter declares it writes payments. What the software said is kept
 * per payment (`written_back_at`, or the refusal's code and message); a refusal is never dropped,
 * and a payment not written is offered again at the next pull. The adapter answers a repeat as
 * written (its contract), so a crash between its answer and our record costs one repeat, not a
 * double entry in the school's books.
 */
import type { Payment } from '../model/index.ts';
import { canWrite, silentLogger } from '../sdk/adapter.ts';
import {
  type Adapter,
  AdapterError,
  type AdapterLogger,
  parseAdapterConfig,
  scrubSecrets,
  WRITE_NOT_CONFIGURED,
  type WriteContext,
} from '../sdk/index.ts';
import {
  type Database,
  type Keyring,
  recordWriteBack,
  type UnwrittenPayment,
  unwrittenPayments,
  type WriteBackOutcome,
} from '../store/index.ts';

/** The school's adapter, when it declares it writes payments, with the school's config for it. */
export interface PaymentDestination {
  adapter: Adapter;
  /** As in the sources file: parsed by the adapter's schema here. */
  config: unknown;
}

export interface WriteBackProblem {
  /** The refused payment; null when the write failed as a whole. */
  paymentId: string | null;
  code: string;
  message: string;
}

export interface WriteBackReport {
  /** The adapter written to; null when the school's adapter writes no payments (left alone). */
  writeBackTo: string | null;
  /** Payments the school's software took in this pull. */
  writtenBack: number;
  /** Payments it refused in this pull (kept with the code, offered again next time). */
  writeBackRefused: number;
  /** The refusals (the first `MAX_PROBLEMS`), and a failure of the write as a whole. */
  writeBackErrors: WriteBackProblem[];
}

/** The report of a pull whose school's adapter writes no payments. */
export const noWriteBack = (): WriteBackReport => ({
  writeBackTo: null,
  writtenBack: 0,
  writeBackRefused: 0,
  writeBackErrors: [],
});

const MAX_PROBLEMS = 100;

/**
 * The key and source SSC's mapping gives a payment (mappings/ssc/v1 `paymentFromSsc`): the store
 * keeps the payment's fields, not its canonical envelope.
 */
const PAYMENT_SYSTEM = 'ssc';
export const paymentKey = (paymentId: string) => `${PAYMENT_SYSTEM}:${paymentId}`;

function canonical(p: UnwrittenPayment): Payment {
  return {
    type: 'payment',
    key: paymentKey(p.paymentId),
    source: { adapter: PAYMENT_SYSTEM, schoolCode: p.schoolCode, pulledAt: p.pulledAt },
    schoolCode: p.schoolCode,
    paymentId: p.paymentId,
    receivableNo: p.receivableNo,
    studentCode: p.studentCode,
    amount: p.amount,
    channel: p.channel as Payment['channel'],
    paidAt: p.paidAt,
    ...(p.bankReference !== null ? { bankReference: p.bankReference } : {}),
    ...(p.fee !== null ? { fee: p.fee } : {}),
  };
}

/** Code and message of a failure, with no secret of the config in the message. */
function problemOf(error: unknown, adapter: Adapter, config: unknown): { code: string; message: string } {
  const raw = error instanceof Error ? error.message : String(error);
  return {
    code: error instanceof AdapterError ? error.code : 'WRITE_FAILED',
    message: scrubSecrets(raw, adapter.configSchema, config),
  };
}

/**
 * Writes a school's unwritten payments to its software through `destination`, page by page, and
 * records the outcome of each. Stops at the first failure of a write as a whole (the software is
 * down: the rest waits for the next pull); `WRITE_NOT_CONFIGURED` leaves everything alone.
 */
export async function writeBackPayments(options: {
  db: Database;
  keyring: Keyring;
  schoolCode: string;
  destination: PaymentDestination | undefined;
  /** Payments a write call (default 200). */
  pageSize?: number;
  logger?: AdapterLogger;
}): Promise<WriteBackReport> {
  const { db, keyring, schoolCode, destination } = options;
  const adapter = destination?.adapter;
  if (!destination || !adapter || !canWrite(adapter, 'payments')) return noWriteBack();
  const write = adapter.write.bind(adapter);
  const report: WriteBackReport = {
    writeBackTo: adapter.id,
    writtenBack: 0,
    writeBackRefused: 0,
    writeBackErrors: [],
  };
  const problem = (p: WriteBackProblem) => {
    if (report.writeBackErrors.length < MAX_PROBLEMS) report.writeBackErrors.push(p);
  };
  let config: unknown;
  try {
    config = parseAdapterConfig(adapter.configSchema, destination.config, adapter.id);
  } catch (error) {
    problem({ paymentId: null, ...problemOf(error, adapter, destination.config) });
    return report;
  }
  const ctx: WriteContext<unknown> = {
    config,
    logger: options.logger ?? silentLogger,
    signal: new AbortController().signal,
    now: () => new Date(),
  };
  let after: { paidAt: string; paymentId: string } | undefined;
  for (;;) {
    const page = await unwrittenPayments(db, keyring, {
      schoolCode,
      limit: options.pageSize ?? 200,
      ...(after ? { after } : {}),
    });
    if (page.length === 0) break;
    const last = page.at(-1)!;
    after = { paidAt: last.paidAt, paymentId: last.paymentId };
    const records = page.map(canonical);
    let results: Awaited<ReturnType<NonNullable<Adapter['write']>>>['results'];
    try {
      results = (await write(ctx, 'payments', records)).results;
    } catch (error) {
      if (error instanceof AdapterError && error.code === WRITE_NOT_CONFIGURED) {
        return noWriteBack();
      }
      const failed = problemOf(error, adapter, destination.config);
      await recordWriteBack(
        db,
        schoolCode,
        page.map((p) => ({ paymentId: p.paymentId, written: false, ...failed })),
      );
      problem({ paymentId: null, ...failed });
      ctx.logger.warn('payment write-back failed', { schoolCode, adapter: adapter.id, code: failed.code });
      break;
    }
    const byKey = new Map(results.map((r) => [r.key, r]));
    const outcomes: WriteBackOutcome[] = records.map((record) => {
      const r = byKey.get(record.key);
      if (r?.status === 'written') return { paymentId: record.paymentId, written: true };
      // An answer missing for a payment is a refusal too: nothing counts as written unsaid.
      const code = r?.code ?? (r ? 'WRITE_REFUSED' : 'WRITE_UNANSWERED');
      const message =
        r?.message ??
        (r
          ? `Phần mềm của trường từ chối / the school's software refused (${code})`
          : `Adapter ${adapter.id} không trả lời cho khoản này / adapter ${adapter.id} gave no answer for this payment`);
      return { paymentId: record.paymentId, written: false, code, message };
    });
    await recordWriteBack(db, schoolCode, outcomes);
    for (const o of outcomes) {
      if (o.written) report.writtenBack++;
      else {
        report.writeBackRefused++;
        problem({ paymentId: o.paymentId, code: o.code!, message: o.message! });
      }
    }
    if (page.length < (options.pageSize ?? 200)) break;
  }
  return report;
}
