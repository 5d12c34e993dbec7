import type { Command } from 'commander';
import { checkPersonalId, formatMessage, type Gender, PROVINCE_CODES } from '../../model/index.ts';
import { badOption, EXIT, printJson, printLine } from '../io.ts';

interface IdCheckOptions {
  dob?: string;
  gender?: string;
  json?: boolean;
  asOf?: string;
}

export function parseIsoDateOption(value: string | undefined, flag: string): string | undefined {
  if (value === undefined) return undefined;
  const valid = /^\d{4}-\d{2}-\d{2}$/.test(value) && !Number.isNaN(Date.parse(`${value}T00:00:00Z`));
  if (!valid || new Date(`${value}T00:00:00Z`).toISOString().slice(0, 10) !== value) {
    throw badOption(
      flag,
      `phải là ngày dạng YYYY-MM-DD (nhận được "${value}")`,
      `must be a date as YYYY-MM-DD (got "${value}")`,
    );
  }
  return value;
}

function parseGender(value: string | undefined): Gender | undefined {
  if (value === undefined) return undefined;
  if (value !== 'male' && value !== 'female') {
    throw badOption(
      '--gender',
      `phải là male hoặc female (nhận được "${value}")`,
      `must be male or female (got "${value}")`,
    );
  }
  return value;
}

export function registerIdCommands(program: Command, setExitCode: (code: number) => void): void {
  const id = program.command('id').description('Số định danh cá nhân / Personal identification numbers');
  id.command('check')
    .description('Kiểm tra một số định danh 12 chữ số / Check a 12-digit personal ID number')
    .argument('<number>', 'số định danh / the ID number')
    .option('--dob <YYYY-MM-DD>', 'ngày sinh để đối chiếu / birth date to cross-check')
    .option('--gender <male|female>', 'giới tính để đối chiếu / gender to cross-check')
    .option('--as-of <YYYY-MM-DD>', 'ngày tham chiếu thay cho hôm nay / reference date instead of today')
    .option('--json', 'in kết quả dạng JSON / print JSON')
    .action((number: string, opts: IdCheckOptions) => {
      const birthDate = parseIsoDateOption(opts.dob, '--dob');
      const gender = parseGender(opts.gender);
      const asOf = parseIsoDateOption(opts.asOf, '--as-of');
      const check = checkPersonalId(number, {
        birthDate,
        gender,
        ...(asOf ? { asOf: new Date(`${asOf}T00:00:00Z`) } : {}),
      });
      const errors = check.problems.filter((p) => p.severity === 'error');
      const warnings = check.problems.filter((p) => p.severity === 'warning');
      setExitCode(check.valid ? EXIT.ok : EXIT.invalid);
      if (opts.json) {
        printJson({
          valid: check.valid,
          provinceCode: check.facts?.provinceCode ?? null,
          gender: check.facts?.gender ?? null,
          errors: errors.map((p) => ({ code: p.code, message: formatMessage(p) })),
          ...(check.normalized && check.normalized !== number ? { normalized: check.normalized } : {}),
          ...(warnings.length > 0
            ? { warnings: warnings.map((p) => ({ code: p.code, message: formatMessage(p) })) }
            : {}),
        });
        return;
      }
      if (check.valid && check.facts) {
        const province = PROVINCE_CODES.get(check.facts.provinceCode)?.name ?? check.facts.provinceCode;
        const genderVi = check.facts.gender === 'male' ? 'nam' : 'nữ';
        printLine(
          `✓ Hợp lệ / Valid: ${province} (${check.facts.provinceCode}), ${genderVi} / ${check.facts.gender}, sinh năm / born ${check.facts.birthYear}`,
        );
      } else {
        printLine('✗ Không hợp lệ / Invalid');
      }
      for (const p of check.problems)
        printLine(
          `  ${p.severity === 'error' ? 'lỗi/error' : 'cảnh báo/warning'} ${p.code}: ${formatMessage(p)}`,
        );
    });
}
