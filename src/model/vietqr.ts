/**
 * VietQR: the EMVCo merchant-presented QR payload that Vietnamese banking apps scan to start a NAPAS 247
 * transfer (domain README §5.3). Pure: builds and reads the payload string; drawing the QR image is
 * someone else's job.
 *
 * Layout, as `ID(2) LEN(2) VALUE` fields:
 *   00 = "01" · 01 = "11" static / "12" dynamic (with amount)
 *   38 = NAPAS template { 00 = A000000727, 01 = { 00 = bank BIN, 01 = account/card }, 02 = service }
 *   53 = "704" (VND) · 54 = amount · 58 = "VN" · 62 = { 01 = bill number, 08 = purpose }
 *   63 = CRC-16/CCITT-FALSE over everything before it, including the literal "6304".
 */

export type VietQrService = 'QRIBFTTA' | 'QRIBFTTC';

export const VIETQR_SERVICES: readonly VietQrService[] = ['QRIBFTTA', 'QRIBFTTC'];

/** The NAPAS GUID in tag 38/00. */
export const NAPAS_GUID = 'A000000727';

/** Bank apps cut the purpose (62/08) and bill number (62/01) beyond this. */
export const VIETQR_TEXT_MAX = 25;

export type VietQrErrorCode =
  | 'VIETQR_BANK_BIN'
  | 'VIETQR_ACCOUNT'
  | 'VIETQR_AMOUNT'
  | 'VIETQR_PURPOSE'
  | 'VIETQR_BILL'
  | 'VIETQR_SERVICE'
  | 'VIETQR_LENGTH'
  | 'VIETQR_CRC'
  | 'VIETQR_FORMAT';

/** A VietQR input that cannot be encoded, or a payload that cannot be read. */
export class VietQrError extends Error {
  readonly code: VietQrErrorCode;
  readonly vi: string;
  readonly en: string;
  constructor(code: VietQrErrorCode, vi: string, en: string) {
    super(`${vi} / ${en}`);
    this.code = code;
    this.vi = vi;
    this.en = en;
    this.name = 'VietQrError';
  }
}

export interface VietQrInput {
  bankBin: string;
  account: string;
  /** Whole VND. Given → a dynamic (one-time) QR; absent → static. */
  amount?: number;
  /** Transfer description (62/08). Vietnamese is folded to ASCII; at most 25 characters after that. */
  purpose?: string;
  service?: VietQrService;
  /** Bill number (62/01), printable ASCII, at most 25 characters. */
  billNumber?: string;
}

export interface VietQrData {
  bankBin: string;
  account: string;
  service: string;
  amount?: number;
  purpose?: string;
  billNumber?: string;
  dynamic: boolean;
}

export interface EmvTlv {
  id: string;
  value: string;
}

/** CRC-16/CCITT-FALSE (poly 0x1021, init 0xFFFF, no reflection, no final xor) of the UTF-8 bytes. */
export function crc16CcittFalse(text: string): string {
  let crc = 0xffff;
  for (const byte of new TextEncoder().encode(text)) {
    crc ^= byte << 8;
    for (let bit = 0; bit < 8; bit++) {
      crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
    }
  }
  return crc.toString(16).toUpperCase().padStart(4, '0');
}

/** Folds Vietnamese to ASCII: drops tone and vowel marks (after NFD), Đ → D, đ → d. */
export function foldVietnamese(text: string): string {
  return text.normalize('NFD').replace(/\p{M}/gu, '').replace(/Đ/g, 'D').replace(/đ/g, 'd').normalize('NFC');
}

const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;

function tlv(id: string, value: string): string {
  if (value.length > 99) {
    throw new VietQrError(
      'VIETQR_LENGTH',
      `Trường ${id} dài ${value.length} ký tự, tối đa 99`,
      `Field ${id} is ${value.length} characters long, at most 99 are allowed`,
    );
  }
  return `${id}${String(value.length).padStart(2, '0')}${value}`;
}

function checkBankBin(bankBin: unknown): string {
  if (typeof bankBin !== 'string' || !/^\d{6}$/.test(bankBin)) {
    throw new VietQrError(
      'VIETQR_BANK_BIN',
      `Mã ngân hàng (BIN) phải có đúng 6 chữ số (nhận được "${String(bankBin)}")`,
      `The bank BIN must be exactly 6 digits (got "${String(bankBin)}")`,
    );
  }
  return bankBin;
}

function checkAccount(account: unknown): string {
  // The account number is not echoed: error messages end up in logs.
  if (typeof account !== 'string' || !/^[0-9A-Za-z]{1,19}$/.test(account)) {
    const got = typeof account === 'string' ? `${account.length} ký tự` : 'không phải chuỗi';
    const gotEn = typeof account === 'string' ? `${account.length} characters` : 'not a string';
    throw new VietQrError(
      'VIETQR_ACCOUNT',
      `Số tài khoản/số thẻ phải có 1–19 ký tự chữ số hoặc chữ cái không dấu (nhận được ${got})`,
      `The account or card number must be 1–19 characters of 0-9, A-Z, a-z (got ${gotEn})`,
    );
  }
  return account;
}

