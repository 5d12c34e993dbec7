/**
 * The sandbox's commands: `edubridge sandbox gen` writes a synthetic district, and `edubridge demo`
 * (until the sync demo exists) generates one with known defects, validates it and shows that every
 * injected defect was caught.
 */
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { EXIT, integerOption, printLine, UsageError } from '../src/cli/io.ts';
import type { CliContext } from '../src/cli/program.ts';
import { createProgressBar } from '../src/cli/progress.ts';
import type { DataQualityReport } from '../src/quality/report.ts';
import { RECORD_STREAMS, type RecordStreamName } from './generator/streams.ts';
import { SERVE_PORT_ORDER } from './serve-ports.ts';

function rateOption(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0 || n > 1) {
    throw new UsageError(
      'OPTION_INVALID',
      `--defects phải là tỉ lệ từ 0 đến 1 (nhận được "${value}")`,
      `--defects must be a rate from 0 to 1 (got "${value}")`,
    );
  }
  return n;
}

function streamsOption(value: string | undefined): RecordStreamName[] | undefined {
  if (value === undefined) return undefined;
  const names = value.split(',').map((s) => s.trim());
  const unknown = names.filter((n) => !(RECORD_STREAMS as readonly string[]).includes(n));
  if (unknown.length > 0) {
    throw new UsageError(
      'OPTION_INVALID',
      `--streams không biết "${unknown.join(', ')}"; chọn trong: ${RECORD_STREAMS.join(', ')}`,
      `--streams does not know "${unknown.join(', ')}"; choose from: ${RECORD_STREAMS.join(', ')}`,
    );
  }
  return names as RecordStreamName[];
}

interface GenOptions {
  schools: string;
  seed: string;
  out: string;
  defects: string;
  schoolYear?: string;
  classesPerGrade?: string;
  classSize?: string;
  streams?: string;
  excel?: boolean;
  excelDefects?: string;
}

async function generate(opts: GenOptions) {
  const schools = integerOption(opts.schools, '--schools', 1, 100_000);
  const bar = createProgressBar('Đang tạo / Generating');
  // With --excel the district is also written as the spreadsheets its schools would hand over.
  const generateDistrict = opts.excel
    ? (await import('./generator/excel/index.ts')).writeDistrictExcel
    : (await import('./generator/index.ts')).generateDistrict;
  const summary = await generateDistrict({
    ...(opts.excel && opts.excelDefects ? { excelDefects: rateOption(opts.excelDefects) } : {}),
    outDir: opts.out,
    schools,
    seed: integerOption(opts.seed, '--seed', 0, 2 ** 31 - 1),
    defects: rateOption(opts.defects),
    ...(opts.schoolYear ? { schoolYear: opts.schoolYear } : {}),
    ...(opts.classesPerGrade
      ? { classesPerGrade: integerOption(opts.classesPerGrade, '--classes-per-grade', 1, 20) }
      : {}),
    ...(opts.classSize ? { classSize: integerOption(opts.classSize, '--class-size', 5, 60) } : {}),
    ...(opts.streams ? { streams: streamsOption(opts.streams)! } : {}),
    onProgress: (p) =>
      bar.update(p.school, p.schools, `${p.students.toLocaleString('en-US')} học sinh/students`),
  });
  bar.done();
  return summary;
}

interface InjectedDefect {
  file: string;
  line: number;
  code: string;
  field: string;
}

/** Which injected defects the report lists at their file and line with their rule code. */
export function matchDefects(report: DataQualityReport, defects: readonly InjectedDefect[]) {
  const found = new Set(report.problems.map((p) => `${p.file}:${p.line}:${p.code}`));
  const missed = defects.filter((d) => !found.has(`${d.file}:${d.line}:${d.code}`));
  return { injected: defects.length, caught: defects.length - missed.length, missed };
}

