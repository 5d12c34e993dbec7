/**
 * What every command shares: a typed error for a user's mistake (printed as one line, never a
 * stack), stdin as JSON, and output helpers.
 */
import { formatMessage, type Problem } from '../model/index.ts';

/** A mistake in what the user gave us: bad flag, unreadable file, malformed JSON. Exit code 2. */
export class UsageError extends Error {
  readonly code: string;
  constructor(code: string, vi: string, en: string) {
    super(`${vi} / ${en}`);
    this.code = code;
    this.name = 'UsageError';
  }
}

/** A whole number from `min` to `max` given as `flag`; anything else is a usage error naming both. */
export function integerOption(value: string, flag: string, min: number, max: number): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isInteger(n) || n < min || n > max) {
    throw new UsageError(
      'OPTION_INVALID',
      `${flag} phải là số nguyên từ ${min} đến ${max} (nhận được "${value}")`,
      `${flag} must be an integer from ${min} to ${max} (got "${value}")`,
    );
  }
  return n;
}

/** Exit codes: 0 ok, 1 the data is invalid, 2 the command could not run as asked. */
export const EXIT = { ok: 0, invalid: 1, usage: 2 } as const;

export async function readStdin(stream: NodeJS.ReadableStream = process.stdin): Promise<string> {
  if ((stream as NodeJS.ReadStream).isTTY) {
    throw new UsageError(
      'STDIN_EMPTY',
      "Lệnh này đọc JSON từ đầu vào chuẩn (stdin), ví dụ: echo '{…}' | edubridge …",
      "This command reads JSON on standard input, e.g. echo '{…}' | edubridge …",
    );
  }
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk));
  return Buffer.concat(chunks).toString('utf8');
}

export async function readStdinJson(stream?: NodeJS.ReadableStream): Promise<unknown> {
  const text = await readStdin(stream);
  if (text.trim() === '') {
    throw new UsageError(
      'STDIN_EMPTY',
      'Không có dữ liệu JSON trên stdin',
      'No JSON was given on standard input',
    );
  }
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
