/**
 * What a school collects (khoản thu), what each student owes per semester (phiếu báo thu), how it
 * was paid and the receipt or invoice issued for the payment. Public lower-secondary tuition is
 * free in HCMC from 2025–2026, so the items are the usual others: health insurance, boarding
 * (bán trú) service and meals, drinking water, extra English.
 */
import type { FeeItem, Invoice, Payment } from '../../src/model/records.ts';
import type { SchoolCalendar } from './calendar.ts';
import { addDays, daysBetween } from './calendar.ts';
import type { SemesterNo } from './grades.ts';
import { type Random, Weighted } from './random.ts';

type FeeFields = Omit<FeeItem, 'type' | 'key' | 'source' | 'schoolCode' | 'schoolYear'>;

/** The school's fee items; amounts vary a little between schools. */
export function feeItems(random: Random): FeeFields[] {
  const step = (lo: number, hi: number, by: number) => random.between(lo / by, hi / by) * by;
  return [
    {
      feeCode: 'BHYT',
      name: 'Bảo hiểm y tế học sinh',
      // 4.5 % of the 2,340,000 đ base salary × 12 months; families pay 70 % after state support.
      amount: 1_263_600,
      period: 'year',
      mandatory: true,
    },
    {
      feeCode: 'BANTRU',
      name: 'Tiền tổ chức phục vụ bán trú',
      amount: step(180_000, 260_000, 10_000),
      period: 'month',
      mandatory: false,
    },
    {
      feeCode: 'TIENAN',
      name: 'Tiền ăn bán trú',
      amount: step(660_000, 880_000, 22_000),
      period: 'month',
      mandatory: false,
    },
    {
      feeCode: 'NUOCUONG',
      name: 'Nước uống',
      amount: step(12_000, 20_000, 1_000),
      period: 'month',
      mandatory: false,
    },
    {
      feeCode: 'TATC',
      name: 'Tiếng Anh tăng cường',
      amount: step(150_000, 220_000, 10_000),
      period: 'month',
      mandatory: false,
    },
  ].map((f) => ({ ...f, grades: [6, 7, 8, 9] })) as FeeFields[];
}

/** What one student signed up for, drawn once for the year. */
export interface FeeChoices {
  boarding: boolean;
  englishPlus: boolean;
}

export const feeChoices = (random: Random): FeeChoices => ({
  boarding: random.chance(0.55),
  englishPlus: random.chance(0.45),
});

/** Months billed in each semester: September–January, then February–May. */
const MONTHS: Record<SemesterNo, number> = { 1: 5, 2: 4 };

export function receivableItems(
  items: readonly FeeFields[],
  choices: FeeChoices,
  semester: SemesterNo,
): Array<{ feeCode: string; amount: number }> {
  const taken = items.filter((f) => {
    switch (f.feeCode) {
      case 'BHYT':
        return semester === 1;
      case 'BANTRU':
      case 'TIENAN':
        return choices.boarding;
      case 'TATC':
        return choices.englishPlus;
      default:
        return true;
    }
  });
  return taken.map((f) => ({
    feeCode: f.feeCode,
    amount: f.period === 'month' ? f.amount * MONTHS[semester] : f.amount,
  }));
}

export interface SemesterBilling {
  issued: string;
  due: string;
}

export const billing = (cal: SchoolCalendar, semester: SemesterNo): SemesterBilling =>
  semester === 1
    ? { issued: `${cal.startYear}-09-15`, due: `${cal.startYear}-10-31` }
    : { issued: `${cal.startYear + 1}-02-02`, due: `${cal.startYear + 1}-03-15` };

const CHANNELS = new Weighted<Payment['channel']>([
  ['bank_transfer', 38],
  ['e_wallet', 24],
  ['ssc_portal', 22],
  ['card', 5],
  ['pos', 5],
  ['auto_debit', 4],
  ['cash', 2],
]);

export type PaymentFields = Omit<
  Payment,
  'type' | 'key' | 'source' | 'schoolCode' | 'receivableNo' | 'studentCode'
>;

/** A payment of `amount` made between the notice and a little after its due date. */
export function payment(
  random: Random,
  amount: number,
  bill: SemesterBilling,
  paymentId: string,
): PaymentFields {
  const days = random.int(daysBetween(bill.issued, bill.due) + 10);
  const date = addDays(bill.issued, days);
  const hh = String(random.between(6, 22)).padStart(2, '0');
  const mm = String(random.int(60)).padStart(2, '0');
  const ss = String(random.int(60)).padStart(2, '0');
  const channel = CHANNELS.draw(random);
  const digits = (n: number) => String(random.int(10 ** n)).padStart(n, '0');
  const yyddd = `${date.slice(2, 4)}${String(daysBetween(`${date.slice(0, 4)}-01-01`, date) + 1).padStart(3, '0')}`;
  const fields: PaymentFields = {
    paymentId,
    amount,
    channel,
    paidAt: `${date}T${hh}:${mm}:${ss}+07:00`,
  };
  if (channel === 'bank_transfer' || channel === 'auto_debit')
    fields.bankReference = `FT${yyddd}${digits(7)}`;
  else if (channel === 'e_wallet') fields.bankReference = `MW${yyddd}${digits(9)}`;
  else if (channel === 'card' || channel === 'pos') fields.bankReference = `${digits(12)}`;
  // Cash at the school's desk costs nothing; every electronic channel charges the payer a fee.
  if (channel !== 'cash') fields.fee = random.between(15, 22) * 500;
  return fields;
}

export type InvoiceFields = Pick<Invoice, 'kind' | 'template' | 'series'>;

/** Mostly e-receipts (biên lai điện tử); a few schools' units issue e-invoices. */
export function invoiceForm(random: Random, issuedAt: string): InvoiceFields {
  const yy = issuedAt.slice(2, 4);
  return random.chance(0.05)
    ? { kind: 'e_invoice', template: '1', series: `C${yy}TAA` }
    : { kind: 'e_receipt', template: '01BLP0-001', series: `BL-${yy}T` };
}
