/**
 * `edubridge worker`: carries out queued runs, without the API. Any number of workers on any number
 * of machines share one Redis and one PostgreSQL. SIGTERM lets the current jobs finish; a worker
 * killed outright leaves its jobs locked until WORKER_LOCK_MS passes, then another takes them.
 */
import type { Command } from 'commander';
import type { AdapterCatalogue } from '../../pipeline/sources/index.ts';
import { integerOption, printLine } from '../io.ts';

export function registerWorkerCommand(program: Command, adapters: AdapterCatalogue): void {
  program
    .command('worker')
    .description('Chạy các lần đồng bộ trong hàng đợi / Carry out queued sync runs')
    .option('--concurrency <n>', 'số lần chạy cùng lúc / runs at once', '2')
    .action(async (opts: { concurrency: string }) => {
      const concurrency = integerOption(opts.concurrency, '--concurrency', 1, 64);
      const { environment, loadConfig } = await import('../../config/index.ts');
      const { createHub } = await import('../../app/hub.ts');
      const { warnUnlessNoEviction } = await import('../../pipeline/redis-check.ts');
      const { loadSources } = await import('../../pipeline/sources/index.ts');
      const { syncSchedulers } = await import('../../pipeline/schedules.ts');
      const { queueConnection } = await import('../../pipeline/queue.ts');
      const { migrateWhenReachable, processLogger, startHealthServer, whenStoresAnswer } = await import(
        '../../app/process.ts'
      );
      const config = loadConfig();
      const log = processLogger(config.LOG_LEVEL, 'worker');
      const logger = log.adapter;
      // A worker's queues wait for a Redis that is away rather than fail at once.
      const hub = await createHub(config, { adapters, logger, redisWhileAway: 'wait' });
      const db = hub.database;
      await migrateWhenReachable(db, logger);
      const probe = queueConnection(config.REDIS_URL);
      const health =
        config.WORKER_HEALTH_PORT !== undefined
          ? await startHealthServer({
              port: config.WORKER_HEALTH_PORT,
              host: config.HOST,
              database: db,
              redis: probe,
            })
          : undefined;
      await warnUnlessNoEviction(probe, (line) => process.stderr.write(`${line}\n`));
      // Each school's adapter and config, checked now so a mistake shows at start, named; the
      // other schools sync regardless (and the broken one's runs fail with the same words).
      try {
        const sources = await loadSources(config.SOURCES_FILE, { adapters, env: environment() });
        for (const [school, source] of Object.entries(sources)) {
          if (source.problem) {
            logger.error('school source unusable', {
              school,
              code: source.problem.code,
              message: source.problem.message,
            });
          }
        }
      } catch (error) {
        logger.error('sources file unusable', { message: (error as Error).message });
      }
      const workers = await hub.startWorkers({ concurrency });
      const { serveWorkerMetrics } = await import('../../metrics/index.ts');
      const metrics = await serveWorkerMetrics(config, {
        database: db,
        breakers: workers.sync.breakers,
        logger,
      });
      // The schedules table is the truth: Redis may have lost schedulers, or kept deleted ones.
      const synced = await whenStoresAnswer(
        'schedules',
        () => syncSchedulers(db, hub.scheduleQueue()),
        logger,
      );
      printLine(
        `Lịch / Schedules: ${synced.created.length} tạo lại / re-created, ${synced.removed.length} bỏ / removed, ${synced.updated.length} cập nhật / updated`,
      );
      // PostgreSQL holds the truth: what the outbox still shows pending and Redis lost is enqueued
      // again, now (whatever its age: this process may be the first up after a Redis restart) and
      // every minute.
      const resent = await whenStoresAnswer('outbox', () => hub.runs().resendPending(0), logger);
      if (resent.pulls.length + resent.pushes.length > 0)
        printLine(
          `Đưa lại vào hàng đợi / Re-enqueued ${resent.pulls.length} run(s) and ${resent.pushes.length} batch(es) Redis had lost`,
        );
      const identityWorker = workers.identity;
      if (identityWorker) {
        const due = await whenStoresAnswer('identity checks', () => identityWorker.sweep(), logger);
        printLine(
          `Kiểm tra danh tính / Identity checks: ${due} người đến hạn được xếp hàng / people due were queued`,
        );
      }
      printLine(`Worker đang chạy / Worker running (concurrency ${opts.concurrency}); Ctrl-C to stop`);
      await new Promise<void>((resolve) => {
        const stop = async () => {
          // The workers wait for the current jobs; a second signal leaves at once.
          process.once('SIGTERM', () => process.exit(1));
          process.once('SIGINT', () => process.exit(1));
          await metrics?.close().catch(() => undefined);
          await hub.close();
          await new Promise((r) => (health ? health.close(r) : r(undefined)));
          probe.disconnect();
          resolve();
        };
        process.once('SIGTERM', () => void stop());
        process.once('SIGINT', () => void stop());
      });
    });
}
