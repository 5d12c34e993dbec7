/**
 * `edubridge import <file> --kind … --school …`: reads a school's spreadsheet through the excel
 * adapter, checks every record with the model's rules, and reports each problem at the row and
 * column a person opens to fix it. Problems are reported grouped by rule and column (one fault
 * made on every row is one group with its count and first rows, `src/quality/findings.ts`);
 * `--json --all` adds each finding (capped), `--xlsx` gives the school's file back with the
 * problem cells marked (`src/quality/marked-copy.ts`). With `--out`, the records that passed
 * (warnings included) are written as canonical JSONL.
 */
import { once } from 'node:events';
import { createReadStream, createWriteStream, existsSync, type WriteStream } from 'node:fs';
import { rename, rm, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { createInterface } from 'node:readline';
import type { Command } from 'commander';
import {
  type CanonicalRecord,
  checkRecord,
  DatasetChecker,
  formatMessage,
  type Problem,
  type RuleContext,
  type TextLimits,
} from '../../model/index.ts';
import { InputError } from '../../quality/errors.ts';
import { type Finding, type FindingGroup, FindingGroups } from '../../quality/findings.ts';
import type { MarkedCopyResult } from '../../quality/marked-copy.ts';
import { maskPersonalText, maskValue, personalDataClassOf, valueAtPath } from '../../quality/mask.ts';
import { renderFindingGroups } from '../../quality/render-findings.ts';
import { readContext } from '../../sdk/adapter.ts';
import {
  type Adapter,
  type AdapterLogger,
  type InputLimits,
  isSignal,
  PermanentError,
  parseAdapterConfig,
  type RecordError,
  type StreamName,
} from '../../sdk/index.ts';
import { badOption, EXIT, printJson, printLine, usageError } from '../io.ts';
import { createProgressBar } from '../progress.ts';
import { parseIsoDateOption } from './id.ts';
import { refuseContradictions } from './import-flags.ts';
import { type TableEndNote, tableEndLines, tableEndNote } from './import-notes.ts';

/** What a file holds, and the adapter stream its records come on. */
export const IMPORT_KINDS = {
  students: 'students',
  teachers: 'teachers',
  grades: 'assessments',
  results: 'assessments',
  timetable: 'timetable',
  fees: 'fees',
} as const satisfies Record<string, StreamName>;
export type ImportKind = keyof typeof IMPORT_KINDS;

const KIND_VI: Record<ImportKind, string> = {
  students: 'học sinh',
  teachers: 'giáo viên',
  grades: 'sổ điểm',
  results: 'kết quả học tập',
  timetable: 'thời khóa biểu',
  fees: 'khoản thu',
};

/** One problem, where it is in the spreadsheet. */
export interface ImportIssue {
  /** The spreadsheet's own row number. */
  row: number | null;
  /** Column letter. */
  column: string | null;
  /** Canonical field path (`birthDate`, `guardians.0.personalId`). */
  field: string;
  code: string;
  level: 'error' | 'warning';
  /** Vietnamese / English, ID and phone numbers masked. */
  message: string;
}

export interface ImportResult {
  summary: { total: number; valid: number; invalid: number; warnings: number };
  /** Every finding, in sheet then row order. */
  issues: ImportIssue[];
  /** The sheet of each issue (same order), for people: a grade book has a sheet per subject. */
  issueSheets: string[];
  /** Each issue's message in Vietnamese and English apart (same order), unmasked: for `findingsOf`. */
  issueMessages: Array<{ vi: string; en: string }>;
  /** The findings grouped by rule and column, each with its count and first rows. */
  groups: FindingGroup[];
  /** Sheets whose table ended before their last rows (a footer): where, and what was left unread. */
  tableEnds: TableEndNote[];
}

export interface ImportOptions {
  file: string;
  kind: ImportKind;
  schoolCode: string;
  schoolYear?: string;
  sheet?: string;
  asOf: Date;
  /** Text length limits by kind (TEXT_LIMITS); the defaults without it. */
  textLimits?: TextLimits;
  /** Bounds on what the adapter parses (XLSX_MAX_INFLATED_BYTES …); the defaults without it. */
  inputLimits?: InputLimits;
  /** Where to write the valid records (JSONL); nothing is written without it. */
  out?: string;
  /** Rows kept as examples of each group of findings (default 10). */
  samples?: number;
  onProgress?: (progress: { rows: number; totalRows: number }) => void;
}

/** Issues with their sheet, for ordering (the JSON shape has no sheet). */
interface PlacedIssue extends ImportIssue {
  sheet: string;
  /** Both messages (the marked copy shows them apart). */
  text: { vi: string; en: string };
}

/** Where a record is: `C1-HocSinh.xlsx!Sheet1 row 12 col D (Ngày sinh)`. */
const LOCATION = /^(.*!(.*?)) row (\d+)(?: col ([A-Z]+))?/;

interface SheetColumns {
  /** Column letter by canonical field. */
  columns: Record<string, string>;
  /** Header text by column letter. */
  headers: Map<string, string>;
}

/** Looks up the column of a field in the header the adapter reported for the sheet. */
function columnOf(
  sheet: SheetColumns | undefined,
  field: string,
  record: CanonicalRecord | null,
): string | null {
  if (!sheet) return null;
  const { columns } = sheet;
  const candidates: string[] = [field];
  const guardian = /^guardians\.(\d+)(?:\.(.+))?$/.exec(field);
  if (guardian && record?.type === 'student') {
    const rel = record.guardians[Number(guardian[1])]?.relationship;
    if (rel) candidates.push(`guardians[${rel}].${guardian[2] ?? 'fullName'}`);
    if (guardian[2] === 'phone') candidates.push('guardians.phone');
  }
  if (field === 'guardians') {
    candidates.push(
      'guardians[father].fullName',
      'guardians[mother].fullName',
      'guardians[guardian].fullName',
    );
  }
  // A learning result's subjects move from row to row: `subjects.N` is the record's N-th subject,
  // whose column the adapter logged as `subjects[CODE]`.
  const subject = /^subjects\.(\d+)(?:\..+)?$/.exec(field);
  if (subject && record?.type === 'learningResult') {
    const code = record.subjects[Number(subject[1])]?.subjectCode;
    if (code) candidates.push(`subjects[${code}]`);
  }
  const item = /^items(?:\.\d+)?(?:\.(.+))?$/.exec(field);
  if (item) candidates.push(`items.${item[1] ?? 'amount'}`);
  if (field === 'total') candidates.push('items.amount');
  if (field === 'result') candidates.push('average');
  if (field === 'key') candidates.push('studentCode', 'teacherCode', 'receivableNo');
  for (const c of candidates) if (columns[c]) return columns[c]!;
  return null;
}

const toIssue = (p: Problem, row: number | null, column: string | null, sheet: string): PlacedIssue => ({
  row,
  column,
  field: p.field,
  code: p.code,
  level: p.severity,
  message: maskPersonalText(formatMessage(p)),
  sheet,
  text: p.message,
});

/** An adapter's message ("vi / en") as its two halves, for the marked copy's columns. */
function splitMessage(message: string): { vi: string; en: string } {
  const at = message.indexOf(' / ');
  return at < 0 ? { vi: message, en: message } : { vi: message.slice(0, at), en: message.slice(at + 3) };
}

/** Issues as findings at their place, for the marked copy. */
export function findingsOf(result: ImportResult): Finding[] {
  return result.issues.map((i, n) => ({
    sheet: result.issueSheets[n] ?? '',
    row: i.row,
    column: i.column,
    field: i.field,
    code: i.code,
    level: i.level,
    message: result.issueMessages[n] ?? splitMessage(i.message),
  }));
}

/** A field's value in a record as an example may show it (masked where personal). */
function sampleValue(record: { type: string } | null | undefined, field: string): string | undefined {
  if (!record) return undefined;
  const value = valueAtPath(record, field);
  return value === undefined ? undefined : maskValue(value, personalDataClassOf(record.type, field));
}

/** Writes lines with backpressure. */
class JsonlOut {
  private readonly stream: WriteStream;
  constructor(readonly path: string) {
    this.stream = createWriteStream(path, { encoding: 'utf8' });
  }
  async line(text: string): Promise<void> {
    if (!this.stream.write(`${text}\n`)) await once(this.stream, 'drain');
  }
  async close(): Promise<void> {
    this.stream.end();
    await once(this.stream, 'finish');
  }
}

/** Drops the lines of records found invalid at the end (a dataset rule), then moves the file in place. */
async function finishOut(partial: string, out: string, dropKeys: ReadonlySet<string>): Promise<void> {
  if (dropKeys.size === 0) {
    await rename(partial, out);
    return;
  }
  const target = new JsonlOut(out);
  for await (const line of createInterface({
    input: createReadStream(partial),
    crlfDelay: Number.POSITIVE_INFINITY,
  })) {
    if (line === '') continue;
    const key = (JSON.parse(line) as { key: string }).key;
    if (!dropKeys.has(key)) await target.line(line);
  }
  await target.close();
  await rm(partial, { force: true });
}

/**
 * Imports one file: adapter read, record rules, dataset rules. Throws InputError for a file that
 * cannot be read as asked (missing, no header, bad option); data problems come back as issues.
 *
 * @example
 * const result = await importFile(excel, { file: 'C1-HocSinh.xlsx', kind: 'students', schoolCode: '79NB0001', asOf: new Date() });
 * result.summary.invalid // rows that cannot go to the city as they are
 */
export async function importFile(adapter: Adapter, options: ImportOptions): Promise<ImportResult> {
  const sheets = new Map<string, SheetColumns>();
  const headersBySheet = new Map<string, Map<string, string>>();
  let totalRows = 0;
  const tableEnds: TableEndNote[] = [];
  const logger: AdapterLogger = {
    debug() {},
    info(msg, data) {
      const end = tableEndNote(msg, data);
      if (end) tableEnds.push(end);
      if (msg !== 'excel header' || !data) return;
      const key = `${String(data.file)}!${String(data.sheet)}`;
      if (!sheets.has(key)) {
        const columns = (data.columns ?? {}) as Record<string, string>;
        const texts = (data.headers ?? {}) as Record<string, string | undefined>;
        const headers = new Map<string, string>();
        for (const [field, letter] of Object.entries(columns)) {
          const text = texts[field];
          if (text) headers.set(letter, text.replace(/\s+/g, ' ').trim());
        }
        sheets.set(key, { columns, headers });
        headersBySheet.set(String(data.sheet), headers);
        if (typeof data.lastRow === 'number') totalRows += data.lastRow;
      }
    },
    warn() {},
    error() {},
  };
  let config: unknown;
  try {
    config = parseAdapterConfig(
      adapter.configSchema,
      {
        path: options.file,
        kind: options.kind,
        schoolCode: options.schoolCode,
        ...(options.schoolYear ? { schoolYear: options.schoolYear } : {}),
        ...(options.sheet ? { sheet: options.sheet } : {}),
      },
      adapter.id,
    );
  } catch (error) {
    if (error instanceof PermanentError) throw new InputError(error.code, error.message);
    throw error;
  }
  const ctx: RuleContext = { asOf: options.asOf, textLimits: options.textLimits };
  const dataset = new DatasetChecker<{ row: number | null; sheet: string; key: string; invalid: boolean }>({
    asOf: options.asOf,
  });
  const issues: PlacedIssue[] = [];
  const groups = new FindingGroups(options.samples, (sheet, column) =>
    headersBySheet.get(sheet)?.get(column),
  );
  const report = (issue: PlacedIssue, value?: () => string | undefined) => {
    issues.push(issue);
    groups.add({ ...issue, message: issue.text }, value);
  };
  /** Sheets in the order their rows came, to list problems sheet by sheet. */
  const sheetOrder = new Map<string, number>();
  let total = 0;
  let invalid = 0;
  const partial = options.out ? `${options.out}.partial` : undefined;
  const out = partial ? new JsonlOut(partial) : null;
  const read = adapter.read(
    IMPORT_KINDS[options.kind],
    readContext(
      {
        logger,
        signal: new AbortController().signal,
        now: () => new Date(),
        ...(options.inputLimits ? { limits: options.inputLimits } : {}),
      },
      config,
      undefined,
    ),
  );
  const place = (location: string | undefined) => {
    const m = location ? LOCATION.exec(location) : null;
    if (!m) return { sheetKey: '', sheet: '', row: null, column: null };
    if (!sheetOrder.has(m[2]!)) sheetOrder.set(m[2]!, sheetOrder.size);
    return { sheetKey: m[1]!, sheet: m[2]!, row: Number(m[3]), column: m[4] ?? null };
  };
  try {
    for await (const item of read) {
      if (isSignal(item)) {
        if (item.kind !== 'rejected') continue;
        const error: RecordError = item.error;
        const at = place(error.location);
        total++;
        invalid++;
        report({
          row: at.row,
          column: at.column,
          field: error.field ?? '',
          code: error.code,
          level: 'error',
          message: maskPersonalText(error.message),
          sheet: at.sheet,
          text: splitMessage(error.message),
        });
      } else {
        total++;
        const at = place(item.source.location);
        const sheet = sheets.get(at.sheetKey);
        const check = checkRecord(item, ctx);
        const ref = { row: at.row, sheet: at.sheet, key: item.key, invalid: false };
        const problems = check.record
          ? [...check.problems, ...dataset.check(check.record, ref)]
          : check.problems;
        ref.invalid = problems.some((p) => p.severity === 'error');
        if (ref.invalid) invalid++;
        for (const p of problems) {
          // A lesson's location names its own cell; other records are found by their field.
          const column =
            at.column && item.type === 'timetableSlot' ? at.column : columnOf(sheet, p.field, check.record);
          report(toIssue(p, at.row, column, at.sheet), () => sampleValue(check.record ?? item, p.field));
        }
        if (out && !ref.invalid && check.record) await out.line(JSON.stringify(check.record));
      }
      options.onProgress?.({ rows: total, totalRows });
    }
  } catch (error) {
    if (out) await out.close();
    if (partial) await rm(partial, { force: true });
    if (error instanceof PermanentError) throw new InputError(error.code, error.message);
    throw error;
  }
  const dropped = new Set<string>();
  for (const { ref, problem } of dataset.finish()) {
    if (!ref) continue;
    if (problem.severity === 'error' && !ref.invalid) {
      ref.invalid = true;
      invalid++;
      dropped.add(ref.key);
    }
    const sheetKey = [...sheets.keys()].find((k) => k.endsWith(`!${ref.sheet}`));
    report(
      toIssue(
        problem,
        ref.row,
        columnOf(sheetKey ? sheets.get(sheetKey) : undefined, problem.field, null),
        ref.sheet,
      ),
    );
  }
  if (out && partial && options.out) {
    await out.close();
    await finishOut(partial, options.out, dropped);
  }
  const order = (name: string) => sheetOrder.get(name) ?? -1;
  issues.sort((a, b) => order(a.sheet) - order(b.sheet) || (a.row ?? 0) - (b.row ?? 0));
  return {
    summary: {
      total,
      valid: total - invalid,
      invalid,
      warnings: issues.filter((i) => i.level === 'warning').length,
    },
    issues: issues.map(({ sheet: _sheet, text: _text, ...issue }) => issue),
    issueSheets: issues.map((i) => i.sheet),
    issueMessages: issues.map((i) => i.text),
    groups: groups.build(),
    tableEnds,
  };
}

interface ImportCliOptions {
  kind?: string;
  school?: string;
  schoolYear?: string;
  sheet?: string;
  dryRun?: boolean;
  json?: boolean;
  out?: string;
  asOf?: string;
  all?: boolean;
  xlsx?: string;
}

/** Findings `--json --all` lists at most, so its JSON stays bounded whatever the file. */
export const MAX_LISTED_ISSUES = 100_000;

const num = (n: number) => n.toLocaleString('en-US');

function renderText(result: ImportResult, options: ImportOptions, dryRun: boolean, maxListed = 50): string {
  const { summary } = result;
  const lines = [
    `NHẬP TỆP / IMPORT: ${basename(options.file)} — ${KIND_VI[options.kind]} / ${options.kind} — trường / school ${options.schoolCode}${dryRun ? ' (chỉ kiểm tra / dry run)' : ''}`,
    `Dòng / Rows: ${num(summary.total)}   hợp lệ / valid: ${num(summary.valid)}   lỗi / invalid: ${num(summary.invalid)}   cảnh báo / warnings: ${num(summary.warnings)}`,
    ...tableEndLines(result.tableEnds),
  ];
  if (result.groups.length > 0) {
    lines.push(
      '',
      'Vấn đề theo quy tắc / Findings by rule (mức  cột  trường  mã  × số lần  dòng — thông báo / level  column  field  code  × count  rows — message)',
      ...renderFindingGroups(result.groups, maxListed),
    );
  }
  lines.push('');
  lines.push(
    summary.invalid > 0
      ? `KẾT QUẢ: ${num(summary.invalid)} dòng có lỗi cần sửa / RESULT: ${num(summary.invalid)} rows with errors to fix`
      : `KẾT QUẢ: không có lỗi / RESULT: no errors${summary.warnings > 0 ? ` (${num(summary.warnings)} cảnh báo / warnings)` : ''}`,
  );
  return lines.join('\n');
}

/** `--json --all`: every finding, at most MAX_LISTED_ISSUES of them, and how many more there were. */
function listedIssues(result: ImportResult): { issues: ImportIssue[]; issuesNotListed?: number } {
  const more = result.issues.length - MAX_LISTED_ISSUES;
  return more > 0
    ? { issues: result.issues.slice(0, MAX_LISTED_ISSUES), issuesNotListed: more }
    : { issues: result.issues };
}

function markedCopyLine(path: string, marked: MarkedCopyResult): string {
  return marked.copied
    ? `Đã ghi tệp đánh dấu ${num(marked.cells)} ô có vấn đề và trang "Lỗi - Findings" (${num(marked.findings)} vấn đề) vào / Wrote the file with ${num(marked.cells)} problem cells marked and a "Lỗi - Findings" sheet (${num(marked.findings)} findings) to ${path}`
    : `Không chép được dữ liệu của tệp; chỉ ghi trang "Lỗi - Findings" (${num(marked.findings)} vấn đề) vào / The file's data could not be copied; wrote the "Lỗi - Findings" sheet alone (${num(marked.findings)} findings) to ${path}`;
}

function kindOption(value: string | undefined): ImportKind {
  const kinds = Object.keys(IMPORT_KINDS);
  if (value === undefined) {
    throw usageError('OPTION_MISSING', {
      option: { vi: `--kind (một trong: ${kinds.join(', ')})`, en: `--kind (one of: ${kinds.join(', ')})` },
    });
  }
  if (!kinds.includes(value)) {
    throw badOption(
      '--kind',
      `phải là một trong: ${kinds.join(', ')}${value ? ` (nhận được "${value}")` : ''}`,
      `must be one of: ${kinds.join(', ')}${value ? ` (got "${value}")` : ''}`,
    );
  }
  return value as ImportKind;
}

/**
 * Registers `edubridge import`. The excel adapter is passed in (src/ does not import adapters/), as
 * the adapter itself or as a loader, so the command costs nothing until it runs.
 *
 * @example
 * registerImportCommand(program, setExitCode, { excel: () => loadBuiltInAdapter('excel') });
 */
export function registerImportCommand(
  program: Command,
  setExitCode: (code: number) => void,
  adapters: { excel: Adapter | (() => Promise<Adapter>) },
): void {
  program
    .command('import')
    .description(
      'Nhập tệp Excel/CSV của trường, kiểm tra và báo lỗi theo dòng, cột / Import a school spreadsheet, check it and report problems by row and column',
    )
    .argument('<file>', 'tệp .xlsx hoặc .csv / an .xlsx or .csv file')
    // Checked in the action, so that a missing --kind lists the kinds.
    .option('--kind <kind>', `loại dữ liệu / what the file holds: ${Object.keys(IMPORT_KINDS).join('|')}`)
    .requiredOption('--school <code>', 'mã trường / the school code')
    .option('--school-year <yyyy-yyyy>', 'năm học khi tệp không ghi / school year when the file does not say')
    .option('--sheet <name>', 'chỉ đọc trang tính này / read only this sheet')
    .option(
      '--dry-run',
      'chỉ kiểm tra, không ghi bản ghi (không dùng cùng --out; --xlsx vẫn được) / check and report, write no records (not with --out; --xlsx is fine)',
    )
    .option(
      '--json',
      'in kết quả dạng JSON: tổng hợp và các nhóm vấn đề / print the result as JSON: the summary and the groups of findings',
    )
    .option(
      '--all',
      `với --json: thêm từng vấn đề (tối đa ${num(MAX_LISTED_ISSUES)}) / with --json: add each finding (at most ${num(MAX_LISTED_ISSUES)})`,
    )
    .option(
      '--xlsx <report.xlsx>',
      'ghi lại tệp của trường, đánh dấu từng ô có vấn đề, kèm trang "Lỗi - Findings" / write the school’s file back with each problem cell marked and a "Lỗi - Findings" sheet',
    )
    .option('--out <file>', 'ghi bản ghi hợp lệ ra JSONL / write the valid records as JSONL')
    .option('--as-of <YYYY-MM-DD>', 'ngày tham chiếu cho tuổi / reference date for ages')
    .action(async (file: string, opts: ImportCliOptions) => {
      const kind = kindOption(opts.kind);
      refuseContradictions(file, opts);
      const schoolCode = opts.school?.trim() ?? '';
      if (schoolCode === '') {
        throw badOption('--school', 'không được để trống', 'must not be empty');
      }
      if (opts.schoolYear !== undefined && !/^\d{4}-\d{4}$/.test(opts.schoolYear)) {
        throw badOption(
          '--school-year',
          `phải có dạng 2025-2026 (nhận được "${opts.schoolYear}")`,
          `must look like 2025-2026 (got "${opts.schoolYear}")`,
        );
      }
      const asOf = parseIsoDateOption(opts.asOf, '--as-of');
      if (!existsSync(file) || !(await stat(file)).isFile()) {
        throw usageError('FILE_NOT_FOUND', { path: file });
      }
      // The rules' settings, as the sync reads them: a file imported here is checked as it will be.
      const { inputLimitSettingsSchema, inputLimitsOf, loadSettings, ruleSettingsSchema } = await import(
        '../../config/index.ts'
      );
      const { TEXT_LIMITS } = loadSettings(ruleSettingsSchema);
      // The parsers' bounds, as the worker reads them: a file refused here is refused by a sync.
      const inputLimits = inputLimitsOf(loadSettings(inputLimitSettingsSchema));
      const bar = opts.json ? null : createProgressBar('Đang nhập / Importing');
      const options: ImportOptions = {
        file,
        kind,
        schoolCode,
        ...(opts.schoolYear ? { schoolYear: opts.schoolYear } : {}),
        ...(opts.sheet ? { sheet: opts.sheet } : {}),
        asOf: asOf ? new Date(`${asOf}T00:00:00Z`) : new Date(),
        ...(TEXT_LIMITS ? { textLimits: TEXT_LIMITS } : {}),
        inputLimits,
        ...(opts.out ? { out: opts.out } : {}),
        // A sheet's size is known for Excel's own files (and CSV); otherwise the bar only counts.
        onProgress: ({ rows, totalRows }) =>
          bar?.update(rows, totalRows > 0 ? Math.max(totalRows, rows) : 0, `${num(rows)} dòng/rows`),
      };
      const excel = typeof adapters.excel === 'function' ? await adapters.excel() : adapters.excel;
      const result = await importFile(excel, options);
      bar?.done();
      let marked: MarkedCopyResult | null = null;
      if (opts.xlsx) {
        // exceljs is loaded only when a marked copy is asked for.
        const { writeMarkedCopy } = await import('../../quality/marked-copy.ts');
        const writing = opts.json ? null : createProgressBar('Đang ghi tệp đánh dấu / Marking the file');
        marked = await writeMarkedCopy({
          input: file,
          out: opts.xlsx,
          findings: findingsOf(result),
          limits: inputLimits,
          onProgress: (rows) => writing?.update(rows, result.summary.total, `${num(rows)} dòng/rows`),
        });
        writing?.done();
      }
      setExitCode(result.summary.invalid > 0 ? EXIT.invalid : EXIT.ok);
      if (opts.json) {
        printJson({
          summary: result.summary,
          groups: result.groups,
          ...(opts.all ? listedIssues(result) : {}),
          ...(result.tableEnds.length > 0 ? { tableEnds: result.tableEnds } : {}),
          ...(marked && opts.xlsx ? { xlsx: { path: opts.xlsx, ...marked } } : {}),
        });
        return;
      }
      printLine(renderText(result, options, Boolean(opts.dryRun)));
      if (options.out) {
        printLine(
          `Đã ghi ${num(result.summary.valid)} bản ghi hợp lệ vào / Wrote ${num(result.summary.valid)} valid records to ${options.out}`,
        );
      }
      if (marked && opts.xlsx) printLine(markedCopyLine(opts.xlsx, marked));
      else if (result.issues.length > 0) {
        printLine(
          'Để xem từng ô có vấn đề ngay trong tệp: --xlsx <báo-cáo.xlsx> / To see each problem cell in the file itself: --xlsx <report.xlsx>',
        );
      }
    });
}
