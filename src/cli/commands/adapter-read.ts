/**
 * `edubridge adapter read [SOURCES] --school CODE [--stream students] [--since CHECKPOINT] [--limit N]`:
 * what the hub will see of a school, without a sync. Loads the school's adapter as the sources file
 * names it, reads one stream and prints the canonical records as JSONL on stdout, with the problems
 * the rules find (and the adapter's rejections and signals) on stderr. Personal fields are masked
 * unless `--unmasked`, which is written to the audit log with who asked.
 */
import type { Command } from 'commander';
import { checkRecord, formatMessage } from '../../model/index.ts';
import type { AdapterCatalogue } from '../../pipeline/sources/index.ts';
import { maskPersonalText, maskValue, personalDataClassOf } from '../../quality/mask.ts';
import {
  type AdapterLogger,
  isSignal,
  readContext,
  STREAM_NAMES,
  type StreamName,
} from '../../sdk/adapter.ts';
import { parseAdapterConfig } from '../../sdk/config.ts';
import { badOption, EXIT, integerOption, usageError } from '../io.ts';
import type { CliContext } from '../program.ts';
import { parseIsoDateOption } from './id.ts';

/**
 * A copy of a canonical record with every field the model marks personal or sensitive masked as the
 * import's report masks it (`src/quality/mask.ts`): the ends of a number, a date's year, a name's
 * initials, a sensitive value hidden.
 */
export function maskRecord<T extends { type: string }>(record: T): T {
  const walk = (value: unknown, path: string): unknown => {
    if (Array.isArray(value)) return value.map((item, i) => walk(item, path ? `${path}.${i}` : String(i)));
    if (value !== null && typeof value === 'object') {
      return Object.fromEntries(
        Object.entries(value).map(([key, child]) => [key, walk(child, path ? `${path}.${key}` : key)]),
      );
    }
    if (typeof value !== 'string' && typeof value !== 'number') return value;
    const mark = personalDataClassOf(record.type, path);
    return mark ? maskValue(String(value), mark) : value;
  };
  return walk(record, '') as T;
}

function parseCheckpoint(value: string | undefined): unknown {
  if (value === undefined) return undefined;
  try {
    return JSON.parse(value);
  } catch {
    // A bare timestamp or cursor: the checkpoint is the text itself.
    return value;
  }
}

const stderrLogger: AdapterLogger = {
  debug() {},
  info: (msg) => process.stderr.write(`# ${msg}\n`),
  warn: (msg) => process.stderr.write(`# ⚠ ${msg}\n`),
  error: (msg) => process.stderr.write(`# ✗ ${msg}\n`),
};

