/**
 * Hóa đơn điện tử / biên lai điện tử as the tax authority's XML (`HDon`, Decree 123/2020 +
 * Circular 78/2021, format of 1450/QĐ-TCT, PBan 2.1.0; domain README §5.2): no namespace,
 * `DLHDon[@Id]` with `TTChung` and `NDHDon` (`NBan`, `NMua`, `DSHHDVu/HHDVu`, `TToan`), and an
 * empty `DSCKS` where the seller's XMLDSig goes: the sandbox does not sign.
 *
 * School fees are not subject to VAT (TSuat `KCT`, tax 0). One line per item of the notice; a
 * payment of part of a notice is one line for the part paid.
 *
 * @example
 * const xml = buildEInvoiceXml(invoice, receivable, seller, buyer, { feeItems });
 * // <HDon><DLHDon Id="DLHDon-C25TAA-00000001"><TTChung><PBan>2.1.0</PBan>…
 */
import type { FeeItem, Invoice, Receivable } from '../../../src/model/index.ts';
import { unmappable } from './common.ts';

export const EINVOICE_VERSION = '2.1.0';

export interface EInvoiceSeller {
  /** Tên: the school or its unit that collects. */
  name: string;
  /** MST: 10 digits, or 10-3 for a dependent unit. */
  taxCode: string;
  address: string;
  phone?: string;
  email?: string;
  bankAccount?: string;
  bankName?: string;
}

export interface EInvoiceBuyer {
  /** Tên người mua: the parent, or the student's name when the school bills the family. */
  name: string;
  /** MKHang: the student code by default. */
  customerCode?: string;
  taxCode?: string;
  address?: string;
  /** HVTNMHang: the person who pays. */
  contactName?: string;
}

export interface EInvoiceOptions {
  /** The school's fee items, for each line's name, unit, quantity and unit price. */
  feeItems?: ReadonlyArray<Pick<FeeItem, 'feeCode' | 'name' | 'amount' | 'period'>>;
  /** HTTToan: `TM` cash, `CK` transfer, `TM/CK` either (default). */
  paymentMethod?: 'TM' | 'CK' | 'TM/CK';
}

/** Payment channel → HTTToan. */
export const paymentMethodOf = (channel: string): 'TM' | 'CK' => (channel === 'cash' ? 'TM' : 'CK');

// ---------------------------------------------------------------------------------------------
// Amount in words

const DIGITS = ['không', 'một', 'hai', 'ba', 'bốn', 'năm', 'sáu', 'bảy', 'tám', 'chín'];

/**
 * One group of three digits. `full`: a higher group came before, so the hundreds are read even
 * when zero ("một nghìn không trăm linh năm").
 */
function readTriple(n: number, full: boolean): string[] {
  const h = Math.floor(n / 100);
  const t = Math.floor(n / 10) % 10;
  const u = n % 10;
  const words: string[] = [];
  if (h > 0 || full) words.push(DIGITS[h]!, 'trăm');
  if (t === 0) {
    if (u > 0 && words.length > 0) words.push('linh');
  } else if (t === 1) words.push('mười');
  else words.push(DIGITS[t]!, 'mươi');
  if (u === 0) return words;
  if (u === 1 && t >= 2) words.push('mốt');
  else if (u === 5 && t >= 1) words.push('lăm');
  else words.push(DIGITS[u]!);
  return words;
}

/** Below one billion: triệu, nghìn, units; groups of zero are not read. */
function readBelowBillion(n: number, full: boolean): string[] {
  const groups: Array<[number, string]> = [
    [Math.floor(n / 1_000_000), 'triệu'],
    [Math.floor(n / 1_000) % 1_000, 'nghìn'],
    [n % 1_000, ''],
  ];
  const words: string[] = [];
  let before = full;
  for (const [value, unit] of groups) {
    if (value === 0) continue;
    words.push(...readTriple(value, before));
    if (unit) words.push(unit);
    before = true;
  }
  return words;
}

function read(n: number, full: boolean): string[] {
  if (n < 1_000_000_000) return readBelowBillion(n, full);
  const billions = Math.floor(n / 1_000_000_000);
  const rest = n % 1_000_000_000;
  return [...read(billions, full), 'tỷ', ...(rest > 0 ? readBelowBillion(rest, true) : [])];
}

/**
 * The amount in Vietnamese words, as `TgTTTBChu` wants it: 1 250 000 → "Một triệu hai trăm năm
 * mươi nghìn đồng". "linh" for a zero tens digit, "mười" for ten, "mốt" and "lăm" after a tens
 * digit, "tỷ" repeated above a thousand billion ("một nghìn tỷ").
 */
