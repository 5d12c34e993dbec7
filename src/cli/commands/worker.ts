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
      const { environment, inputLimitsOf, loadConfig } = await import('../../config/index.ts');
      const { createDatabase, loadKeyring } = await import('../../store/index.ts');
      const { createRunQueue, queueConnection } = await import('../../pipeline/queue.ts');
      const { startSyncWorkers } = await import('../../pipeline/workers.ts');
      const { warnUnlessNoEviction } = await import('../../pipeline/redis-check.ts');
      const { RunService } = await import('../../pipeline/service.ts');
      const { loadSources, sourcesLoader } = await import('../../pipeline/sources/index.ts');
      const { createScheduleQueue, startScheduleWorker, syncSchedulers } = await import(
        '../../pipeline/schedules.ts'
      );
      const { targetLimitsFromConfig, targetsFromConfig } = await import('../../targets/from-config.ts');
      const { migrateWhenReachable, processLogger, startHealthServer, whenStoresAnswer } = await import(
        '../../app/process.ts'
      );
      const config = loadConfig();
      const log = processLogger(config.LOG_LEVEL, 'worker');
      const logger = log.adapter;
      const db = await createDatabase(config, {
        onIdleConnectionError: (error) =>
          logger.warn('database connection dropped', { message: error.message }),
      });
      await migrateWhenReachable(db, logger);
      const connection = queueConnection(config.REDIS_URL);
      const health =
        config.WORKER_HEALTH_PORT !== undefined
          ? await startHealthServer({
              port: config.WORKER_HEALTH_PORT,
              host: config.HOST,
              database: db,
              redis: connection,
            })
          : undefined;
      await warnUnlessNoEviction(connection, (line) => process.stderr.write(`${line}\n`));
      const runQueue = createRunQueue(connection, config.REDIS_PREFIX);
      const keyring = loadKeyring(config);
      const { identityServiceFromConfig } = await import('../../app/identity.ts');
      const { runObservers } = await import('../../app/observers.ts');
      const { createIdentityQueue, startIdentityWorker } = await import('../../identity/queue.ts');
      // Online identity checks run where C06 is configured; people are registered by every run.
      const identityService = identityServiceFromConfig(config, db, keyring);
      const identityQueue = identityService.online
        ? createIdentityQueue(queueConnection(config.REDIS_URL), config.REDIS_PREFIX)
        : undefined;
      const identityWorker = identityQueue
        ? startIdentityWorker({
            connect: () => queueConnection(config.REDIS_URL),
            prefix: config.REDIS_PREFIX,
            db,
            service: identityService,
            queue: identityQueue,
            requestsPerSecond: config.C06_REQUESTS_PER_SECOND,
          })
        : undefined;
      const service = new RunService({
        db,
        keyring,
        queue: runQueue,
        sources: sourcesLoader(config.SOURCES_FILE, () => ({ adapters, env: environment() })),
        targets: () => targetsFromConfig(config),
        loadAdapter: (specifier) => adapters.load(specifier),
        holdThreshold: config.HOLD_THRESHOLD,
        pushAttempts: config.PUSH_ATTEMPTS,
        outageMaxMs: config.PUSH_OUTAGE_MAX_MS,
        ...(config.TEXT_LIMITS ? { textLimits: config.TEXT_LIMITS } : {}),
        inputLimits: inputLimitsOf(config),
        leaseMs: config.WORKER_LOCK_MS,
        batchSize: config.SYNC_BATCH_SIZE,
        ...runObservers(db, keyring),
        logger,
      });
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
      const workers = await startSyncWorkers({
        connect: () => queueConnection(config.REDIS_URL),
        prefix: config.REDIS_PREFIX,
        service,
        pullConcurrency: concurrency,
        limits: targetLimitsFromConfig(config),
        breaker: { failureThreshold: config.BREAKER_FAILURES, cooldownMs: config.BREAKER_COOLDOWN_MS },
        lockDurationMs: config.WORKER_LOCK_MS,
        bodyDays: config.LINEAGE_BODY_DAYS,
        logger,
      });
      // The schedules table is the truth: Redis may have lost schedulers, or kept deleted ones.
      const scheduleRedis = queueConnection(config.REDIS_URL);
      const scheduleQueue = createScheduleQueue(scheduleRedis, config.REDIS_PREFIX);
      const synced = await whenStoresAnswer('schedules', () => syncSchedulers(db, scheduleQueue), logger);
      const scheduler = startScheduleWorker({
        connection: queueConnection(config.REDIS_URL),
        prefix: config.REDIS_PREFIX,
        db,
        runs: service,
      });
      printLine(
        `Lịch / Schedules: ${synced.created.length} tạo lại / re-created, ${synced.removed.length} bỏ / removed, ${synced.updated.length} cập nhật / updated`,
      );
      // PostgreSQL holds the truth: what the outbox still shows pending and Redis lost is enqueued
      // again, now (whatever its age: this process may be the first up after a Redis restart) and
      // every minute.
      const resent = await whenStoresAnswer('outbox', () => service.resendPending(0), logger);
      if (resent.pulls.length + resent.pushes.length > 0)
        printLine(
          `Đưa lại vào hàng đợi / Re-enqueued ${resent.pulls.length} run(s) and ${resent.pushes.length} batch(es) Redis had lost`,
        );
      if (identityWorker) {
        const due = await whenStoresAnswer('identity checks', () => identityWorker.sweep(), logger);
        printLine(
          `Kiểm tra danh tính / Identity checks: ${due} người đến hạn được xếp hàng / people due were queued`,
        );
      }
      printLine(`Worker đang chạy / Worker running (concurrency ${opts.concurrency}); Ctrl-C to stop`);
      await new Promise<void>((resolve) => {
        const stop = async () => {
          // worker.close() waits for the current jobs; a second signal leaves at once.
          process.once('SIGTERM', () => process.exit(1));
          process.once('SIGINT', () => process.exit(1));
          await workers.close();
          // The rest holds nothing that must finish (a schedule firing or a check is taken up
          // again from PostgreSQL): each part gets a few seconds. A BullMQ worker whose Redis was
          // restarted under it can wait for ever in close(); it is then closed by force.
          await closeWithin(5_000, () => identityWorker?.close(), logger);
          await closeWithin(5_000, () => identityQueue?.close(), logger);
          await closeWithin(
            5_000,
            () => scheduler.close(),
            logger,
            () => scheduler.close(true),
          );
          await closeWithin(5_000, () => scheduleQueue.close(), logger);
          await closeWithin(5_000, () => service.close(), logger);
          await closeWithin(5_000, () => runQueue.close(), logger);
          await new Promise((r) => (health ? health.close(r) : r(undefined)));
          scheduleRedis.disconnect();
          connection.disconnect();
          await closeWithin(5_000, () => db.close(), logger);
          resolve();
        };
        process.once('SIGTERM', () => void stop());
        process.once('SIGINT', () => void stop());
      });
    });
}

/** Closes one part of the worker, waiting at most `ms`, then by `force` (or not at all). */
async function closeWithin(
  ms: number,
  close: () => Promise<unknown> | undefined,
  logger: { warn(msg: string, data?: Record<string, unknown>): void },
  force?: () => Promise<unknown>,
): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'late'>((resolve) => {
    timer = setTimeout(() => resolve('late'), ms);
  });
  try {
    const outcome = await Promise.race([Promise.resolve(close()).then(() => 'closed' as const), late]);
    if (outcome === 'late') {
      logger.warn('shutdown: a part did not close in time', { waitedMs: ms });
      if (force) await Promise.race([force(), new Promise((r) => setTimeout(r, ms))]);
    }
  } catch (error) {
    logger.warn('shutdown: a part failed to close', { message: (error as Error).message });
  } finally {
    clearTimeout(timer);
  }
}
