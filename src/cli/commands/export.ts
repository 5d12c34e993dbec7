/**
 * `edubridge export --target city-edudb --template C1-HocSinh|CSDL_GiaoVien|KetQuaHocTap --school
 * <code> --in <canonical.jsonl> --out file.xlsx`: one school's canonical records written as the
 * MOET Excel template the city's upload takes. Records that could not be written are listed with
 * their key, field and reason; the file holds every other row.
 */
import { existsSync, statSync } from 'node:fs';
import { dirname, extname, resolve } from 'node:path';
import type { Command } from 'commander';
import {
  RESULT_PERIODS,
  type ResultPeriodLabel,
  TEMPLATE_IDS,
  type TemplateId,
} from '../../../mappings/city-edudb/v1/templates/index.ts';
import { badOption, printJson, printLine, UsageError, usageError } from '../io.ts';
import { createProgressBar } from '../progress.ts';

export const EXPORT_TARGETS = ['city-edudb'] as const;

interface ExportCliOptions {
  target?: string;
  template?: string;
  school?: string;
  in: string[];
  out?: string;
  schoolYear?: string;
  period?: string;
  json?: boolean;
}

const num = (n: number) => n.toLocaleString('en-US');
const MAX_LISTED = 50;

/** One of the allowed values, matched without regard to case (`c1-hocsinh` is `C1-HocSinh`). */
function oneOf<T extends string>(flag: string, value: string | undefined, allowed: readonly T[]): T {
  const match = allowed.find((a) => a.toLowerCase() === value?.trim().toLowerCase());
  const list = allowed.join(', ');
  if (match === undefined && value === undefined) {
    throw usageError('OPTION_MISSING', {
      option: { vi: `${flag} (một trong: ${list})`, en: `${flag} (one of: ${list})` },
    });
  }
  if (match === undefined) {
    throw badOption(
      flag,
      `phải là một trong: ${list} (nhận được "${value}")`,
      `must be one of: ${list} (got "${value}")`,
    );
  }
  return match;
}

function outPath(out: string | undefined): string {
  if (!out?.trim()) {
    throw usageError('OPTION_MISSING', {
      option: { vi: '--out <tệp.xlsx>: tệp Excel sẽ ghi', en: '--out <file.xlsx>: the Excel file to write' },
    });
  }
  if (extname(out).toLowerCase() !== '.xlsx') {
    throw badOption(
      '--out',
      `phải là tệp .xlsx (nhận được "${out}")`,
      `must be an .xlsx file (got "${out}")`,
    );
  }
  const dir = dirname(resolve(out));
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw usageError('OUT_DIR_NOT_FOUND', { dir: dirname(out), path: out });
  }
  if (existsSync(out) && statSync(out).isDirectory()) {
    throw badOption('--out', `là một thư mục ("${out}")`, `is a directory ("${out}")`);
  }
  return out;
}

/**
 * Registers `edubridge export`.
 *
 * @example
 * registerExportCommand(program);
 * // edubridge export --target city-edudb --template C1-HocSinh --school 79NB0001 --in out/district --out C1-HocSinh.xlsx
 */