export function amountInWords(vnd: number): string {
  if (!Number.isSafeInteger(vnd) || vnd < 0) throw new RangeError(`not a whole number of đồng: ${vnd}`);
  const words = vnd === 0 ? ['không'] : read(vnd, false);
  const text = `${words.join(' ')} đồng`;
  return text.charAt(0).toUpperCase() + text.slice(1);
}

// ---------------------------------------------------------------------------------------------
// XML

export function escapeXml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

type Node = [name: string, value: string | number | Node[] | undefined];

function render(nodes: Node[], depth: number): string {
  const pad = '  '.repeat(depth);
  return nodes
    .filter(([, v]) => v !== undefined && v !== '')
    .map(([name, v]) =>
      Array.isArray(v)
        ? v.length === 0
          ? `${pad}<${name}/>`
          : `${pad}<${name}>\n${render(v, depth + 1)}\n${pad}</${name}>`
        : `${pad}<${name}>${escapeXml(String(v))}</${name}>`,
    )
    .join('\n');
}

const UNITS: Record<FeeItem['period'], string> = {
  month: 'Tháng',
  semester: 'Học kỳ',
  year: 'Năm',
  once: 'Lần',
};

/** THDon: the document's name. */
function documentName(invoice: Invoice): string {
  if (invoice.kind === 'e_receipt') return 'Biên lai thu tiền';
  return invoice.template === '1' ? 'Hóa đơn giá trị gia tăng' : 'Hóa đơn bán hàng';
}

function lines(invoice: Invoice, receivable: Receivable, options: EInvoiceOptions): Node[][] {
  if (invoice.total < receivable.total)
    return [
      [
        ['TChat', 1],
        ['STT', 1],
        ['THHDVu', `Thu một phần phiếu báo thu ${receivable.receivableNo}`],
        ['DVTinh', 'Lần'],
        ['SLuong', 1],
        ['DGia', invoice.total],
        ['ThTien', invoice.total],
        ['TSuat', 'KCT'],
      ],
    ];
  const fees = new Map((options.feeItems ?? []).map((f) => [f.feeCode, f]));
  return receivable.items.map((item, i) => {
    const fee = fees.get(item.feeCode);
    const perUnit = fee && fee.amount > 0 && item.amount % fee.amount === 0 ? fee.amount : undefined;
    return [
      ['TChat', 1],
      ['STT', i + 1],
      ['MHHDVu', item.feeCode],
      ['THHDVu', fee?.name ?? item.feeCode],
      ['DVTinh', perUnit !== undefined && fee ? UNITS[fee.period] : 'Khoản'],
      ['SLuong', perUnit !== undefined ? item.amount / perUnit : 1],
      ['DGia', perUnit ?? item.amount],
      ['ThTien', item.amount],
      ['TSuat', 'KCT'],
    ];
  });
}

