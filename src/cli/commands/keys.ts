import type { Command } from 'commander';
import { badOption, printJson, printLine, UsageError } from '../io.ts';

function parseBatchSize(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < 1 || n > 100_000) {
    throw badOption(
      '--batch-size',
      `phải là số nguyên 1–100000 (nhận được "${value}")`,
      `must be an integer 1–100000 (got "${value}")`,
    );
  }
  return n;
}

export function registerKeysCommands(program: Command): void {
  const keys = program
    .command('keys')
    .description('Khoá mã hoá số định danh cá nhân / Keys that encrypt personal ID numbers');

  keys
    .command('generate')
    .description(
      'In một khoá ngẫu nhiên mới cho DATA_KEYS (đặt lên đầu danh sách) / Print a new random DATA_KEYS entry (put it first)',
    )
    .option('--id <id>', 'mã khoá (mặc định kYYYYMMDD) / key id (default kYYYYMMDD)')
    .action(async (opts: { id?: string }) => {
      if (opts.id !== undefined && !/^[A-Za-z0-9_.-]+$/.test(opts.id)) {
        throw badOption(
          '--id',
          `chỉ gồm chữ, số, "_", "." hoặc "-" (nhận được "${opts.id}")`,
          `takes letters, digits, "_", "." or "-" only (got "${opts.id}")`,
        );
      }
      const { generateDataKey } = await import('../../store/crypto.ts');
      printLine(generateDataKey(opts.id));
    });

  keys
    .command('rotate')
    .description(
      'Mã hoá lại mọi số định danh và hồ sơ định danh chưa dùng khoá hiện tại / Re-encrypt every personal ID and identity document not under the current key',
    )
    .option('--batch-size <n>', 'số dòng mỗi lượt (mặc định 1000) / rows per batch (default 1000)')
    .option('--json', 'in kết quả dạng JSON / print JSON')
    .action(async (opts: { batchSize?: string; json?: boolean }) => {
      const batchSize = parseBatchSize(opts.batchSize);
      const { loadConfig } = await import('../../config/index.ts');
      const { createDatabase, loadKeyring, migrateToLatest, rotateKeys, KeyringError } = await import(
        '../../store/index.ts'
      );
      const config = loadConfig();
      let keyring: ReturnType<typeof loadKeyring>;
      try {
        keyring = loadKeyring(config);
      } catch (error) {
        if (error instanceof KeyringError) throw new UsageError(error.code, error.message);
        throw error;
      }
      const database = await createDatabase(config);
      try {
        await migrateToLatest(database);
        const counts = await rotateKeys(database, keyring, batchSize ? { batchSize } : {});
        if (opts.json) return printJson({ currentKeyId: keyring.currentKeyId, ...counts });
        printLine(
          `Đã mã hoá lại / Re-encrypted ${counts.reencrypted} giá trị (số định danh, hồ sơ định danh) / sealed values (personal IDs, identity documents) under ${keyring.currentKeyId} in ${counts.batches} batches`,
        );
        for (const [id, n] of Object.entries(counts.byOldKeyId)) printLine(`  from ${id}: ${n}`);
        if (counts.unknownKeyRows > 0) {
          printLine(
            `Cảnh báo / Warning: ${counts.unknownKeyRows} dòng dùng khoá không có trong DATA_KEYS / rows are under a key id DATA_KEYS no longer lists`,
          );
        }
      } finally {
        await database.close();
      }
    });
}