export function registerExportCommand(program: Command): void {
  program
    .command('export')
    .description(
      'Xuất dữ liệu chuẩn của một trường ra mẫu Excel để tải lên hệ thống thành phố / Write one school’s canonical records as the Excel template the city’s upload takes',
    )
    .option('--target <target>', `hệ thống đích / target system: ${EXPORT_TARGETS.join('|')}`)
    .option('--template <id>', `mẫu / template: ${TEMPLATE_IDS.join('|')}`)
    .option('--school <code>', 'mã trường / the school code')
    .option(
      '--in <path>',
      'tệp .jsonl hoặc thư mục chứa chúng, có thể lặp lại / a .jsonl file or a directory of them, repeatable',
      (value: string, previous: string[]) => [...previous, value],
      [] as string[],
    )
    .option('--out <file.xlsx>', 'tệp Excel sẽ ghi / the Excel file to write')
    .option(
      '--school-year <yyyy-yyyy>',
      'năm học (mặc định: năm mới nhất) / school year (default: the latest)',
    )
    .option(
      '--period <period>',
      `KetQuaHocTap: kỳ / period: ${Object.keys(RESULT_PERIODS).join('|')} (mặc định / default CN)`,
    )
    .option('--json', 'in kết quả dạng JSON / print the result as JSON')
    .action(async (opts: ExportCliOptions) => {
      oneOf('--target', opts.target, EXPORT_TARGETS);
      const template = oneOf<TemplateId>('--template', opts.template, TEMPLATE_IDS);
      const schoolCode = opts.school?.trim() ?? '';
      if (schoolCode === '') {
        throw usageError('OPTION_MISSING', { option: { vi: '--school <mã trường>', en: '--school <code>' } });
      }
      if (opts.in.length === 0) {
        throw usageError('OPTION_MISSING', {
          option: {
            vi: '--in <tệp.jsonl hoặc thư mục>: dữ liệu chuẩn cần xuất',
            en: '--in <file.jsonl or directory>: the canonical records to export',
          },
        });
      }
      for (const path of opts.in) {
        if (!existsSync(path)) {
          throw usageError('FILE_NOT_FOUND', { path });
        }
      }
      const out = outPath(opts.out);
      if (opts.schoolYear !== undefined && !/^\d{4}-\d{4}$/.test(opts.schoolYear)) {
        throw badOption(
          '--school-year',
          `phải có dạng 2025-2026 (nhận được "${opts.schoolYear}")`,
          `must look like 2025-2026 (got "${opts.schoolYear}")`,
        );
      }
      if (opts.period !== undefined && template !== 'KetQuaHocTap') {
        throw badOption(
          '--period',
          'chỉ dùng với --template KetQuaHocTap',
          'applies to --template KetQuaHocTap only',
        );
      }
      const period =
        opts.period === undefined
          ? 'year'
          : RESULT_PERIODS[
              oneOf<ResultPeriodLabel>(
                '--period',
                opts.period,
                Object.keys(RESULT_PERIODS) as ResultPeriodLabel[],
              )
            ];

      const { ExportInputError, exportExcelTemplate, listJsonlFiles } = await import(
        '../../targets/excel-export.ts'
      );
      const bar = opts.json ? null : createProgressBar('Đang đọc / Reading');
      let result: Awaited<ReturnType<typeof exportExcelTemplate>>;
      try {
        const inputs = (await Promise.all(opts.in.map((p) => listJsonlFiles(p)))).flat();
        result = await exportExcelTemplate({
          template,
          schoolCode,
          inputs,
          out,
          period,
          ...(opts.schoolYear ? { schoolYear: opts.schoolYear } : {}),
          onProgress: ({ bytes, totalBytes }) => bar?.update(bytes, totalBytes),
        });
      } catch (error) {
        bar?.done();
        if (error instanceof ExportInputError) throw new UsageError(error.code, error.vi, error.en);
        throw error;
      }
      bar?.done();
      if (opts.json) {
        printJson({ template, school: schoolCode, rows: result.rows, skipped: result.skipped, out });
        return;
      }
      const n = result.skipped.length;
      const year = result.schoolYear;
      printLine(
        `Đã ghi ${num(result.rows)} dòng mẫu ${template} của trường ${schoolCode}${year ? ` năm học ${year}` : ''} vào ${out}${n > 0 ? `; ${num(n)} bản ghi không ghi được` : ''} / Wrote ${num(result.rows)} ${template} rows for school ${schoolCode}${year ? ` (${year})` : ''} to ${out}${n > 0 ? `; ${num(n)} records could not be written` : ''}`,
      );
      for (const s of result.skipped.slice(0, MAX_LISTED))
        printLine(`  ${s.key}  ${s.field || '-'} — ${s.reason}`);
      if (n > MAX_LISTED) {
        printLine(
          `  … và ${num(n - MAX_LISTED)} bản ghi khác (dùng --json để xem) / … and ${num(n - MAX_LISTED)} more (use --json to see them)`,
        );
      }
    });
}
