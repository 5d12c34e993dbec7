/**
 * The `edubridge` command. Thin: each subcommand parses its flags and calls a service. A user's
 * mistake (unknown flag, unreadable file, malformed JSON, bad setting) prints one line on stderr and
 * exits non-zero; only a bug in EduBridge itself prints a stack, and then with a request to report it.
 */
import { Command, CommanderError } from 'commander';
import { ConfigError } from '../config/errors.ts';
import { describeError } from '../model/error-catalogue.ts';
import { InputError } from '../quality/errors.ts';
import { AdapterError } from '../sdk/errors.ts';
import { commanderUsageError } from './commander-errors.ts';
import { registerAdapterCommands } from './commands/adapter.ts';
import { registerApiKeyCommands } from './commands/apikey.ts';
import { registerAuditCommands } from './commands/audit.ts';
import { registerDbCommands } from './commands/db.ts';
import { registerDeadLetterCommands } from './commands/dead-letters.ts';
import { registerExportCommand } from './commands/export.ts';
import { registerGradesCommands } from './commands/grades.ts';
import { registerIdCommands } from './commands/id.ts';
import { registerIdentityParseCommands } from './commands/identity.ts';
import { registerIdentityStoreCommands } from './commands/identity-store.ts';
import { registerKeysCommands } from './commands/keys.ts';
import { registerReportCommand } from './commands/report.ts';
import { registerRulesCommand } from './commands/rules.ts';
import { registerRunsCommands } from './commands/runs.ts';
import { registerSsoCommands } from './commands/sso.ts';
import { registerValidateCommand } from './commands/validate.ts';
import { registerVietQrCommand } from './commands/vietqr.ts';
import { EXIT, UsageError, usageError } from './io.ts';

export interface CliContext {
  /** Set by a command that finished but judged its input (valid → 0, invalid → 1). */
  exitCode: number;
}

export function buildProgram(ctx: CliContext = { exitCode: 0 }): Command {
  const program = new Command('edubridge')
    .description(
      'EduBridge: cầu nối dữ liệu giữa phần mềm nhà trường và hệ thống của thành phố / the hub between school software and the city',
    )
    .version('0.1.0')
    .showSuggestionAfterError(true)
    .exitOverride()
    .configureOutput({
      // commander's own messages are English: the usual ones are put in the catalogue's words.
      outputError: (message, write) => {
        const known = commanderUsageError(message);
        write(
          `${
            known
              ? errorLine(known)
              : `Lỗi / Error: ${message
                  .replace(/^error: /, '')
                  .trim()
                  .replace(/\s*\n\s*/g, ' ')}`
          }\n`,
        );
      },
    });
  const setExitCode = (code: number) => {
    ctx.exitCode = code;
  };
  registerIdCommands(program, setExitCode);
  registerGradesCommands(program);
  registerValidateCommand(program, setExitCode);
  registerExportCommand(program);
  registerRulesCommand(program);
  registerAdapterCommands(program, setExitCode);
  registerDbCommands(program);
  registerKeysCommands(program);
  registerApiKeyCommands(program);
  registerDeadLetterCommands(program, undefined, setExitCode);
  registerVietQrCommand(program);
  registerRunsCommands(program, setExitCode);
  registerReportCommand(program);
  const identity = program.command('identity').description('Kiểm tra danh tính / Identity checks');
  registerIdentityParseCommands(identity, setExitCode);
  registerIdentityStoreCommands(identity, setExitCode);
  registerAuditCommands(program, setExitCode);
  registerSsoCommands(program, async () => {
    const { loadConfig } = await import('../config/index.ts');
    const { createDatabase, loadKeyring, migrateToLatest } = await import('../store/index.ts');
    const { ssoAdminFor } = await import('../app/sso.ts');
    const config = loadConfig();
    if (!config.PUBLIC_URL && !config.SSO_PUBLIC_URL) {
      throw usageError('SSO_NOT_CONFIGURED', {
        setting: {
          vi: 'PUBLIC_URL (SSO_PUBLIC_URL): địa chỉ công khai của hub, để báo cho ứng dụng issuer của nó',
          en: 'PUBLIC_URL (SSO_PUBLIC_URL): the hub’s public address, which gives the apps their issuer',
        },
      });
    }
    const db = await createDatabase(config);
    try {
      await migrateToLatest(db);
      const relay = ssoAdminFor(config, db, loadKeyring(config));
      return {
        relay,
        close: async () => {
          await relay.close();
          await db.close();
        },
      };
    } catch (error) {
      await db.close();
      throw error;
    }
  });
  return program;
}

// An adapter's PermanentError reaching the top (bad suite file, refused source) is the user's to fix.
const USER_ERRORS = [UsageError, InputError, ConfigError, AdapterError];

/** Runs the program and returns the process exit code; never throws for a user's mistake. */
export async function runProgram(program: Command, ctx: CliContext, argv = process.argv): Promise<number> {
  try {
    await program.parseAsync(argv);
    return ctx.exitCode;
  } catch (err) {
    if (err instanceof CommanderError) {
      // Help and version are "errors" to commander; they printed already and exit 0.
      return err.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    if (USER_ERRORS.some((cls) => err instanceof cls)) {
      process.stderr.write(`${errorLine(err as Error)}\n`);
      return EXIT.usage;
    }
    process.stderr.write(
      'Lỗi nội bộ của EduBridge, xin báo cho nhóm phát triển kèm nội dung dưới đây / Internal EduBridge error, please report it with the text below\n',
    );
    process.stderr.write(`${(err as Error)?.stack ?? String(err)}\n`);
    return 70;
  }
}

/**
 * A user's error as one line: its code, its message, and, when the error catalogue knows the code
 * and it is not a mistake in what was typed (whose message says what to fix), what to do about it.
 */
export function errorLine(error: Error & { code?: unknown }): string {
  if (typeof error.code !== 'string') return `Lỗi / Error: ${error.message}`;
  const described = describeError(error.code);
  const todo =
    described.found === 'unknown' || described.kind === 'bad-input'
      ? ''
      : ` Cách xử lý / What to do: ${described.action.vi} / ${described.action.en}`;
  return `Lỗi / Error [${error.code}]: ${error.message}${todo}`;
}
