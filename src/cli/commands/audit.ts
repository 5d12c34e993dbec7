import type { Command } from 'commander';
import { printJson, printLine } from '../io.ts';

export function registerAuditCommands(program: Command, setExitCode: (code: number) => void): void {
  const audit = program.command('audit').description('Nhật ký kiểm toán / The audit log');

  audit
    .command('verify')
    .description(
      'Kiểm tra chuỗi băm của nhật ký kiểm toán từ đầu đến cuối / Check the audit log hash chain from first entry to last',
    )
    .option('--json', 'in kết quả dạng JSON / print JSON')
    .action(async (opts: { json?: boolean }) => {
      const { loadConfig } = await import('../../config/index.ts');
      const { createDatabase, migrateToLatest, verifyAuditChain } = await import('../../store/index.ts');
      const database = await createDatabase(loadConfig());
      try {
        await migrateToLatest(database);
        const report = await verifyAuditChain(database);
        if (report.broken) setExitCode(1);
        if (opts.json) return printJson(report);
        if (report.broken) {
          printLine(
            `Chuỗi bị phá vỡ tại mục ${report.broken.id} (${report.broken.at.toISOString()}): ${REASONS[report.broken.reason]}`,
          );
          printLine(
            `The chain is broken at entry ${report.broken.id} (${report.broken.at.toISOString()}): ${report.broken.reason.replaceAll('_', ' ')}`,
          );
          return;
        }
        printLine(
          `Chuỗi nguyên vẹn / The chain holds: ${report.checked} mục / entries checked` +
            (report.unchained > 0
              ? `, ${report.unchained} mục cũ chưa có băm / older entries without a hash`
              : ''),
        );
      } finally {
        await database.close();
      }
    });
}

const REASONS = {
  content_changed: 'nội dung mục đã bị sửa',
  link_broken: 'mục trước đó đã bị xoá hoặc chèn thêm',
  hash_missing: 'mục thiếu mã băm',
} as const;
