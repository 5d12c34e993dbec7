/**
 * Validates canonical JSONL files as a stream: one record per line, each checked by the model's
 * record rules and then by the dataset rules, with only the report (capped) and the dataset
 * fingerprints kept in memory.
 */
import { readdir, stat } from 'node:fs/promises';
import { basename, join, relative } from 'node:path';
import {
  checkRecord,
  DatasetChecker,
  error,
  errorMessage,
  hasErrors,
  type RuleContext,
} from '../model/index.ts';
import { InputError } from './errors.ts';
import { readLineBatches } from './lines.ts';
import { type DataQualityReport, ReportBuilder } from './report.ts';

/** Where a record was, kept by the dataset rules for problems they find only at the end. */
interface RecordRef {
  file: string;
  line: number;
  type: string;
  key: string;
  invalid: boolean;
}

/** The `type` a record claims, for counting a record whose shape is broken. */
function typeOf(input: unknown): string | null {
  const type = (input as { type?: unknown } | null)?.type;
  return typeof type === 'string' ? type : null;
}

export { InputError } from './errors.ts';

export interface ValidateOptions extends Partial<RuleContext> {
  /** Most problems listed in the report (all are counted). */
  maxProblems?: number;
  /** Called now and then with bytes read so far and the total, for a progress bar. */
  onProgress?: (progress: { bytes: number; totalBytes: number; records: number }) => void;
}

/** The JSONL files a path names: the file itself, or every `*.jsonl` under a directory, sorted. */
export async function listDataFiles(path: string): Promise<string[]> {
  let info: Awaited<ReturnType<typeof stat>>;
  try {
    info = await stat(path);
  } catch {
    throw new InputError('INPUT_NOT_FOUND', errorMessage('INPUT_NOT_FOUND', { path }));
  }
  if (info.isFile()) return [path];
  const entries = await readdir(path, { recursive: true, withFileTypes: true });
  const files = entries
    .filter((e) => e.isFile() && e.name.endsWith('.jsonl'))
    .map((e) => join(e.parentPath, e.name))
    .sort();
  if (files.length === 0) {
    throw new InputError('INPUT_EMPTY', errorMessage('INPUT_EMPTY', { path }));
  }
  return files;
}

/**
 * Validates one file or a directory of JSONL files and returns the data-quality report.
 *
 * @example
 * const report = await validatePath('out/district', { asOf: new Date('2026-11-27') });
 * console.log(report.totals.invalid);
 */
export async function validatePath(path: string, options: ValidateOptions = {}): Promise<DataQualityReport> {
  const files = await listDataFiles(path);
  const ctx: RuleContext = {
    asOf: options.asOf ?? new Date(),
    ...(options.extraProvinceCodes ? { extraProvinceCodes: options.extraProvinceCodes } : {}),
    ...(options.ageTolerance ? { ageTolerance: options.ageTolerance } : {}),
    textLimits: options.textLimits,
  };
  const report = new ReportBuilder(ctx.asOf, options.maxProblems);
  const dataset = new DatasetChecker<RecordRef>({ asOf: ctx.asOf });
  const sizes = await Promise.all(files.map(async (f) => (await stat(f)).size));
  const totalBytes = sizes.reduce((a, b) => a + b, 0);
  let bytesBefore = 0;
  let records = 0;
  const isDir = files.length > 1 || files[0] !== path;
  for (const [i, file] of files.entries()) {
    const name = isDir ? relative(path, file) : basename(file);
    let lineNo = 0;
    try {
      for await (const batch of readLineBatches(file)) {
        for (const raw of batch.lines) {
          lineNo++;
          const text = lineNo === 1 ? raw.replace(/^\ufeff/, '') : raw;
          if (text.trim() === '') continue;
          records++;
          let input: unknown;
          try {
            input = JSON.parse(text);
          } catch {
            report.record({ file: name, line: lineNo }, null, null, [
              error('JSON_MALFORMED', '', 'Dòng không phải JSON hợp lệ', 'The line is not valid JSON'),
            ]);
            continue;
          }
          const check = checkRecord(input, ctx);
          if (!check.record) {
            report.record({ file: name, line: lineNo }, typeOf(input), null, check.problems);
            continue;
          }
          // Dataset rules run on every parsed record, valid or not: a duplicate is worth knowing
          // about even on a record that has another fault.
          const { type, key } = check.record;
          const ref: RecordRef = { file: name, line: lineNo, type, key, invalid: false };
          const problems = [...check.problems, ...dataset.check(check.record, ref)];
          ref.invalid = hasErrors(problems);
          report.record(ref, type, key, problems);
        }
        options.onProgress?.({ bytes: bytesBefore + batch.bytesRead, totalBytes, records });
      }
    } catch (cause) {
      throw new InputError(
        'INPUT_UNREADABLE',
        errorMessage('INPUT_UNREADABLE', { path: name, reason: (cause as Error).message }),
      );
    }
    bytesBefore += sizes[i]!;
    report.file(name, lineNo);
  }
  for (const { ref, problem } of dataset.finish()) {
    if (ref) report.late(ref, ref.type, ref.key, problem, ref.invalid);
  }
  options.onProgress?.({ bytes: totalBytes, totalBytes, records });
  return report.build();
}
