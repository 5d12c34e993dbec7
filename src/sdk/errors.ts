/**
 * The only errors an adapter throws. The hub decides what to do by class, never by message:
 * - `RetryableError`: try again later (network down, 429, 5xx, timeout), after `retryAfterMs` if set;
 * - `PermanentError`: stop and tell a person (refused credentials, the source broke its contract);
 * - `RecordError`: this one record cannot be mapped; report it and go on with the stream.
 */
export abstract class AdapterError extends Error {
  /** Stable code, e.g. `HTTP_429`, `AUTH_REFUSED`, `FIELD_UNMAPPABLE`. */
  readonly code: string;
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
 * throw new RetryableError('HTTP_503', 'Máy chủ trường bận / The school server is busy', { retryAfterMs: 30_000 });
 */
export class RetryableError extends AdapterError {
  readonly retryable = true;
  readonly retryAfterMs: number | undefined;

  constructor(code: string, message: string, options: { retryAfterMs?: number; cause?: unknown } = {}) {
    super(code, message, options);
    this.retryAfterMs = options.retryAfterMs;
  }
}

/**
 * A failure that retrying will not fix: wrong credentials, a missing permission, a source that no
 * longer answers in the agreed format. The run stops and a person is told `message`.
 *
 * @example
 * throw new PermanentError('AUTH_REFUSED', 'Máy chủ SMAS từ chối khóa API / SMAS refused the API key');
 */
export class PermanentError extends AdapterError {
  readonly retryable = false;
}

/**
 * One record cannot be mapped to the canonical model. The stream goes on; the record goes to the
 * run's report with its `location` (file, sheet, row, column, or page) and `field`.
 *
 * @example
 * throw new RecordError('DATE_UNPARSEABLE', 'Ngày sinh "31/02/2013" không tồn tại / Birth date "31/02/2013" does not exist',
 *   { location: 'HocSinh.xlsx!Sheet1 row 12 col D', field: 'birthDate' });
 */
export class RecordError extends AdapterError {
  readonly retryable = false;
  readonly location: string | undefined;
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

export const isAdapterError = (error: unknown): error is AdapterError => error instanceof AdapterError;
