import type { Command } from 'commander';
import {
  type CardData,
  CardPayloadError,
  compareNames,
  type NameComparison,
  parseCccdQr,
} from '../../identity/index.ts';
import { EXIT, printJson, printLine, readStdin } from '../io.ts';
import { parseIsoDateOption } from './id.ts';

interface JsonOption {
  json?: boolean;
}

interface ParseQrOptions extends JsonOption {
  asOf?: string;
}

const NAME_RESULT_LINE: Record<NameComparison, string> = {
  exact: '✓ Trùng khớp / Exact match',
  diacritics_only:
    '≈ Chỉ khác dấu tiếng Việt, vẫn là không khớp / Differ in diacritics only, still a mismatch',
  different: '✗ Khác nhau / Different',
};

/** The card as the command prints it: `extra` only when the card has more than 7 fields. */
function cardOutput(card: CardData): Record<string, unknown> {
  const { extra, ...fields } = card;
  return extra.length > 0 ? { ...fields, extra } : fields;
}

function printCard(card: CardData): void {
  printLine(`Số định danh cá nhân / Personal ID: ${card.personalId}`);
  printLine(`Số CMND cũ / Legacy ID (CMND): ${card.legacyId ?? 'không có / none'}`);
  printLine(`Họ và tên / Full name: ${card.fullName}`);
  printLine(`Ngày sinh / Birth date: ${card.birthDate}`);
  printLine(`Giới tính / Gender: ${card.gender === 'male' ? 'nam / male' : 'nữ / female'}`);
  printLine(`Nơi cư trú / Residence: ${card.address}`);
  printLine(`Ngày cấp / Issue date: ${card.issueDate}`);
  if (card.extra.length > 0) printLine(`Trường thêm / Extra fields: ${card.extra.join(' | ')}`);
}

/** One line on stderr: the code, where, and the bilingual message (which never quotes the card). */
function printCardError(err: CardPayloadError): void {
  const where = err.field
    ? ` (${err.field}${err.position !== null ? `, trường / field ${err.position}` : ''})`
    : '';
  process.stderr.write(`Lỗi / Error: ${err.code}${where}: ${err.message}\n`);
}

/**
 * `edubridge identity compare-name` and `edubridge identity parse-qr`, added to the `identity`
 * command the caller created. Both exit 0 when the answer is good (names exact, QR valid) and 1
 * when it is not (names differ, QR unreadable), as `id check` does.
 */
export function registerIdentityParseCommands(identity: Command, setExitCode: (code: number) => void): void {
  identity
    .command('compare-name')
    .description(
      'So sánh hai cách viết một họ tên (dạng Unicode, hoa/thường, khoảng trắng, vị trí dấu thanh) / Compare two spellings of a name (Unicode form, case, spaces, tone-mark placement)',
    )
    .argument('<a>', 'họ tên thứ nhất / the first name')
    .argument('<b>', 'họ tên thứ hai / the second name')
    .option('--json', 'in kết quả dạng JSON / print JSON')
    .action((a: string, b: string, opts: JsonOption) => {
      const result = compareNames(a, b);
      setExitCode(result === 'exact' ? EXIT.ok : EXIT.invalid);
      if (opts.json) printJson({ result });
      else printLine(NAME_RESULT_LINE[result]);
    });

  identity
    .command('parse-qr')
    .description(
      'Đọc và kiểm tra chuỗi mã QR trên thẻ căn cước / Read and check the QR text of an ID card (CCCD / Căn cước)',
    )
    .argument('<text>', 'chuỗi trong mã QR, hoặc - để đọc từ stdin / the QR text, or - to read it from stdin')
    .option('--as-of <YYYY-MM-DD>', 'ngày tham chiếu thay cho hôm nay / reference date instead of today')
    .option('--json', 'in kết quả dạng JSON / print JSON')
    .action(async (text: string, opts: ParseQrOptions) => {
      const asOf = parseIsoDateOption(opts.asOf, '--as-of');
      const raw = text === '-' ? await readStdin() : text;
      let card: CardData;
      try {
        card = parseCccdQr(raw, asOf ? { asOf: new Date(`${asOf}T00:00:00Z`) } : {});
      } catch (err) {
        if (!(err instanceof CardPayloadError)) throw err;
        printCardError(err);
        setExitCode(EXIT.invalid);
        return;
      }
      setExitCode(EXIT.ok);
      if (opts.json) printJson(cardOutput(card));
      else printCard(card);
    });
}
