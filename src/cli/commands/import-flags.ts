/**
 * The flags of `edubridge import` that cannot go together, refused before the file is read, each
 * in one bilingual line (exit 2): a combination that would silently do less than asked is a
 * mistake to say, not to guess about.
 *
 * - `--dry-run` with `--out`: a dry run writes no records, so `--out` would be ignored. Refused.
 * - `--dry-run` with `--xlsx`: allowed. The marked copy is a report on the file, not a write of
 *   records; checking a file and getting it back marked is what a dry run is for.
 * - `--all` without `--json`: `--all` adds every finding to the JSON; the text report shows groups
 *   (the marked copy, `--xlsx`, lists every finding for people). Refused.
 * - `--out` or `--xlsx` naming the school's file itself, or both naming one file: the school's
 *   file would be overwritten, or one output by the other. Refused.
 * - `--xlsx` not ending in `.xlsx`, in a directory that does not exist, or naming a directory.
 */
import { existsSync, statSync } from 'node:fs';
import { dirname, extname, resolve } from 'node:path';
import { badOption, type UsageError, usageError } from '../io.ts';

export interface ImportFlags {
  dryRun?: boolean;
  json?: boolean;
  all?: boolean;
  out?: string;
  xlsx?: string;
}

const conflict = (option: string, other: string, vi: string, en: string): UsageError =>
  usageError('OPTIONS_CONFLICT', { option, other, reason: { vi, en } });

const samePath = (a: string, b: string): boolean => resolve(a) === resolve(b);

/** Throws the usage error of the first contradiction among the flags, if any. */
export function refuseContradictions(file: string, flags: ImportFlags): void {
  if (flags.dryRun && flags.out !== undefined) {
    throw conflict(
      '--dry-run',
      '--out',
      'chạy thử không ghi bản ghi nào, nên --out sẽ không có tác dụng; bỏ --dry-run để ghi, hoặc bỏ --out',
      'a dry run writes no records, so --out would do nothing; drop --dry-run to write them, or drop --out',
    );
  }
  if (flags.all && !flags.json) {
    throw badOption(
      '--all',
      'chỉ dùng cùng --json (danh sách đầy đủ cho người đọc: --xlsx)',
      'applies to --json only (the full list for people: --xlsx)',
    );
  }
  for (const [flag, path] of [
    ['--out', flags.out],
    ['--xlsx', flags.xlsx],
  ] as const) {
    if (path !== undefined && samePath(path, file)) {
      throw badOption(
        flag,
        `trùng với tệp đang nhập ("${path}"), tệp của trường sẽ bị ghi đè`,
        `is the file being imported ("${path}"), which would be overwritten`,
      );
    }
  }
  if (flags.out !== undefined && flags.xlsx !== undefined && samePath(flags.out, flags.xlsx)) {
    throw conflict('--out', '--xlsx', `cả hai ghi vào "${flags.out}"`, `both would write "${flags.out}"`);
  }
  if (flags.xlsx !== undefined) xlsxPath(flags.xlsx);
}

/** `--xlsx`'s path, checked: an `.xlsx` in a directory that exists, not a directory itself. */
function xlsxPath(path: string): void {
  if (extname(path).toLowerCase() !== '.xlsx') {
    throw badOption(
      '--xlsx',
      `phải là tệp .xlsx (nhận được "${path}")`,
      `must be an .xlsx file (got "${path}")`,
    );
  }
  const dir = dirname(resolve(path));
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw usageError('OUT_DIR_NOT_FOUND', { dir: dirname(path), path });
  }
  if (existsSync(path) && statSync(path).isDirectory()) {
    throw badOption('--xlsx', `là một thư mục ("${path}")`, `is a directory ("${path}")`);
  }
}
