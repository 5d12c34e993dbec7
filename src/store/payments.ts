/**
 * Payments as SSC reports them, kept per school: the evidence behind "paid" on a fee notice. The
 * bank reference is sealed; the API shows only its last characters. Each payment also records
 * whether the school's own software took it (written back through its adapter).
 */
import { sql } from 'kysely';
import type { Payment } from '../model/index.ts';
import type { Keyring } from './crypto.ts';
import { type Db, kyselyOf } from './db.ts';
import { seal, unseal } from './sealed.ts';

/** Inserts or refreshes payments (one statement for the lot). Returns how many were new. */
export async function upsertPayments(
  db: Db,
  keyring: Keyring,
  payments: readonly Payment[],
): Promise<number> {
  if (payments.length === 0) return 0;
  const sealed = payments.map((p) => (p.bankReference ? seal(keyring, p.bankReference) : undefined));
  const { rows } = await sql<{ n: number }>`
    with written as (
      insert into payments as p (school_code, payment_id, receivable_no, student_code, amount, fee, channel,
        paid_at, bank_reference, key_id)
      select r.school, r.id, r.receivable, r.student, r.amount, r.fee, r.channel, r.paid_at,
        decode(r.reference, 'hex'), r.key_id
      from unnest(
        ${payments.map((p) => p.schoolCode)}::text[],
        ${payments.map((p) => p.paymentId)}::text[],
        ${payments.map((p) => p.receivableNo)}::text[],
        ${payments.map((p) => p.studentCode)}::text[],
        ${payments.map((p) => p.amount)}::bigint[],
        ${payments.map((p) => p.fee ?? null)}::int[],
        ${payments.map((p) => p.channel)}::text[],
        ${payments.map((p) => p.paidAt)}::timestamptz[],
        ${sealed.map((s) => s?.payload.toString('hex') ?? null)}::text[],
        ${sealed.map((s) => s?.keyId ?? null)}::text[]
      ) as r(school, id, receivable, student, amount, fee, channel, paid_at, reference, key_id)
      on conflict (school_code, payment_id) do update set
        receivable_no = excluded.receivable_no, student_code = excluded.student_code,
        amount = excluded.amount, fee = excluded.fee, channel = excluded.channel,
        paid_at = excluded.paid_at, bank_reference = excluded.bank_reference, key_id = excluded.key_id,
        pulled_at = now(),
        -- SSC corrected a payment the school's software holds: offer it again (its adapter says
        -- what the software makes of a changed payment under the same id).
        written_back_at = case
          when (p.receivable_no, p.student_code, p.amount, p.fee, p.channel, p.paid_at)
            is distinct from (excluded.receivable_no, excluded.student_code, excluded.amount,
              excluded.fee, excluded.channel, excluded.paid_at)
          then null else p.written_back_at end
      returning (xmax = 0) as inserted)
    select count(*) filter (where inserted)::int as n from written
  `.execute(kyselyOf(db));
  return rows[0]?.n ?? 0;
}

/** What SSC reported of a payment, as the hub keeps it. */
interface PaymentFacts {
  paymentId: string;
  receivableNo: string;
  studentCode: string;
  amount: number;
  fee: number | null;
  channel: string;
  paidAt: string;
}

export interface StoredPayment extends PaymentFacts {
  /** The bank reference's last 4 characters (the rest stays sealed). */
  bankReferenceTail: string | null;
  /** When the school's software took it; null until then. */
  writtenBackAt: string | null;
  /** The last refusal or failure of writing it back: the adapter's code and message. */
  writeBackCode: string | null;
  writeBackError: string | null;
  /** Write-backs tried (the successful one included). */
  writeBackAttempts: number;
}

/** A school's payments, oldest first; page with `after` (the last paidAt/paymentId seen). */
export async function listPayments(
  db: Db,
  keyring: Keyring,
  filter: { schoolCode: string; since?: string; receivableNo?: string; paymentId?: string; limit?: number },
): Promise<StoredPayment[]> {
  let q = kyselyOf(db)
    .selectFrom('payments')
    .selectAll()
    .where('school_code', '=', filter.schoolCode)
    .orderBy('paid_at')
    .orderBy('payment_id')
    .limit(Math.min(Math.max(filter.limit ?? 500, 1), 5_000));
  if (filter.since) q = q.where('paid_at', '>=', new Date(filter.since));
  if (filter.receivableNo) q = q.where('receivable_no', '=', filter.receivableNo);
  if (filter.paymentId) q = q.where('payment_id', '=', filter.paymentId);
  const rows = await q.execute();
  return rows.map((r) => {
    const reference =
      r.bank_reference && r.key_id
        ? unseal<string>(keyring, { payload: r.bank_reference, keyId: r.key_id })
        : null;
    return {
      paymentId: r.payment_id,
      receivableNo: r.receivable_no,
      studentCode: r.student_code,
      amount: Number(r.amount),
      fee: r.fee,
      channel: r.channel,
      paidAt: r.paid_at.toISOString(),
      bankReferenceTail: reference ? reference.slice(-4) : null,
      writtenBackAt: r.written_back_at?.toISOString() ?? null,
      writeBackCode: r.write_back_code,
      writeBackError: r.write_back_error,
      writeBackAttempts: r.write_back_attempts,
    };
  });
}

