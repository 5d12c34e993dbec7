import type { Command } from 'commander';
import { badOption, printJson, printLine, UsageError, usageError } from '../io.ts';

const ROLES = ['vendor', 'school', 'district', 'city'] as const;
type Role = (typeof ROLES)[number];

/** `79NB0001,79NB0002` → the codes, trimmed, without empties or repeats. */
function parseList(value: string | undefined): string[] {
  if (value === undefined) return [];
  return [
    ...new Set(
      value
        .split(',')
        .map((item) => item.trim())
        .filter(Boolean),
    ),
  ];
}

function parseRole(value: string): Role {
  if (!(ROLES as readonly string[]).includes(value)) {
    throw badOption(
      '--role',
      `phải là một trong ${ROLES.join(', ')} (nhận được "${value}")`,
      `must be one of ${ROLES.join(', ')} (got "${value}")`,
    );
  }
  return value as Role;
}

/** Opens the configured database with its schema up to date, runs `work`, and closes it. */
async function withDatabase<T>(
  work: (database: import('../../store/index.ts').Database) => Promise<T>,
  warnInMemory = false,
): Promise<T> {
  const { loadConfig } = await import('../../config/index.ts');
  const { createDatabase, migrateToLatest } = await import('../../store/index.ts');
  const config = loadConfig();
  if (warnInMemory && !config.DATABASE_URL && !config.PGLITE_DIR) {
    process.stderr.write(
      'Cảnh báo / Warning: DATABASE_URL và PGLITE_DIR đều trống, khoá sẽ mất khi thoát / neither DATABASE_URL nor PGLITE_DIR is set: this key is lost on exit\n',
    );
  }
  const database = await createDatabase(config);
  try {
    await migrateToLatest(database);
    return await work(database);
  } finally {
    await database.close();
  }
}

export function registerApiKeyCommands(program: Command): void {
  const apikey = program.command('apikey').description('Khoá API cho /v1 / API keys for /v1');

  apikey
    .command('create')
    .description('Tạo khoá và in ra MỘT lần / Create a key and print it ONCE')
    .requiredOption('--role <role>', `vai trò / role: ${ROLES.join(', ')}`)
    .option('--schools <codes>', 'mã trường, cách nhau bởi dấu phẩy / school codes, comma-separated')
    .option('--adapters <ids>', "bộ chuyển đổi của nhà cung cấp (vendor) / the vendor key's adapters")
    .option('--label <text>', 'dùng cho ai, việc gì / who or what the key is for')
    .option('--json', 'in kết quả dạng JSON / print JSON')
    .action(
      async (opts: { role: string; schools?: string; adapters?: string; label?: string; json?: boolean }) => {
        const role = parseRole(opts.role);
        const input = {
          role,
          schools: parseList(opts.schools),
          vendorAdapters: parseList(opts.adapters),
          ...(opts.label === undefined ? {} : { label: opts.label }),
          actor: `cli:${currentUser()}`,
        };
        const { ApiKeyInputError, createApiKey, validateApiKeyInput } = await import('../../store/index.ts');
        try {
          validateApiKeyInput(input);
        } catch (error) {
          if (error instanceof ApiKeyInputError) throw new UsageError(error.code, error.message);
          throw error;
        }
        const created = await withDatabase((database) => createApiKey(database, input), true);
        process.stderr.write(
          'Cảnh báo / Warning: khoá chỉ hiện MỘT lần này, hãy lưu vào kho bí mật ngay / this key is shown ONCE and cannot be shown again: store it in a secret manager now\n',
        );
        if (opts.json) {
          return printJson({
            id: created.id,
            prefix: created.prefix,
            key: created.key,
            role,
            schools: input.schools,
            vendorAdapters: input.vendorAdapters,
            label: opts.label ?? null,
          });
        }
        printLine(created.key);
        printLine(
          `tiền tố / prefix ${created.prefix}  ${role}  ${input.schools.join(',') || '(mọi trường / all schools)'}`,
        );
      },
    );

  apikey
    .command('list')
    .description('Liệt kê khoá (không bao giờ in khoá) / List keys (never the keys themselves)')
    .option('--all', 'kể cả khoá đã thu hồi / include revoked keys')
    .option('--json', 'in kết quả dạng JSON / print JSON')
    .action(async (opts: { all?: boolean; json?: boolean }) => {
      const { listApiKeys } = await import('../../store/index.ts');
      const keys = await withDatabase((database) =>
        listApiKeys(database, { includeRevoked: opts.all === true }),
      );
      if (opts.json) return printJson(keys);
      if (keys.length === 0) return printLine('Chưa có khoá nào / No keys');
      for (const k of keys) {
        const state = k.revokedAt ? `revoked ${k.revokedAt.toISOString()}` : 'active';
        const used = k.lastUsedAt ? k.lastUsedAt.toISOString() : 'never used';
        const scope = [k.schools.join(','), k.vendorAdapters.join(',')].filter(Boolean).join(' ');
        printLine(
          `${k.prefix}  ${k.role.padEnd(8)}  ${scope || '*'}  ${state}  ${used}  ${k.label ?? ''}`.trimEnd(),
        );
      }
    });

  apikey
    .command('revoke')
    .description('Thu hồi khoá theo tiền tố / Revoke a key by its prefix')
    .argument('<prefix>', 'tiền tố 8 ký tự trong `apikey list` / the 8-character prefix from `apikey list`')
    .option('--json', 'in kết quả dạng JSON / print JSON')
    .action(async (prefix: string, opts: { json?: boolean }) => {
      if (!/^[0-9a-f]{8}$/.test(prefix)) {
        throw usageError('ARGUMENT_INVALID', {
          reason: {
            vi: `tiền tố gồm 8 ký tự 0-9a-f (nhận được "${prefix}")`,
            en: `a prefix is 8 characters 0-9a-f (got "${prefix}")`,
          },
        });
      }
      const { revokeApiKey } = await import('../../store/index.ts');
      const outcome = await withDatabase((database) =>
        revokeApiKey(database, prefix, `cli:${currentUser()}`),
      );
      if (outcome === 'not-found') {
        throw usageError('API_KEY_NOT_FOUND', { prefix });
      }
      if (opts.json) return printJson({ prefix, outcome });
      printLine(
        outcome === 'revoked'
          ? `Đã thu hồi / Revoked ${prefix}`
          : `Khoá đã bị thu hồi trước đó / Already revoked ${prefix}`,
      );
    });
}

function currentUser(): string {
  return process.env.USER ?? process.env.USERNAME ?? 'unknown';
}
