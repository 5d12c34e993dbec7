/**
 * The catalogue of error codes: every code the hub gives (and the targets' codes it passes on),
 * with its kind, the HTTP status the API answers with, who acts, and its title, message and action
 * in Vietnamese and English. Errors, the API's problem answers, the CLI's one-line errors and
 * `docs/errors.md` (`npm run errors-doc`) take their text from here; a test fails on a code thrown
 * anywhere in src/, adapters/, mappings/ or bin/ that is missing.
 *
 * The data-quality rules' codes are a catalogue of their own (`RULES`, `edubridge rules`): they are
 * not repeated here, and `describeError` answers for them from there.
 */

import { API_ERRORS } from './errors/api.ts';
import { CLI_ERRORS } from './errors/cli.ts';
import { IDENTITY_ERRORS } from './errors/identity.ts';
import { RECORD_ERRORS } from './errors/records.ts';
import { SETUP_ERRORS } from './errors/setup.ts';
import { SOURCE_ERRORS } from './errors/sources.ts';
import { SYNC_ERRORS } from './errors/sync.ts';
import { TARGET_ERRORS, TARGET_PATTERNS } from './errors/targets.ts';
import type {
  Bilingual,
  ErrorActor,
  ErrorEntry,
  ErrorKind,
  ErrorPattern,
  ErrorValue,
  ErrorValues,
} from './errors/types.ts';
import { RULES } from './rule-catalogue.ts';

export type { Bilingual, ErrorActor, ErrorEntry, ErrorKind, ErrorPattern, ErrorValue, ErrorValues };

/** The sections, in the order the docs show them. */
export const ERROR_SECTIONS = [
  { id: 'api', title: { vi: 'API của hub', en: "The hub's API" }, entries: API_ERRORS },
  {
    id: 'cli',
    title: { vi: 'Lệnh edubridge và tệp đầu vào', en: 'The edubridge command and its input' },
    entries: CLI_ERRORS,
  },
  {
    id: 'setup',
    title: { vi: 'Cấu hình, khoá và kho dữ liệu', en: 'Settings, keys and stores' },
    entries: SETUP_ERRORS,
  },
  {
    id: 'sync',
    title: { vi: 'Lần đồng bộ và ghi ngược', en: 'Sync runs and write-back' },
    entries: SYNC_ERRORS,
  },
  {
    id: 'sources',
    title: { vi: 'Nguồn dữ liệu của trường', en: "Schools' sources" },
    entries: SOURCE_ERRORS,
  },
  {
    id: 'records',
    title: { vi: 'Bản ghi không đọc được', en: 'Records that cannot be read' },
    entries: RECORD_ERRORS,
  },
  {
    id: 'targets',
    title: { vi: 'Cổng LGSP và các đích', en: 'The LGSP gateway and the targets' },
    entries: TARGET_ERRORS,
  },
  {
    id: 'identity',
    title: { vi: 'Danh tính, đăng nhập một lần, VietQR', en: 'Identity, single sign-on, VietQR' },
    entries: IDENTITY_ERRORS,
  },
] as const;

/** Every exact code. A code in two sections would be a mistake: a test checks there is none. */
export const ERRORS = {
  ...API_ERRORS,
  ...CLI_ERRORS,
  ...SETUP_ERRORS,
  ...SYNC_ERRORS,
  ...SOURCE_ERRORS,
  ...RECORD_ERRORS,
  ...TARGET_ERRORS,
  ...IDENTITY_ERRORS,
} as const satisfies Record<string, ErrorEntry>;

export type ErrorCode = keyof typeof ERRORS;

/** Families of codes built from a template (`HTTP_{status}`, `GATEWAY_{code}`): first match wins. */
export const ERROR_PATTERNS: readonly ErrorPattern[] = TARGET_PATTERNS;

/** What `describeError` answers for a code no entry, pattern or rule knows. */
export const UNKNOWN_CODE: ErrorEntry = {
  kind: 'permanent',
  status: 500,
  actor: 'hub',
  title: { vi: 'Mã lỗi chưa có trong danh mục', en: 'Error code not in the catalogue' },
  message: { vi: 'Lỗi {code}: {reason}', en: 'Error {code}: {reason}' },
  values: ['code', 'reason'],
  action: {
    vi: 'Báo nhóm phát triển mã này: mọi mã của hub phải có trong danh mục (một adapter của nhà cung cấp có thể có mã riêng: hỏi họ)',
    en: "Report this code: every code of the hub is in the catalogue (a vendor's adapter may have codes of its own: ask them)",
  },
};

/** What `describeError` answers for a target's own code it does not know (`origin: 'target'`). */
export const UNKNOWN_TARGET_CODE: ErrorEntry = {
  kind: 'permanent',
  status: 422,
  actor: 'city',
  origin: 'target',
  title: { vi: 'Đích từ chối với mã riêng', en: 'The target refused with a code of its own' },
  message: { vi: 'Đích trả mã {code}: {reason}', en: 'The target answered {code}: {reason}' },
  values: ['code', 'reason'],
  action: {
    vi: 'Đọc lời nhắn của đích; hỏi bộ phận hỗ trợ của đích mã này nghĩa là gì, sửa bản ghi ở trường hoặc nhờ đích xử lý, rồi gửi lại thư chết',
    en: "Read the target's message; ask the target's helpdesk what the code means, fix the record at the school or have the target act, then replay the dead letter",
  },
};

