/**
 * `edubridge sync --school <code> [--streams …] [--full]`: one sync run of a school, in this
 * process, from the adapter its source names to the configured targets.
 */
import type { Command } from 'commander';
import type { AdapterCatalogue } from '../../pipeline/sources/index.ts';
import type { StreamName } from '../../sdk/index.ts';
import { STREAM_NAMES } from '../../sdk/index.ts';
import { badOption, EXIT, printJson, printLine, usageError } from '../io.ts';
import { createProgressBar } from '../progress.ts';

/** Exit code of a run held for an administrator: not a failure, not done either. */
export const EXIT_HELD = 4;

export function registerSyncCommand(
  program: Command,
  setExitCode: (code: number) => void,
  adapters: AdapterCatalogue,
): void {
  program
    .command('sync')
    .description('Đồng bộ một trường lên các hệ thống của thành phố / Sync one school to the city systems')
    .requiredOption('--school <code>', 'mã trường / school code')
    .option('--streams <list>', `luồng dữ liệu / streams (${STREAM_NAMES.join(',')})`, 'students')
    .option('--full', 'đọc toàn bộ thay vì phần thay đổi / full read instead of incremental')
    .option('--json', 'in kết quả dạng JSON / print JSON')
    .action(async (opts: { school: string; streams: string; full?: boolean; json?: boolean }) => {
      const streams = opts.streams.split(',').map((s) => s.trim()) as StreamName[];
      const unknown = streams.filter((s) => !(STREAM_NAMES as string[]).includes(s));
      if (unknown.length > 0) {
        throw badOption(
          '--streams',
          `không biết "${unknown.join(', ')}"; chọn trong ${STREAM_NAMES.join(', ')}`,
          `does not know "${unknown.join(', ')}"; choose from ${STREAM_NAMES.join(', ')}`,
        );
      }
      const { environment, inputLimitsOf, loadConfig } = await import('../../config/index.ts');
      const { createDatabase, loadKeyring, migrateToLatest } = await import('../../store/index.ts');
      const { loadSources } = await import('../../pipeline/sources/index.ts');
      const { runSync } = await import('../../pipeline/sync.ts');
      const { targetsFromConfig } = await import('../../targets/from-config.ts');
      const config = loadConfig();
      // Only this school's adapter is loaded and its config checked: another school's typo is not
      // this run's business.
      const sources = await loadSources(config.SOURCES_FILE, {
        adapters,
        only: [opts.school],
        env: environment(),
      });
      const source = sources[opts.school];
      if (!source) {
        throw usageError('SCHOOL_UNKNOWN', { school: opts.school, file: config.SOURCES_FILE });
      }
      if (source.problem) throw source.problem;
      const adapter = await adapters.load(source.specifier ?? source.adapter, source.reference);
      const db = await createDatabase(config);
      try {
        await migrateToLatest(db);
        const bar = createProgressBar('Đang đồng bộ / Syncing');
        const result = await runSync({
          db,
          keyring: loadKeyring(config),
          adapter,
          adapterConfig: source.config,
          targets: targetsFromConfig(config),
          schoolCode: opts.school,
          streams,
          mode: opts.full ? 'full' : 'incremental',
          holdThreshold: config.HOLD_THRESHOLD,
          batchSize: config.SYNC_BATCH_SIZE,
          pushAttempts: config.PUSH_ATTEMPTS,
          outageMaxMs: config.PUSH_OUTAGE_MAX_MS,
          ...(config.TEXT_LIMITS ? { textLimits: config.TEXT_LIMITS } : {}),
          inputLimits: inputLimitsOf(config),
          leaseMs: config.WORKER_LOCK_MS,
          requestedBy: `cli:${process.env.USER ?? 'unknown'}`,
          onProgress: ({ step, counts }) =>
            bar.update(0, 0, `${step} ${counts.pulled.toLocaleString('en-US')}`),
        });
        bar.done();
        setExitCode(
          result.state === 'succeeded' ? EXIT.ok : result.state === 'held' ? EXIT_HELD : EXIT.invalid,
        );
        if (opts.json) {
          printJson({
            runId: result.runId,
            state: result.state,
            counts: result.counts,
            hold: result.hold ?? null,
            failure: result.failure ?? null,
          });
          return;
        }
        const c = result.counts;
        printLine(`Lần chạy / Run ${result.runId}: ${result.state}`);
        printLine(
          `  đọc / pulled ${c.pulled}, hợp lệ / valid ${c.valid}, lỗi / invalid ${c.invalid}, loại ra / excluded ${c.excluded}, không đổi / unchanged ${c.unchanged}`,
        );
        printLine(
          `  tạo / created ${c.created}, cập nhật / updated ${c.updated}, xóa / deleted ${c.deleted}, bị từ chối / refused ${c.refused}, thất bại / failed ${c.failed}`,
        );
        if (result.failure) printLine(`  ${result.failure.code}: ${result.failure.message}`);
        for (const r of result.hold?.reasons ?? []) {
          printLine(
            `  TẠM GIỮ / HELD ${r.target} ${r.stream}: ${r.changed} đổi / changed, ${r.deleted} xóa / deleted trên / of ${r.held} (${Math.round(r.share * 100)} %)`,
          );
        }
      } finally {
        await db.close();
      }
    });
}
