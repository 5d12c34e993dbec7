import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { describe, expect, it } from 'vitest';
import { commanderUsageError } from './commander-errors.ts';
import { errorLine } from './program.ts';

/** commander's own message for `args` (commander 14 as installed, so a change of shape shows here). */
function commanderMessage(args: string[]): string {
  const program = new Command('edubridge')
    .exitOverride()
    .showSuggestionAfterError(true)
    .configureOutput({ writeErr: () => {}, writeOut: () => {} });
  program
    .command('import')
    .argument('<file>')
    .requiredOption('--school <code>')
    .option('--kind <kind>')
    .option('--out <file>')
    .addOption(new Option('--json').conflicts('xlsx'))
    .option('--xlsx <file>')
    .addOption(
      new Option('--level <n>').argParser(() => {
        throw new InvalidArgumentError('Too high.');
      }),
    )
    .action(() => {});
  try {
    program.parse(args, { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) return error.message;
    throw error;
  }
  throw new Error(`no error for ${args.join(' ')}`);
}

const line = (args: string[]) => {
  const error = commanderUsageError(commanderMessage(args));
  return error ? errorLine(error) : null;
};

describe("commander's usage errors in the catalogue's words", () => {
  it('a required option left out', () => {
    expect(line(['import', 'a.xlsx'])).toBe(
      'Lỗi / Error [OPTION_MISSING]: Thiếu --school <code> / Missing --school <code>',
    );
  });

  it('an unknown option, with the one meant', () => {
    expect(line(['import', 'a.xlsx', '--school', 'X', '--outt', 'b'])).toBe(
      'Lỗi / Error [OPTION_UNKNOWN]: Lệnh không có tuỳ chọn --outt (có phải ý bạn là --out?) / Unknown option --outt (did you mean --out?)',
    );
    expect(line(['import', 'a.xlsx', '--school', 'X', '--zzz'])).toBe(
      'Lỗi / Error [OPTION_UNKNOWN]: Lệnh không có tuỳ chọn --zzz / Unknown option --zzz',
    );
  });

  it('an option without its value', () => {
    expect(line(['import', 'a.xlsx', '--school'])).toBe(
      'Lỗi / Error [OPTION_INVALID]: --school <code> cần một giá trị / --school <code> needs a value',
    );
  });

  it('a missing argument, and one too many', () => {
    expect(line(['import', '--school', 'X'])).toBe(
      'Lỗi / Error [ARGUMENT_MISSING]: Thiếu đối số file / Missing argument file',
    );
    expect(line(['import', 'a.xlsx', 'b.xlsx', '--school', 'X'])).toBe(
      'Lỗi / Error [ARGUMENT_INVALID]: Đối số không hợp lệ: lệnh import nhận 1 đối số, nhận được 2 / Invalid argument: the command import takes 1 argument(s), got 2',
    );
  });

  it('an unknown command', () => {
    expect(line(['imprt'])).toBe(
      'Lỗi / Error [COMMAND_UNKNOWN]: Không có lệnh imprt (có phải ý bạn là import?) / Unknown command imprt (did you mean import?)',
    );
  });

  it('two options that exclude each other', () => {
    expect(line(['import', 'a.xlsx', '--school', 'X', '--json', '--xlsx', 'r.xlsx'])).toMatch(
      /^Lỗi \/ Error \[OPTIONS_CONFLICT\]: Không dùng được --json cùng với --xlsx <file>: .+ \/ --json cannot be used with --xlsx <file>: /,
    );
  });

  it('a value the option’s parser refused', () => {
    expect(line(['import', 'a.xlsx', '--school', 'X', '--level', '7'])).toBe(
      'Lỗi / Error [OPTION_INVALID]: --level <n> không nhận giá trị "7" (Too high.) / --level <n> does not take "7" (Too high.)',
    );
  });

  it('passes any other message on as it is', () => {
    expect(commanderUsageError('error: something new')).toBeNull();
  });
});
