import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { EXIT, printJson, printLine } from '../io.ts';
import { parseIsoDateOption } from './id.ts';

/** This hub's own folder (where its package.json is), wherever the command is run from. */
const HUB_ROOT = fileURLToPath(new URL('../../..', import.meta.url));

/** Formats the new files with the hub's Biome when it is installed (a checkout, not a deployment). */
function formatIfPossible(dir: string): void {
  const biome = join(HUB_ROOT, 'node_modules', '@biomejs', 'biome', 'bin', 'biome');
  if (!existsSync(biome)) return;
  spawnSync(process.execPath, [biome, 'format', '--write', dir], { stdio: 'ignore' });
}

export function registerAdapterCommands(program: Command, setExitCode: (code: number) => void): void {
  const adapter = program
    .command('adapter')
    .description('Bộ công cụ cho nhà cung cấp phần mềm / Tools for vendors writing adapters');

  adapter
    .command('test')
    .description('Chạy bộ kiểm tra tuân thủ với một adapter / Run the conformance kit against an adapter')
    .argument('<path>', 'thư mục hoặc tệp của adapter / the adapter folder or module')
    .requiredOption(
      '--config <file>',
      'bộ kiểm tra: JSON, hoặc module trả về { suite, close } / the suite: JSON, or a module',
    )
    .option('--json', 'in báo cáo dạng JSON / print the report as JSON')
    .option('--as-of <YYYY-MM-DD>', 'ngày tham chiếu cho các quy tắc / reference date for the rules')
    .action(async (path: string, opts: { config: string; json?: boolean; asOf?: string }) => {
      const asOf = parseIsoDateOption(opts.asOf, '--as-of');
      const { loadAdapter, loadSuite, renderConformanceReport, runConformance } = await import(
        '../../sdk/conformance/index.ts'
      );
      const loaded = await loadAdapter(path);
      const { suite, close } = await loadSuite(opts.config);
      try {
        const report = await runConformance(loaded, suite, {
          ...(asOf ? { asOf: new Date(`${asOf}T00:00:00Z`) } : {}),
          onCheck: opts.json
            ? undefined
            : (c) =>
                process.stderr.write(
                  `${c.status === 'passed' ? '✓' : c.status === 'failed' ? '✗' : '–'} ${c.id}\n`,
                ),
        });
        setExitCode(report.failed > 0 ? EXIT.invalid : EXIT.ok);
        if (opts.json) printJson(report);
        else printLine(renderConformanceReport(report));
      } finally {
        await close();
      }
    });

  adapter
    .command('new')
    .description('Tạo khung adapter mới chạy được ngay / Scaffold a working adapter')
    .argument('<id>', 'mã adapter, chữ thường / adapter id, lower case')
    .option(
      '--dir <folder>',
      'thư mục ghi ra (mặc định adapters/<id>) / where to write (default adapters/<id>)',
    )
    .action(async (id: string, opts: { dir?: string }) => {
      const { scaffoldAdapter } = await import('../../sdk/scaffold.ts');
      const result = await scaffoldAdapter({
        id,
        dir: opts.dir ?? `adapters/${id}`,
        // The package links the hub the command runs from, not the folder it is run in.
        projectRoot: HUB_ROOT,
      });
      formatIfPossible(result.dir);
      printLine(`Đã tạo / Created ${result.dir}`);
      for (const f of result.files) printLine(`  ${f}`);
      printLine('Chạy thử / Try it:');
      printLine(`  cd ${opts.dir ?? `adapters/${id}`} && npm install --offline && npm test`);
    });
}
