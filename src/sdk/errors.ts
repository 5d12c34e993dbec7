/**
 * The only errors an adapter throws. The hub decides what to do by class, never by message:
 * - `RetryableError`: try again later (network down, 5xx, timeout), after `retryAfterMs` if set;
 * - `ThrottledError`: a quota said "later" (429): a `RetryableError` that is no failure, which a
 *   push waits out without spending an attempt;
 * - `PermanentError`: stop and tell a person (refused credentials, the source broke its contract);
 * - `RecordError`: this one record cannot be mapped; report it and go on with the stream.
 * Codes, and what each means, are in the error catalogue (`docs/errors.md`); `hubError` makes the
 * error of a catalogued code, its class chosen by the code's kind and its message by the catalogue.
 */
import {
  bilingualLine,
  describeError,
  type ErrorCode,
  type ErrorValues,
  type ValuesOf,
} from '../model/error-catalogue.ts';

/** What the errors below share: a stable code, and a message for people (Vietnamese / English). */
export abstract class AdapterError extends Error {
  /** Stable code, e.g. `HTTP_429`, `AUTH_REFUSED`, `FIELD_UNMAPPABLE`. */
  readonly code: string;
  /** True for the errors the hub tries again later. */
  abstract readonly retryable: boolean;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }
}

/**
 * A failure that may pass: the hub retries the step with backoff, and waits at least `retryAfterMs`
 * when the source said how long (HTTP `Retry-After`).
 *
 * @example
 * ```ts
 * throw new RetryableError('HTTP_503', 'Máy chủ trường bận / The school server is busy', { retryAfterMs: 30_000 });
 * ```
 */
export class RetryableError extends AdapterError {
  /** Always true: the hub tries again later. */
  readonly retryable = true;
  /** How long the source asked to wait before the next try, if it said. */
  readonly retryAfterMs: number | undefined;

  constructor(code: string, message: string, options: { retryAfterMs?: number; cause?: unknown } = {}) {
    super(code, message, options);
    this.retryAfterMs = options.retryAfterMs;
  }
}

/**
 * A quota answered "later" (HTTP 429, a gateway's throttling code): a RetryableError that is no
 * failure, since nothing went wrong. The push step waits it out (`retryAfterMs`, else a backoff)
 * without spending an attempt or counting it against the target; elsewhere it is retried as any
 * RetryableError. The SDK's HTTP client and the gateway client throw it for a 429; throw it
 * yourself for a quota your source reports otherwise.
 *
 * @example
 * ```ts
 * throw new ThrottledError('HTTP_429', 'SMAS giới hạn tốc độ / SMAS is rate limiting', { retryAfterMs: 60_000 });
 * ```
 */
export class ThrottledError extends RetryableError {}

/**
 * A failure that retrying will not fix: wrong credentials, a missing permission, a source that no
 * longer answers in the agreed format. The run stops and a person is told `message`.
 *
 * @example
 * ```ts
 * throw new PermanentError('AUTH_REFUSED', 'Máy chủ SMAS từ chối khóa API / SMAS refused the API key');
 * ```
 */
export class PermanentError extends AdapterError {
  /** Always false: a person must act first. */
  readonly retryable = false;
}

/**
 * One record cannot be mapped to the canonical model. The stream goes on; the record goes to the
 * run's report with its `location` (file, sheet, row, column, or page) and `field`.
 *
 * @example
 * ```ts
 * throw new RecordError('DATE_UNPARSEABLE', 'Ngày sinh "31/02/2013" không tồn tại / Birth date "31/02/2013" does not exist',
 *   { location: 'HocSinh.xlsx!Sheet1 row 12 col D', field: 'birthDate' });
 * ```
 */
export class RecordError extends AdapterError {
  /** Always false: the same row fails the same way until the source is fixed. */
  readonly retryable = false;
  /** Where a person finds the record: file, sheet, row and column, or the page. */
  readonly location: string | undefined;
  /** The canonical field that could not be mapped, e.g. `birthDate`. */
  readonly field: string | undefined;

  constructor(
    code: string,
    message: string,
    options: { location?: string; field?: string; cause?: unknown } = {},
  ) {
    super(code, message, options);
    this.location = options.location;
    this.field = options.field;
  }
}

/**
 * True for an error of the SDK's classes (whatever its code).
 *
 * @example
 * ```ts
 * catch (error) { if (isAdapterError(error) && !error.retryable) return { ok: false, problems: [{ code: error.code, message: error.message }] }; throw error; }
 * ```
 */
export const isAdapterError = (error: unknown): error is AdapterError => error instanceof AdapterError;

/** What `hubError` passes on to the error it makes. */
export interface HubErrorOptions {
  /** Honoured by a retryable code (a transient, unavailable or throttled one). */
  retryAfterMs?: number;
  cause?: unknown;
}

/**
 * The error of a catalogued code: its message from the catalogue, filled with `values`, and its
 * class from the code's kind (throttled → `ThrottledError`; transient or unavailable →
 * `RetryableError`; anything else → `PermanentError`). A code of a family (`HTTP_503`) takes the
 * family's values; a code the catalogue lacks is permanent.
 *
 * @example
 * ```ts
 * throw hubError('SCHOOL_NOT_CONFIGURED', { school: '79NB0001' });
 * throw hubError(`HTTP_${status}`, { system: 'SMAS', status, where: '/students' }, { retryAfterMs });
 * ```
 */
export function hubError<C extends ErrorCode>(
  code: C,
  values: ValuesOf<C>,
  options?: HubErrorOptions,
): AdapterError;
export function hubError(
  code: `HTTP_${number}` | `GATEWAY_${string}`,
  values: ErrorValues,
  options?: HubErrorOptions,
): AdapterError;
export function hubError(code: string, values: ErrorValues, options: HubErrorOptions = {}): AdapterError {
  const described = describeError(code, values);
  const message = bilingualLine(described.message);
  switch (described.kind) {
    case 'throttled':
      return new ThrottledError(code, message, options);
    case 'transient':
    case 'unavailable':
      return new RetryableError(code, message, options);
    default:
      return new PermanentError(code, message, options.cause === undefined ? {} : { cause: options.cause });
  }
}
