/**
 * `edubridge sources check [FILE]`: is the sources file right, and can the hub reach every school's
 * software with it? Validates the file against `schemas/sources.schema.json`, loads each school's
 * adapter (built-in, module or package), checks its SDK and config, and runs its `check()` against
 * the school's system, bounded in time. Prints one row per school; exits 1 when any school fails.
 */
import type { Command } from 'commander';
import type { AdapterCatalogue, SchoolSource } from '../../pipeline/sources/index.ts';
import { type Adapter, type CheckResult, checkProblemOf, silentLogger } from '../../sdk/adapter.ts';
import { EXIT, integerOption, printJson, printLine } from '../io.ts';
import type { CliContext } from '../program.ts';

export interface SourceCheckRow {
  school: string;
  name?: string;
  reference: string;
  adapter?: string;
  version?: string;
  sdk?: string;
  /** `ok`; `failed`: the check ran and found problems; `unusable`: the adapter or config is wrong. */
  status: 'ok' | 'failed' | 'unusable' | 'skipped';
  problems: Array<{ code: string; message: string }>;
  /** Secret config fields written inline in the file instead of by reference. */
  inlineSecrets: string[];
  ms?: number;
}

async function checkOne(
  school: string,
  source: SchoolSource,
  adapters: AdapterCatalogue,
  options: { timeoutMs: number; connect: boolean },
): Promise<SourceCheckRow> {
  const row: SourceCheckRow = {
    school,
    ...(source.name ? { name: source.name } : {}),
    reference: source.reference ?? source.adapter,
    status: 'ok',
    problems: [],
    inlineSecrets: (source.secretFields ?? []).filter(
      (field) => !(source.referenced ?? []).includes(field) && hasValue(source.config, field),
    ),
  };
  if (source.adapterVersion) {
    row.adapter = source.adapter;
    row.version = source.adapterVersion;
  }
  if (source.sdkVersion) row.sdk = source.sdkVersion;
  if (source.problem) {
    row.status = 'unusable';
    row.problems.push({ code: source.problem.code, message: source.problem.message });
    return row;
  }
  if (!options.connect) {
    row.status = 'skipped';
    return row;
  }
  const adapter: Adapter = await adapters.load(source.specifier ?? source.adapter, source.reference);
  const config = adapter.configSchema.parse(source.config);
  const started = performance.now();
  const signal = AbortSignal.timeout(options.timeoutMs);
  let result: CheckResult;
  try {
    result = await Promise.race([
      adapter.check(config, { logger: silentLogger, signal, now: () => new Date() }),
      new Promise<CheckResult>((resolve) =>
        signal.addEventListener('abort', () =>
          resolve({
            ok: false,
            problems: [
              {
                code: 'TIMEOUT',
                message: `Không trả lời trong ${options.timeoutMs / 1000} giây / No answer within ${options.timeoutMs / 1000} s`,
              },
            ],
          }),
        ),
      ),
    ]);
  } catch (error) {
    // A check should answer problems, not throw; one that throws is reported the same way.
    result = { ok: false, problems: [checkProblemOf(error, adapter.configSchema, config)] };
  }
  row.ms = Math.round(performance.now() - started);
  if (!result.ok) {
    row.status = 'failed';
    row.problems.push(...result.problems);
  }
  return row;
}

function hasValue(config: unknown, field: string): boolean {
  let node: unknown = config;
  for (const part of field.split('.')) node = (node as Record<string, unknown> | undefined)?.[part];
  return typeof node === 'string' && node.length > 0;
}

const STATUS = {
  ok: '✓ được / ok',
  failed: '✗ lỗi / failed',
  unusable: '✗ không dùng được / unusable',
  skipped: '– không kết nối / not connected',
} as const;