function check(invoice: Invoice, receivable: Receivable, seller: EInvoiceSeller, buyer: EInvoiceBuyer) {
  const refuse = (field: string, vi: string, en: string) => {
    throw unmappable(field, vi, en);
  };
  if (!seller.name?.trim()) refuse('seller.name', 'Thiếu tên người bán', 'The seller has no name');
  if (!/^\d{10}(-\d{3})?$/.test(seller.taxCode ?? ''))
    refuse(
      'seller.taxCode',
      'MST người bán phải có 10 chữ số (hoặc 10-3)',
      'The seller tax code must be 10 digits (or 10-3)',
    );
  if (!seller.address?.trim())
    refuse('seller.address', 'Thiếu địa chỉ người bán', 'The seller has no address');
  if (!buyer.name?.trim()) refuse('buyer.name', 'Thiếu tên người mua', 'The buyer has no name');
  if (buyer.taxCode !== undefined && !/^\d{10}(-\d{3})?$/.test(buyer.taxCode))
    refuse(
      'buyer.taxCode',
      'MST người mua phải có 10 chữ số (hoặc 10-3)',
      'The buyer tax code must be 10 digits (or 10-3)',
    );
  if (invoice.kind === 'e_invoice') {
    if (!/^[1-9]$/.test(invoice.template))
      refuse('invoice.template', 'KHMSHDon của hóa đơn là 1 chữ số', 'An invoice form symbol is one digit');
    if (!/^[CK]\d{2}[A-Z]{3}$/.test(invoice.series))
      refuse(
        'invoice.series',
        'KHHDon gồm C/K, 2 số năm và 3 chữ cái (C26TAA)',
        'An invoice series is C/K, a 2-digit year and 3 letters (C26TAA)',
      );
    if (!/^\d{1,8}$/.test(invoice.number))
      refuse('invoice.number', 'Số hóa đơn tối đa 8 chữ số', 'An invoice number has at most 8 digits');
  }
  if (invoice.receivableNo !== undefined && invoice.receivableNo !== receivable.receivableNo)
    refuse(
      'invoice.receivableNo',
      `Hóa đơn thuộc phiếu ${invoice.receivableNo}, không phải ${receivable.receivableNo}`,
      `The invoice is for notice ${invoice.receivableNo}, not ${receivable.receivableNo}`,
    );
  if (invoice.studentCode !== receivable.studentCode)
    refuse(
      'invoice.studentCode',
      'Hóa đơn và phiếu báo thu khác học sinh',
      'Invoice and notice name different students',
    );
  const sum = receivable.items.reduce((a, i) => a + i.amount, 0);
  if (sum !== receivable.total)
    refuse(
      'receivable.total',
      `Tổng tiền ${receivable.total} khác tổng các khoản (${sum})`,
      `The total ${receivable.total} is not the sum of the items (${sum})`,
    );
  if (invoice.total <= 0 || invoice.total > receivable.total)
    refuse(
      'invoice.total',
      `Số tiền hóa đơn ${invoice.total} phải từ 1 đến ${receivable.total}`,
      `The invoice total ${invoice.total} must be 1 to ${receivable.total}`,
    );
}

/** XML ID (NCName) of DLHDon, the node the signature will reference. */
export const dlHDonId = (invoice: Invoice): string =>
  `DLHDon-${invoice.series}-${invoice.number}`.replace(/[^A-Za-z0-9_.-]/g, '_');

/**
 * The HDon XML of an invoice or receipt issued for (part of) a notice. Throws a RecordError
 * naming the field (`seller.taxCode`, `invoice.total` …) when it cannot be made.
 */
export function buildEInvoiceXml(
  invoice: Invoice,
  receivable: Receivable,
  seller: EInvoiceSeller,
  buyer: EInvoiceBuyer,
  options: EInvoiceOptions = {},
): string {
  check(invoice, receivable, seller, buyer);
  const items = lines(invoice, receivable, options);
  const total = invoice.total;
  const tree: Node[] = [
    [
      'TTChung',
      [
        ['PBan', EINVOICE_VERSION],
        ['THDon', documentName(invoice)],
        ['KHMSHDon', invoice.template],
        ['KHHDon', invoice.series],
        ['SHDon', invoice.number],
        ['NLap', invoice.issuedAt],
        ['DVTTe', 'VND'],
        ['TGia', 1],
        ['HTTToan', options.paymentMethod ?? 'TM/CK'],
      ],
    ],
    [
      'NDHDon',
      [
        [
          'NBan',
          [
            ['Ten', seller.name],
            ['MST', seller.taxCode],
            ['DChi', seller.address],
            ['SDThoai', seller.phone],
            ['DCTDTu', seller.email],
            ['STKNHang', seller.bankAccount],
            ['TNHang', seller.bankName],
          ],
        ],
        [
          'NMua',
          [
            ['Ten', buyer.name],
            ['MST', buyer.taxCode],
            ['DChi', buyer.address],
            ['MKHang', buyer.customerCode ?? receivable.studentCode],
            ['HVTNMHang', buyer.contactName],
          ],
        ],
        ['DSHHDVu', items.map((line): Node => ['HHDVu', line])],
        [
          'TToan',
          [
            [
              'THTTLTSuat',
              [
                [
                  'LTSuat',
                  [
                    ['TSuat', 'KCT'],
                    ['ThTien', total],
                    ['TThue', 0],
                  ],
                ],
              ],
            ],
            ['TgTCThue', total],
            ['TgTThue', 0],
            ['TgTTTBSo', total],
            ['TgTTTBChu', amountInWords(total)],
          ],
        ],
      ],
    ],
  ];
  const body = render(tree, 2);
  const id = escapeXml(dlHDonId(invoice));
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<HDon>',
    `  <DLHDon Id="${id}">`,
    body,
    '  </DLHDon>',
    '  <DSCKS>',
    '    <NBan/>',
    '  </DSCKS>',
    '</HDon>',
    '',
  ].join('\n');
}