const RULE_ACTION: Bilingual = {
  vi: 'Sửa bản ghi trong phần mềm của trường ở chỗ được nêu (edubridge rules liệt kê các quy tắc)',
  en: "Fix the record in the school's software where named (edubridge rules lists the rules)",
};

/** What is known of a code, its message filled with the values given. */
export interface ErrorDescription {
  code: string;
  /** Where it was found: its own entry, a family of codes, the rules' catalogue, or nowhere. */
  found: 'entry' | 'pattern' | 'rule' | 'unknown';
  kind: ErrorKind;
  status: number;
  actor: ErrorActor;
  title: Bilingual;
  message: Bilingual;
  action: Bilingual;
  values: readonly string[];
  origin?: 'target';
}

const entries: Readonly<Record<string, ErrorEntry>> = ERRORS;

/** The entry of a code, the pattern it belongs to, or undefined (rule codes are not entries). */
export function findError(code: string): (ErrorEntry & { pattern?: string }) | undefined {
  return Object.hasOwn(entries, code) ? entries[code] : ERROR_PATTERNS.find((p) => p.match.test(code));
}

/** Whether the catalogue (or the rules' catalogue) knows `code`. */
export function isKnownCode(code: string): boolean {
  return findError(code) !== undefined || Object.hasOwn(RULES, code);
}

/**
 * Everything known of `code`, its message filled with `values` (a value missing leaves its
 * `{name}` in place). A target's code the catalogue lacks is described as one (`origin: 'target'`);
 * any other unknown code as a bug to report.
 *
 * @example
 * describeError('SCHOOL_NOT_CONFIGURED', { school: '79NB0001' }).message.en
 * // 'School 79NB0001 has no configured source'
 * describeError('NOT_IN_ANY_LIST', { reason: 'MaLop sai' }, { origin: 'target' }).actor // 'city'
 */
export function describeError(
  code: string,
  values: ErrorValues = {},
  options: { origin?: 'target' } = {},
): ErrorDescription {
  const entry = findError(code);
  if (entry) {
    return {
      code,
      found: Object.hasOwn(entries, code) ? 'entry' : 'pattern',
      kind: entry.kind,
      status: entry.status,
      actor: entry.actor,
      title: entry.title,
      message: fillText(entry.message, values),
      action: entry.action,
      values: entry.values ?? [],
      ...(entry.origin ? { origin: entry.origin } : {}),
    };
  }
  if (Object.hasOwn(RULES, code)) {
    const rule = RULES[code as keyof typeof RULES];
    return {
      code,
      found: 'rule',
      kind: 'bad-input',
      status: 422,
      actor: 'school',
      title: { vi: rule.vi, en: rule.en },
      message: { vi: rule.vi, en: rule.en },
      action: RULE_ACTION,
      values: [],
    };
  }
  const fallback = options.origin === 'target' ? UNKNOWN_TARGET_CODE : UNKNOWN_CODE;
  return {
    code,
    found: 'unknown',
    kind: fallback.kind,
    status: fallback.status,
    actor: fallback.actor,
    title: fallback.title,
    message: fillText(fallback.message, { reason: '', ...values, code }),
    action: fallback.action,
    values: fallback.values ?? [],
    ...(fallback.origin ? { origin: fallback.origin } : {}),
  };
}

/** The kind of `code`, or undefined when the catalogue does not know it. */
export function errorKind(code: string): ErrorKind | undefined {
  return findError(code)?.kind ?? (Object.hasOwn(RULES, code) ? 'bad-input' : undefined);
}

/** The names of the values of a code's message. */
type ValueNames<C extends ErrorCode> = (typeof ERRORS)[C] extends {
  values: readonly (infer N extends string)[];
}
  ? N
  : never;

/** The values a code's message takes, by name: `{ school: '79NB0001' }` for SCHOOL_NOT_CONFIGURED. */
export type ValuesOf<C extends ErrorCode> = [ValueNames<C>] extends [never]
  ? Readonly<Record<string, never>>
  : Readonly<Record<ValueNames<C>, ErrorValue>>;

/**
 * The message of `code` filled with `values`, in both languages. Typed: the compiler checks the
 * values' names against the catalogue.
 *
 * @example
 * errorText('RUN_NOT_FOUND', { run: 'r-1' }) // { vi: 'Không có lần chạy r-1', en: 'No run r-1' }
 */
export function errorText<C extends ErrorCode>(code: C, values: ValuesOf<C>): Bilingual {
  return fillText(ERRORS[code].message, values as ErrorValues);
}

/** One line for people, Vietnamese first: what every error's `message` holds. */
export function errorMessage<C extends ErrorCode>(code: C, values: ValuesOf<C>): string {
  return bilingualLine(errorText(code, values));
}

export const bilingualLine = (text: Bilingual): string => `${text.vi} / ${text.en}`;

/** The `{name}` placeholders of a template, in order of first use. */
export function placeholders(template: string): string[] {
  return [...new Set([...template.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!))];
}

/** A template's `{name}`s replaced by their value in the template's language. */
export function fillTemplate(template: string, values: ErrorValues, lang: keyof Bilingual): string {
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => {
    if (!Object.hasOwn(values, name)) return whole;
    const value = values[name]!;
    return typeof value === 'object' ? value[lang] : String(value);
  });
}

export function fillText(text: Bilingual, values: ErrorValues): Bilingual {
  return { vi: fillTemplate(text.vi, values, 'vi'), en: fillTemplate(text.en, values, 'en') };
}