function render(rows: readonly SourceCheckRow[]): string[] {
  const head = ['Trường / School', 'Adapter', 'Phiên bản / Version', 'SDK', 'Kiểm tra / Check'];
  const cells = rows.map((r) => [
    r.school,
    r.adapter && r.adapter !== r.reference ? `${r.adapter} (${r.reference})` : r.reference,
    r.version ?? '-',
    r.sdk ?? '-',
    `${STATUS[r.status]}${r.ms !== undefined ? ` ${r.ms} ms` : ''}`,
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (c: string[]) =>
    c
      .map((v, i) => v.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  const out = [line(head), line(widths.map((w) => '─'.repeat(w)))];
  rows.forEach((r, i) => {
    out.push(line(cells[i]!));
    for (const p of r.problems) out.push(`    ${p.code}: ${p.message}`);
    if (r.inlineSecrets.length > 0) {
      out.push(
        `    ⚠ bí mật ghi thẳng trong tệp, nên dùng {"env": …} / secret written inline, prefer {"env": …}: ${r.inlineSecrets.join(', ')}`,
      );
    }
  });
  return out;
}

export function registerSourcesCommands(program: Command, ctx: CliContext, adapters: AdapterCatalogue): void {
  const sources = program
    .command('sources')
    .description('Tệp nguồn dữ liệu của các trường / The schools’ sources file');
  sources
    .command('check')
    .description(
      'Kiểm tra tệp nguồn, nạp từng adapter và thử kết nối tới phần mềm của trường / Validate the sources file, load each adapter and check it reaches the school’s software',
    )
    .argument('[file]', 'tệp nguồn (mặc định SOURCES_FILE) / the sources file (default SOURCES_FILE)')
    .option('--school <code...>', 'chỉ các trường này / only these schools')
    .option('--timeout <seconds>', 'thời gian chờ mỗi trường / time allowed per school', '20')
    .option('--no-connect', 'không kết nối, chỉ kiểm tra tệp và cấu hình / check the file and configs only')
    .option('--json', 'in kết quả dạng JSON / print JSON')
    .action(
      async (
        file: string | undefined,
        opts: { school?: string[]; timeout: string; connect: boolean; json?: boolean },
      ) => {
        const timeoutMs = integerOption(opts.timeout, '--timeout', 1, 600) * 1000;
        const { environment, loadConfig } = await import('../../config/index.ts');
        const { loadSources } = await import('../../pipeline/sources/index.ts');
        const path = file ?? loadConfig().SOURCES_FILE;
        const loaded = await loadSources(path, {
          adapters,
          env: environment(),
          ...(opts.school ? { only: opts.school } : {}),
        });
        const schools = Object.keys(loaded)
          .filter((s) => !opts.school || opts.school.includes(s))
          .sort();
        const rows: SourceCheckRow[] = [];
        // A few at a time: a district's schools are many, and a slow one must not hold the rest.
        const queue = [...schools];
        await Promise.all(
          Array.from({ length: Math.min(4, queue.length) }, async () => {
            for (let school = queue.shift(); school !== undefined; school = queue.shift()) {
              rows.push(
                await checkOne(school, loaded[school]!, adapters, { timeoutMs, connect: opts.connect }),
              );
            }
          }),
        );
        rows.sort((a, b) => a.school.localeCompare(b.school));
        const unknown = (opts.school ?? []).filter((s) => !(s in loaded));
        const bad = rows.filter((r) => r.status === 'failed' || r.status === 'unusable').length;
        ctx.exitCode = bad > 0 || unknown.length > 0 ? EXIT.invalid : EXIT.ok;
        if (opts.json) {
          printJson({ file: path, schools: rows, unknown });
          return;
        }
        printLine(`Tệp nguồn / Sources file: ${path}`);
        for (const line of render(rows)) printLine(line);
        for (const s of unknown) printLine(`✗ ${s}: không có trong tệp / not in the file`);
        printLine(
          `${rows.length - bad}/${rows.length} trường dùng được / schools usable${bad > 0 ? `; ${bad} cần sửa / need fixing` : ''}`,
        );
      },
    );
}
