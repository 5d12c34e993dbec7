import type { Command } from 'commander';
import { buildVietQr, VietQrError, type VietQrInput, type VietQrService } from '../../model/vietqr.ts';
import { printJson, printLine, UsageError } from '../io.ts';

interface VietQrOptions {
  bank: string;
  account: string;
  amount?: string;
  purpose?: string;
  service?: string;
  bill?: string;
  json?: boolean;
}

/** The flag a VietQR error is about, so the user knows which one to fix. */
const FLAG_OF: Partial<Record<VietQrError['code'], string>> = {
  VIETQR_BANK_BIN: '--bank',
  VIETQR_ACCOUNT: '--account',
  VIETQR_AMOUNT: '--amount',
  VIETQR_PURPOSE: '--purpose',
  VIETQR_SERVICE: '--service',
  VIETQR_BILL: '--bill',
};

function parseAmount(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value)) {
    throw new UsageError(
      'VIETQR_AMOUNT',
      `--amount phải là số tiền VND chỉ gồm chữ số, không dấu phân cách hay số mũ, ví dụ 10000 (nhận được "${value}")`,
      `--amount must be whole VND in digits only, without separators or exponents, e.g. 10000 (got "${value}")`,
    );
  }
  return Number(value);
}

export function registerVietQrCommand(program: Command): void {
  program
    .command('vietqr')
    .description('Tạo chuỗi VietQR (NAPAS 247) để chuyển khoản / Build a VietQR (NAPAS 247) transfer payload')
    .requiredOption('--bank <BIN>', 'mã BIN 6 chữ số của ngân hàng nhận / the 6-digit BIN of the bank')
    .requiredOption('--account <no>', 'số tài khoản hoặc số thẻ nhận / the account or card number')
    .option(
      '--amount <VND>',
      'số tiền VND, chỉ chữ số; có thì là mã động / whole VND, digits only; makes it dynamic',
    )
    .option(
      '--purpose <text>',
      'nội dung chuyển khoản, tối đa 25 ký tự / transfer purpose, at most 25 characters',
    )
    .option(
      '--service <QRIBFTTA|QRIBFTTC>',
      'tới tài khoản (mặc định) hoặc thẻ / to an account (default) or a card',
    )
    .option('--bill <no>', 'số hóa đơn / bill number')
    .option('--json', 'in kết quả dạng JSON / print JSON')
    .action((opts: VietQrOptions) => {
      const input: VietQrInput = {
        bankBin: opts.bank,
        account: opts.account,
        amount: parseAmount(opts.amount),
        purpose: opts.purpose,
        service: opts.service as VietQrService | undefined,
        billNumber: opts.bill,
      };
      let payload: string;
      try {
        payload = buildVietQr(input);
      } catch (err) {
        if (!(err instanceof VietQrError)) throw err;
        const flag = FLAG_OF[err.code];
        const prefix = flag ? `${flag}: ` : '';
        throw new UsageError(err.code, `${prefix}${err.vi}`, `${prefix}${err.en}`);
      }
      if (opts.json) {
        printJson({ payload });
        return;
      }
      printLine(payload);
      printLine(
        input.amount === undefined
          ? '(VietQR tĩnh, người chuyển tự nhập số tiền / static VietQR, the payer enters the amount)'
          : `(VietQR động, số tiền ${input.amount} VND / dynamic VietQR, amount ${input.amount} VND)`,
      );
    });
}
