import type { Command } from 'commander';
import { RULES } from '../../model/index.ts';
import { printJson, printLine } from '../io.ts';

export function registerRulesCommand(program: Command): void {
  program
    .command('rules')
    .description('Danh mục mã quy tắc kiểm tra dữ liệu / The catalogue of data rule codes')
    .option('--json', 'in dạng JSON / print JSON')
    .action((opts: { json?: boolean }) => {
      if (opts.json) {
        printJson(Object.entries(RULES).map(([code, r]) => ({ code, ...r })));
        return;
      }
      for (const [code, r] of Object.entries(RULES)) {
        printLine(
          `${code.padEnd(36)} ${r.severity === 'error' ? 'lỗi/error      ' : 'cảnh báo/warning'}  ${r.vi} / ${r.en}`,
        );
      }
    });
}
