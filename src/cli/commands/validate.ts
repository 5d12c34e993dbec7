import type { Command } from 'commander';
import { EXIT, integerOption, printJson, printLine } from '../io.ts';
import { createProgressBar } from '../progress.ts';
import { parseIsoDateOption } from './id.ts';

interface ValidateOptions {
  json?: boolean;
  asOf?: string;
  maxProblems: string;
  xlsx?: string;
}

export function registerValidateCommand(program: Command, setExitCode: (code: number) => void): void {
  program
    .command('validate')
    .description(
      'Kiểm tra dữ liệu chuẩn (JSONL) và in báo cáo chất lượng / Validate canonical JSONL and print a data-quality report',
    )
    .argument('<dir-or-file>', 'tệp .jsonl hoặc thư mục chứa chúng / a .jsonl file or a directory of them')
    .option('--json', 'in báo cáo dạng JSON / print the report as JSON')
    .option('--as-of <YYYY-MM-DD>', 'ngày tham chiếu cho tuổi và ngày tương lai / reference date for ages')
    .option('--max-problems <n>', 'số vấn đề tối đa liệt kê / most problems listed', '1000')
    .option('--xlsx <file>', 'ghi thêm báo cáo ra tệp Excel / also write the report as an Excel file')
    .action(async (path: string, opts: ValidateOptions) => {
      const asOf = parseIsoDateOption(opts.asOf, '--as-of');
      const maxProblems = integerOption(opts.maxProblems, '--max-problems', 0, 1_000_000);
      // The rules' settings, as the sync reads them: a file that validates here is one the sync takes.
      const { loadSettings, ruleSettingsSchema } = await import('../../config/index.ts');
      const { TEXT_LIMITS } = loadSettings(ruleSettingsSchema);
      const { validatePath } = await import('../../quality/validate-files.ts');
      const { renderReportText } = await import('../../quality/render.ts');
      const bar = createProgressBar('Đang kiểm tra / Validating');
      const report = await validatePath(path, {
        maxProblems,
        ...(asOf ? { asOf: new Date(`${asOf}T00:00:00Z`) } : {}),
        ...(TEXT_LIMITS ? { textLimits: TEXT_LIMITS } : {}),
        onProgress: ({ bytes, totalBytes, records }) =>
          bar.update(bytes, totalBytes, `${records.toLocaleString('en-US')} bản ghi/records`),
      });
      bar.done();
      setExitCode(report.totals.errors > 0 ? EXIT.invalid : EXIT.ok);
      if (opts.xlsx) {
        const { writeReportXlsx } = await import('../../quality/report-xlsx.ts');
        await writeReportXlsx(report, opts.xlsx);
      }
      if (opts.json) printJson(report);
      else printLine(renderReportText(report));
      if (opts.xlsx && !opts.json) printLine(`Báo cáo Excel / Excel report: ${opts.xlsx}`);
    });
}