export function registerAdapterReadCommand(
  program: Command,
  ctx: CliContext,
  adapters: AdapterCatalogue,
): void {
  const adapter =
    program.commands.find((c) => c.name() === 'adapter') ??
    program.command('adapter').description('Bộ công cụ cho nhà cung cấp phần mềm / Tools for vendors');
  adapter
    .command('read')
    .description(
      'Đọc một luồng của trường qua adapter của nó, in bản ghi chuẩn dạng JSONL / Read a stream of a school through its adapter, print canonical records as JSONL',
    )
    .argument('[sources]', 'tệp nguồn (mặc định SOURCES_FILE) / the sources file (default SOURCES_FILE)')
    .requiredOption('--school <code>', 'mã trường / school code')
    .option('--stream <name>', `luồng / stream (${STREAM_NAMES.join(', ')})`, 'students')
    .option('--since <checkpoint>', 'đọc phần thay đổi từ mốc này / read what changed since this checkpoint')
    .option('--limit <n>', 'dừng sau n bản ghi / stop after n records')
    .option('--unmasked', 'hiện dữ liệu cá nhân (ghi nhật ký kiểm toán) / show personal data (audited)')
    .option('--as-of <YYYY-MM-DD>', 'ngày tham chiếu cho các quy tắc / reference date for the rules')
    .action(
      async (
        file: string | undefined,
        opts: {
          school: string;
          stream: string;
          since?: string;
          limit?: string;
          unmasked?: boolean;
          asOf?: string;
        },
      ) => {
        const limit =
          opts.limit === undefined ? undefined : integerOption(opts.limit, '--limit', 1, 10_000_000);
        if (!(STREAM_NAMES as string[]).includes(opts.stream)) {
          throw badOption(
            '--stream',
            `không biết "${opts.stream}"; chọn trong ${STREAM_NAMES.join(', ')}`,
            `does not know "${opts.stream}"; choose from ${STREAM_NAMES.join(', ')}`,
          );
        }
        const stream = opts.stream as StreamName;
        const asOf = parseIsoDateOption(opts.asOf, '--as-of');
        const { environment, loadConfig } = await import('../../config/index.ts');
        const { loadSources } = await import('../../pipeline/sources/index.ts');
        const config = loadConfig();
        const path = file ?? config.SOURCES_FILE;
        const sources = await loadSources(path, { adapters, only: [opts.school], env: environment() });
        const source = sources[opts.school];
        if (!source) throw usageError('SCHOOL_UNKNOWN', { school: opts.school, file: path });
        if (source.problem) throw source.problem;
        const loaded = await adapters.load(source.specifier ?? source.adapter, source.reference);
        if (!loaded.streams[stream]) {
          throw badOption(
            '--stream',
            `adapter ${loaded.id} không có luồng "${stream}" (có: ${Object.keys(loaded.streams).join(', ')})`,
            `adapter ${loaded.id} has no stream "${stream}" (it has: ${Object.keys(loaded.streams).join(', ')})`,
          );
        }
        if (opts.unmasked) {
          // Personal data of children on a terminal: who looked, at which school, is on record.
          const { createDatabase, migrateToLatest, audit } = await import('../../store/index.ts');
          const db = await createDatabase(config);
          try {
            await migrateToLatest(db);
            await audit(db, {
              actor: `cli:${process.env.USER ?? 'unknown'}`,
              role: null,
              action: 'adapter:read:unmasked',
              resource: `school:${opts.school}`,
              decision: 'allow',
              detail: { school: opts.school, adapter: loaded.id, stream },
            });
          } finally {
            await db.close();
          }
        }
        const parsed = parseAdapterConfig(loaded.configSchema, source.config, loaded.id);
        const controller = new AbortController();
        const rules = { asOf: asOf ? new Date(`${asOf}T00:00:00Z`) : new Date() };
        const context = readContext(
          { logger: stderrLogger, signal: controller.signal, now: () => new Date() },
          parsed,
          parseCheckpoint(opts.since) as never,
        );
        let records = 0;
        let problems = 0;
        // A message may quote a value (an adapter's own words): masked like the records.
        const said = (text: string) => (opts.unmasked ? text : maskPersonalText(text));
        const write = (line: string) =>
          new Promise<void>((resolve) => {
            if (process.stdout.write(`${line}\n`)) resolve();
            else process.stdout.once('drain', resolve);
          });
        for await (const item of loaded.read(stream, context)) {
          if (isSignal(item)) {
            if (item.kind === 'rejected') {
              problems++;
              const e = item.error;
              process.stderr.write(
                `✗ ${e.location ?? '-'}  ${e.field ?? '-'}  ${e.code}  ${said(e.message)}\n`,
              );
            } else if (item.kind === 'checkpoint') {
              process.stderr.write(`# checkpoint ${JSON.stringify(item.checkpoint)}\n`);
            } else if (item.kind === 'deleted') {
              process.stderr.write(`# đã xoá / deleted: ${item.keys.length}\n`);
            } else {
              process.stderr.write(`# đổi khoá / key changed: ${item.from} → ${item.to}\n`);
            }
            continue;
          }
          const check = checkRecord(item, rules);
          for (const p of check.problems) {
            if (p.severity === 'error') problems++;
            process.stderr.write(
              `${p.severity === 'error' ? '✗' : '⚠'} ${item.key}  ${p.field || '-'}  ${p.code}  ${said(formatMessage(p))}\n`,
            );
          }
          await write(JSON.stringify(opts.unmasked ? item : maskRecord(item)));
          records++;
          if (limit !== undefined && records >= limit) {
            controller.abort();
            break;
          }
        }
        process.stderr.write(
          `# ${records} bản ghi / records, ${problems} lỗi / errors${opts.unmasked ? '' : ' — dữ liệu cá nhân đã che / personal data masked'}\n`,
        );
        ctx.exitCode = problems > 0 ? EXIT.invalid : EXIT.ok;
      },
    );
}