/** A payment the school's software does not hold yet, with what writing it back needs. */
export interface UnwrittenPayment extends PaymentFacts {
  schoolCode: string;
  /** Unsealed: the school's software may keep it (its adapter's mapping decides). */
  bankReference: string | null;
  pulledAt: string;
}

/**
 * A school's payments not yet written back, oldest first, from after `after` (the last one of the
 * previous page): refused ones too, for they are offered again.
 */
export async function unwrittenPayments(
  db: Db,
  keyring: Keyring,
  filter: { schoolCode: string; after?: { paidAt: string; paymentId: string }; limit?: number },
): Promise<UnwrittenPayment[]> {
  let q = kyselyOf(db)
    .selectFrom('payments')
    .selectAll()
    .where('school_code', '=', filter.schoolCode)
    .where('written_back_at', 'is', null)
    .orderBy('paid_at')
    .orderBy('payment_id')
    .limit(Math.min(Math.max(filter.limit ?? 500, 1), 5_000));
  const after = filter.after;
  if (after) {
    q = q.where(({ eb, refTuple, tuple }) =>
      eb(refTuple('paid_at', 'payment_id'), '>', tuple(new Date(after.paidAt), after.paymentId)),
    );
  }
  const rows = await q.execute();
  return rows.map((r) => ({
    schoolCode: r.school_code,
    paymentId: r.payment_id,
    receivableNo: r.receivable_no,
    studentCode: r.student_code,
    amount: Number(r.amount),
    fee: r.fee,
    channel: r.channel,
    paidAt: r.paid_at.toISOString(),
    bankReference:
      r.bank_reference && r.key_id
        ? unseal<string>(keyring, { payload: r.bank_reference, keyId: r.key_id })
        : null,
    pulledAt: r.pulled_at.toISOString(),
  }));
}

/** What became of one payment offered to the school's software. */
export interface WriteBackOutcome {
  paymentId: string;
  written: boolean;
  /** Why not, when not written: the adapter's code and message. */
  code?: string;
  message?: string;
}

/**
 * Records what the school's software said of payments offered to it: written ones get their time
 * and lose any earlier refusal; the others keep the code and message for the API and the next try.
 * A payment written already (by a pull running alongside) stays written.
 */
export async function recordWriteBack(
  db: Db,
  schoolCode: string,
  outcomes: readonly WriteBackOutcome[],
): Promise<void> {
  if (outcomes.length === 0) return;
  await sql`
    update payments as p set
      written_back_at = case when r.written then now() else null end,
      write_back_code = case when r.written then null else r.code end,
      write_back_error = case when r.written then null else r.message end,
      write_back_attempts = p.write_back_attempts + 1
    from unnest(
      ${outcomes.map((o) => o.paymentId)}::text[],
      ${outcomes.map((o) => o.written)}::boolean[],
      ${outcomes.map((o) => (o.written ? null : (o.code ?? 'WRITE_FAILED')))}::text[],
      ${outcomes.map((o) => (o.written ? null : (o.message ?? null)))}::text[]
    ) as r(id, written, code, message)
    where p.school_code = ${schoolCode} and p.payment_id = r.id and p.written_back_at is null
  `.execute(kyselyOf(db));
}

/** Sum paid per fee notice of a school. */
export async function paidByReceivable(db: Db, schoolCode: string): Promise<Map<string, number>> {
  const rows = await kyselyOf(db)
    .selectFrom('payments')
    .select(['receivable_no', sql<string>`sum(amount)`.as('paid')])
    .where('school_code', '=', schoolCode)
    .groupBy('receivable_no')
    .execute();
  return new Map(rows.map((r) => [r.receivable_no, Number(r.paid)]));
}