function checkAmount(amount: unknown): number {
  if (
    typeof amount !== 'number' ||
    !Number.isSafeInteger(amount) ||
    amount <= 0 ||
    String(amount).length > 13
  ) {
    throw new VietQrError(
      'VIETQR_AMOUNT',
      `Số tiền phải là số nguyên dương VND, tối đa 13 chữ số (nhận được ${String(amount)})`,
      `The amount must be a positive whole number of VND, at most 13 digits (got ${String(amount)})`,
    );
  }
  return amount;
}

function checkService(service: unknown): VietQrService {
  if (!VIETQR_SERVICES.includes(service as VietQrService)) {
    throw new VietQrError(
      'VIETQR_SERVICE',
      `Mã dịch vụ phải là QRIBFTTA (tới tài khoản) hoặc QRIBFTTC (tới thẻ) (nhận được "${String(service)}")`,
      `The service must be QRIBFTTA (to an account) or QRIBFTTC (to a card) (got "${String(service)}")`,
    );
  }
  return service as VietQrService;
}

function checkPurpose(purpose: unknown): string {
  if (typeof purpose !== 'string') {
    throw new VietQrError(
      'VIETQR_PURPOSE',
      'Nội dung chuyển khoản phải là chuỗi ký tự',
      'The transfer purpose must be a string',
    );
  }
  const folded = foldVietnamese(purpose);
  if (!PRINTABLE_ASCII.test(folded)) {
    throw new VietQrError(
      'VIETQR_PURPOSE',
      'Nội dung chuyển khoản có ký tự không in được hoặc không đổi được sang ASCII',
      'The transfer purpose has characters that are not printable or have no ASCII form',
    );
  }
  if (folded.length === 0 || folded.length > VIETQR_TEXT_MAX) {
    throw new VietQrError(
      'VIETQR_PURPOSE',
      `Nội dung chuyển khoản phải có 1–${VIETQR_TEXT_MAX} ký tự (nhận được ${folded.length}); ứng dụng ngân hàng cắt phần dài hơn`,
      `The transfer purpose must be 1–${VIETQR_TEXT_MAX} characters (got ${folded.length}); banking apps cut longer ones`,
    );
  }
  return folded;
}

function checkBillNumber(billNumber: unknown): string {
  if (
    typeof billNumber !== 'string' ||
    billNumber.length === 0 ||
    billNumber.length > VIETQR_TEXT_MAX ||
    !PRINTABLE_ASCII.test(billNumber)
  ) {
    throw new VietQrError(
      'VIETQR_BILL',
      `Số hóa đơn phải có 1–${VIETQR_TEXT_MAX} ký tự ASCII in được`,
      `The bill number must be 1–${VIETQR_TEXT_MAX} printable ASCII characters`,
    );
  }
  return billNumber;
}

/** Builds the VietQR payload string, CRC included. Throws VietQrError for an input it cannot encode. */
export function buildVietQr(input: VietQrInput): string {
  const bankBin = checkBankBin(input.bankBin);
  const account = checkAccount(input.account);
  const service = checkService(input.service ?? 'QRIBFTTA');
  const amount = input.amount === undefined ? undefined : checkAmount(input.amount);
  const purpose = input.purpose === undefined ? undefined : checkPurpose(input.purpose);
  const billNumber = input.billNumber === undefined ? undefined : checkBillNumber(input.billNumber);

  const beneficiary = tlv('00', bankBin) + tlv('01', account);
  const napas = tlv('00', NAPAS_GUID) + tlv('01', beneficiary) + tlv('02', service);
  const additional =
    (billNumber === undefined ? '' : tlv('01', billNumber)) +
    (purpose === undefined ? '' : tlv('08', purpose));
  const body =
    tlv('00', '01') +
    tlv('01', amount === undefined ? '11' : '12') +
    tlv('38', napas) +
    tlv('53', '704') +
    (amount === undefined ? '' : tlv('54', String(amount))) +
    tlv('58', 'VN') +
    (additional === '' ? '' : tlv('62', additional)) +
    '6304';
  return body + crc16CcittFalse(body);
}

function formatError(vi: string, en: string): VietQrError {
  return new VietQrError(
    'VIETQR_FORMAT',
    `Chuỗi VietQR sai cấu trúc: ${vi}`,
    `Malformed VietQR payload: ${en}`,
  );
}