export function registerSandboxCommands(program: Command, ctx: CliContext): void {
  const sandbox = program
    .command('sandbox')
    .description('Dữ liệu và hệ thống giả lập / Simulated data and systems');
  sandbox
    .command('gen')
    .description('Tạo dữ liệu một quận/xã giả lập (JSONL) / Generate a synthetic district (JSONL)')
    .requiredOption('--out <dir>', 'thư mục ghi ra / output directory')
    .option('--schools <n>', 'số trường / number of schools', '3')
    .option('--seed <n>', 'hạt giống, cùng hạt giống cho cùng dữ liệu / seed: same seed, same data', '1')
    .option(
      '--defects <rate>',
      'tỉ lệ lỗi cài sẵn mỗi học sinh (0–1) / rate of injected defects per student',
      '0',
    )
    .option('--school-year <yyyy-yyyy>', 'năm học / school year')
    .option('--classes-per-grade <n>', 'số lớp mỗi khối / classes per grade')
    .option('--class-size <n>', 'sĩ số trung bình / average class size')
    .option('--streams <list>', `chỉ ghi các tệp / only these streams: ${RECORD_STREAMS.join(',')}`)
    .option(
      '--excel',
      "ghi thêm tệp Excel theo mẫu của trường (excel/) / also write the schools' spreadsheets (excel/)",
    )
    .option(
      '--excel-defects <rate>',
      'tỉ lệ lỗi cài sẵn trong ô Excel / rate of cell-level defects in the spreadsheets',
    )
    .action(async (opts: GenOptions) => {
      const summary = await generate(opts);
      printLine(`Đã ghi / Wrote ${resolve(opts.out)}`);
      for (const [file, count] of Object.entries(summary.files)) {
        printLine(`  ${file.padEnd(24)} ${String(count).padStart(10)}`);
      }
      if (summary.defects > 0)
        printLine(`  defects.json ${String(summary.defects).padStart(22)} lỗi cài sẵn / injected defects`);
    });

  sandbox
    .command('quality')
    .description(
      'Tạo một xã giả lập có lỗi cài sẵn, kiểm tra và in báo cáo chất lượng / Generate a district with known defects, validate it, print the data-quality report',
    )
    .option('--out <dir>', 'thư mục ghi ra / output directory', 'out/demo-district')
    .option('--schools <n>', 'số trường / number of schools', '3')
    .option('--seed <n>', 'hạt giống / seed', '2026')
    .option('--defects <rate>', 'tỉ lệ lỗi cài sẵn / defect rate', '0.02')
    .action(async (opts: GenOptions) => {
      printLine('EduBridge demo — bước 1/2: tạo dữ liệu giả lập / step 1/2: generate a synthetic district');
      const summary = await generate(opts);
      printLine(
        `  ${summary.schools} trường / schools, ${summary.students.toLocaleString('en-US')} học sinh / students, ${summary.defects} lỗi cài sẵn / injected defects → ${opts.out}`,
      );
      printLine('EduBridge demo — bước 2/2: kiểm tra dữ liệu / step 2/2: validate');
      const { validatePath } = await import('../src/quality/validate-files.ts');
      const { renderReportText } = await import('../src/quality/render.ts');
      const { writeReportXlsx } = await import('../src/quality/report-xlsx.ts');
      const bar = createProgressBar('Đang kiểm tra / Validating');
      const report = await validatePath(opts.out, {
        asOf: new Date(`${summary.checkAsOf}T00:00:00Z`),
        maxProblems: 1_000_000,
        onProgress: ({ bytes, totalBytes }) => bar.update(bytes, totalBytes),
      });
      bar.done();
      printLine(renderReportText(report, 15));
      const workbook = join(opts.out, 'data-quality-report.xlsx');
      await writeReportXlsx(report, workbook);
      printLine(`Báo cáo Excel / Excel report: ${workbook}`);
      const defects = JSON.parse(await readFile(join(opts.out, 'defects.json'), 'utf8')) as InjectedDefect[];
      const { injected, caught, missed } = matchDefects(report, defects);
      printLine('');
      printLine(`Lỗi cài sẵn được phát hiện / Injected defects caught: ${caught} / ${injected}`);
      for (const d of missed.slice(0, 10)) printLine(`  BỎ SÓT / MISSED ${d.file}:${d.line} ${d.code}`);
      ctx.exitCode = missed.length === 0 ? EXIT.ok : EXIT.invalid;
    });

  sandbox
    .command('serve')
    .description(
      'Chạy riêng các hệ thống giả lập của một xã giả lập, in địa chỉ và thông tin đăng nhập, ghi thiết lập cho hub / Serve the simulators of a generated district on their own, print their URLs and credentials, write the settings the hub needs',
    )
    .option('--schools <n>', 'số trường / number of schools', '3')
    .option('--seed <n>', 'hạt giống / seed', '2026')
    .option(
      '--port-base <n>',
      `cổng đầu tiên, các cổng liền nhau theo thứ tự / first port, the next ones in order: ${SERVE_PORT_ORDER.map(([, label]) => label).join(', ')}; 0 = cổng trống bất kỳ / any free ports`,
      '0',
    )
    .option(
      '--personality <name>',
      'kiểu cổng LGSP / LGSP gateway personality: wso2, vnpt-lgsp, xroad',
      'wso2',
    )
    .option('--host <address>', 'địa chỉ lắng nghe / address to listen on', '127.0.0.1')
    .option(
      '--hub-url <url>',
      'địa chỉ của hub (PUBLIC_URL, redirect URI ở VNeID) / where the hub will be (PUBLIC_URL, the redirect URI at VNeID)',
      'http://127.0.0.1:8080',
    )
    .option('--env-out <file>', 'ghi thiết lập của hub vào tệp này / write the hub’s settings to this file')
    // Node reads a `--env-file` anywhere in its arguments, the script's included, and stops when
    // the file is missing (nodejs/node#54232): the name works only once the file exists.
    .option(
      '--env-file <file>',
      'như --env-out, nhưng Node dừng nếu tệp chưa có / as --env-out, but Node stops when the file does not exist yet',
    )
    .option(
      '--sources-file <file>',
      'tệp nguồn dữ liệu các trường (mặc định: edubridge.sources.json cạnh tệp thiết lập) / the schools’ sources file (default: edubridge.sources.json beside the settings file)',
    )
    .action(async (opts: ServeCommandOptions) => {
      const { serveSandbox } = await import('./serve-command.ts');
      ctx.exitCode = await serveSandbox(opts);
    });
}

export interface ServeCommandOptions {
  schools: string;
  seed: string;
  portBase: string;
  personality: string;
  host: string;
  hubUrl: string;
  envOut?: string;
  envFile?: string;
  sourcesFile?: string;
}
