/**
 * What every command shares: a typed error for a user's mistake (printed as one line, never a
 * stack), stdin as JSON, and output helpers.
 */
import { type ErrorCode, errorText, formatMessage, type Problem, type ValuesOf } from '../model/index.ts';

/** A mistake in what the user gave us: bad flag, unreadable file, malformed JSON. Exit code 2. */
export class UsageError extends Error {
  readonly code: string;
  /** The message in `vi` and `en`; or, passing another error's on, its whole "vi / en" in `vi`. */
  constructor(code: string, vi: string, en?: string) {
    super(en === undefined ? vi : `${vi} / ${en}`);
    this.code = code;
    this.name = 'UsageError';
  }
}

/**
 * The usage error of a catalogued code, its message the catalogue's filled with `values`.
 *
 * @example
 * throw usageError('OPTION_MISSING', { option: { vi: '--school <mã trường>', en: '--school <code>' } });
 */
export function usageError<C extends ErrorCode>(code: C, values: ValuesOf<C>): UsageError {
  const text = errorText(code, values);
  return new UsageError(code, text.vi, text.en);
}

/** `{ option, reason }` for OPTION_INVALID: the flag, and what is wrong with it in both languages. */
export const badOption = (option: string, vi: string, en: string) =>
  usageError('OPTION_INVALID', { option, reason: { vi, en } });

/** A whole number from `min` to `max` given as `flag`; anything else is a usage error naming both. */
export function integerOption(value: string, flag: string, min: number, max: number): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isInteger(n) || n < min || n > max) {
    throw badOption(
      flag,
      `phải là số nguyên từ ${min} đến ${max} (nhận được "${value}")`,
      `must be an integer from ${min} to ${max} (got "${value}")`,
    );
  }
  return n;
}

/** Exit codes: 0 ok, 1 the data is invalid, 2 the command could not run as asked. */
export const EXIT = { ok: 0, invalid: 1, usage: 2 } as const;

export async function readStdin(stream: NodeJS.ReadableStream = process.stdin): Promise<string> {
  if ((stream as NodeJS.ReadStream).isTTY) throw usageError('STDIN_EMPTY', {});
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk));
  return Buffer.concat(chunks).toString('utf8');
}

export async function readStdinJson(stream?: NodeJS.ReadableStream): Promise<unknown> {
  const text = await readStdin(stream);
  if (text.trim() === '') throw usageError('STDIN_EMPTY', {});
  try {
    return JSON.parse(text);
  } catch (cause) {
    throw new UsageError(
      'JSON_MALFORMED',
      `JSON trên stdin không hợp lệ (${(cause as Error).message})`,
      `The JSON on standard input is malformed (${(cause as Error).message})`,
    );
  }
}

/** Turns problems found in a command's input into one usage error naming each field. */
export function inputProblems(problems: readonly Problem[]): UsageError {
  const first = problems[0]!;
  const rest = problems.length > 1 ? ` (+${problems.length - 1})` : '';
  return new UsageError(
    first.code,
    `${first.field}: ${first.message.vi}${rest}`,
    `${first.field}: ${first.message.en}`,
  );
}

export const printJson = (value: unknown): void => {
  process.stdout.write(`${JSON.stringify(value)}\n`);
};

export const printLine = (line = ''): void => {
  process.stdout.write(`${line}\n`);
};

export { formatMessage };