/** Splits EMVCo `ID(2) LEN(2) VALUE` text into its fields, in order. Throws VIETQR_FORMAT if broken. */
export function parseEmvTlv(text: string): EmvTlv[] {
  const fields: EmvTlv[] = [];
  let at = 0;
  while (at < text.length) {
    const head = text.slice(at, at + 4);
    if (!/^\d{4}$/.test(head)) {
      throw formatError(
        `vị trí ${at} không bắt đầu bằng mã trường và độ dài 2+2 chữ số`,
        `no 2-digit id and 2-digit length at position ${at}`,
      );
    }
    const id = head.slice(0, 2);
    const length = Number(head.slice(2));
    const value = text.slice(at + 4, at + 4 + length);
    if (value.length !== length) {
      throw formatError(
        `trường ${id} khai báo ${length} ký tự nhưng chỉ còn ${value.length}`,
        `field ${id} declares ${length} characters but only ${value.length} remain`,
      );
    }
    fields.push({ id, value });
    at += 4 + length;
  }
  return fields;
}

function fieldMap(fields: readonly EmvTlv[], where: string, whereEn: string): Map<string, string> {
  const map = new Map<string, string>();
  for (const { id, value } of fields) {
    if (map.has(id))
      throw formatError(`trường ${id} lặp lại trong ${where}`, `field ${id} repeats in ${whereEn}`);
    map.set(id, value);
  }
  return map;
}

function required(map: Map<string, string>, id: string, where: string, whereEn: string): string {
  const value = map.get(id);
  if (value === undefined)
    throw formatError(`thiếu trường ${id} trong ${where}`, `field ${id} missing in ${whereEn}`);
  return value;
}

/** Reads a VietQR payload back. Throws VietQrError: VIETQR_CRC on a bad checksum, VIETQR_FORMAT otherwise. */
export function parseVietQr(payload: string): VietQrData {
  if (!/6304[0-9A-Fa-f]{4}$/.test(payload)) {
    throw formatError(
      'không kết thúc bằng trường CRC 6304XXXX',
      'it does not end with the CRC field 6304XXXX',
    );
  }
  const expected = crc16CcittFalse(payload.slice(0, -4));
  const found = payload.slice(-4).toUpperCase();
  if (expected !== found) {
    throw new VietQrError(
      'VIETQR_CRC',
      `Mã kiểm tra CRC sai (có ${found}, tính được ${expected}): chuỗi bị hỏng hoặc bị sửa`,
      `Bad CRC (found ${found}, computed ${expected}): the payload is damaged or was altered`,
    );
  }
  const fields = parseEmvTlv(payload);
  if (fields.at(-1)?.id !== '63') {
    throw formatError('trường CRC 63 không phải trường cuối', 'the CRC field 63 is not the last field');
  }
  const top = fieldMap(fields, 'chuỗi', 'the payload');
  if (fields[0]?.id !== '00' || top.get('00') !== '01') {
    throw formatError('trường đầu tiên phải là 00 = 01', 'the first field must be 00 = 01');
  }
  const method = required(top, '01', 'chuỗi', 'the payload');
  if (method !== '11' && method !== '12') {
    throw formatError(
      `trường 01 phải là 11 hoặc 12 (có "${method}")`,
      `field 01 must be 11 or 12 (got "${method}")`,
    );
  }
  if (required(top, '53', 'chuỗi', 'the payload') !== '704') {
    throw formatError('tiền tệ (53) không phải VND 704', 'the currency (53) is not VND 704');
  }

  const napas = fieldMap(parseEmvTlv(required(top, '38', 'chuỗi', 'the payload')), 'trường 38', 'field 38');
  if (required(napas, '00', 'trường 38', 'field 38') !== NAPAS_GUID) {
    throw formatError(
      `trường 38/00 không phải ${NAPAS_GUID} (NAPAS)`,
      `field 38/00 is not ${NAPAS_GUID} (NAPAS)`,
    );
  }
  const beneficiary = fieldMap(
    parseEmvTlv(required(napas, '01', 'trường 38', 'field 38')),
    'trường 38/01',
    'field 38/01',
  );
  const data: VietQrData = {
    bankBin: required(beneficiary, '00', 'trường 38/01', 'field 38/01'),
    account: required(beneficiary, '01', 'trường 38/01', 'field 38/01'),
    service: required(napas, '02', 'trường 38', 'field 38'),
    dynamic: method === '12',
  };

  const amount = top.get('54');
  if (amount !== undefined) {
    if (!/^\d{1,13}$/.test(amount) || Number(amount) <= 0) {
      throw formatError(
        `số tiền (54) không phải số nguyên VND dương (có "${amount}")`,
        `the amount (54) is not a positive whole number of VND (got "${amount}")`,
      );
    }
    data.amount = Number(amount);
  }
  const additional = top.get('62');
  if (additional !== undefined) {
    const extra = fieldMap(parseEmvTlv(additional), 'trường 62', 'field 62');
    const billNumber = extra.get('01');
    const purpose = extra.get('08');
    if (billNumber !== undefined) data.billNumber = billNumber;
    if (purpose !== undefined) data.purpose = purpose;
  }
  return data;
}
