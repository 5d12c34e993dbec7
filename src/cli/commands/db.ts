import type { Command } from 'commander';
import { printJson, printLine } from '../io.ts';

export function registerDbCommands(program: Command): void {
  const db = program.command('db').description('Cơ sở dữ liệu của EduBridge / The EduBridge database');
  db.command('migrate')
    .description('Chạy các bước di chuyển lược đồ còn thiếu / Run pending schema migrations')
    .option(
      '--status',
      'chỉ liệt kê đã chạy / chờ chạy, không chạy gì / list applied and pending, run nothing',
    )
    .option('--json', 'in kết quả dạng JSON / print JSON')
    .action(async (opts: { status?: boolean; json?: boolean }) => {
      const { loadConfig } = await import('../../config/index.ts');
      const { createDatabase, migrateToLatest, migrationStatus } = await import('../../store/index.ts');
      const config = loadConfig();
      const database = await createDatabase(config);
      try {
        if (!config.DATABASE_URL && !config.PGLITE_DIR) {
          process.stderr.write(
            'Cảnh báo / Warning: DATABASE_URL và PGLITE_DIR đều trống, CSDL trong bộ nhớ sẽ mất khi thoát / neither DATABASE_URL nor PGLITE_DIR is set: this in-memory database is lost on exit\n',
          );
        }
        if (opts.status) {
          const status = await migrationStatus(database);
          if (opts.json) return printJson(status);
          for (const m of status) {
            printLine(
              m.executedAt
                ? `đã chạy / applied  ${m.name}  ${m.executedAt.toISOString()}`
                : `chờ chạy / pending ${m.name}`,
            );
          }
          return;
        }
        const { applied } = await migrateToLatest(database);
        if (opts.json) return printJson({ applied });
        if (applied.length === 0) printLine('Lược đồ đã mới nhất / Schema already up to date');
        for (const name of applied) printLine(`đã chạy / applied ${name}`);
      } finally {
        await database.close();
      }
    });
}
