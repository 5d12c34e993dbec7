/**
 * Gateway failures, as the sync engine sees them: the SDK's `RetryableError` / `PermanentError`
 * (so a failed push is handled like a failed pull), plus what the gateway said: its HTTP status, its
 * own error code, and its error body, cut short and with anything that looks like personal data
 * masked, because these objects end up in logs and dead letters.
 */
import { bilingualLine, describeError, type ErrorValues } from '../model/error-catalogue.ts';
import { PermanentError, RetryableError, ThrottledError } from '../sdk/errors.ts';
import type { Personality } from './types.ts';

export interface GatewayErrorDetails {
  target: string;
  personality: Personality;
  /** HTTP status, when an answer came. */
  status?: number;
  /** The gateway's own code: vnpt `error_code`, WSO2 `fault.code`, X-Road `type`. */
  gatewayCode?: string;
  /** The gateway's own message (`message`, `fault.message`), cleaned. */
  gatewayMessage?: string;
  /** The error body, cleaned and cut to `MAX_KEPT_BODY` characters. */
  gatewayBody?: string;
}

export const MAX_KEPT_BODY = 1024;

export class GatewayRetryableError extends RetryableError {
  readonly details: GatewayErrorDetails;
  constructor(
    code: string,
    message: string,
    details: GatewayErrorDetails,
    options: { retryAfterMs?: number; cause?: unknown } = {},
  ) {
    super(code, message, options);
    this.details = details;
  }

  // A throttled answer is one of the gateway's retryable errors too, but its class must descend
  // from the SDK's ThrottledError (which the push step recognises) and a class has one parent: so
  // `instanceof GatewayRetryableError` also answers yes for a GatewayThrottledError.
  static override [Symbol.hasInstance](value: unknown): boolean {
    // biome-ignore lint/complexity/noThisInStatic: a subclass inherits this, and is judged as itself
    if (this !== GatewayRetryableError) return Function.prototype[Symbol.hasInstance].call(this, value);
    const own = Function.prototype[Symbol.hasInstance].call(GatewayRetryableError, value);
    return own || value instanceof GatewayThrottledError;
  }
}

/** The gateway's quota (HTTP 429, WSO2's 900800–900806): waited out, never counted as a failure. */
export class GatewayThrottledError extends ThrottledError {
  readonly details: GatewayErrorDetails;
  constructor(
    code: string,
    message: string,
    details: GatewayErrorDetails,
    options: { retryAfterMs?: number; cause?: unknown } = {},
  ) {
    super(code, message, options);
    this.details = details;
  }
}

export class GatewayPermanentError extends PermanentError {
  readonly details: GatewayErrorDetails;
  constructor(
    code: string,
    message: string,
    details: GatewayErrorDetails,
    options: { cause?: unknown } = {},
  ) {
    super(code, message, options);
    this.details = details;
  }
}

/**
 * The gateway's error for a catalogued code (or a code of a family: `HTTP_503`, `GATEWAY_900800`),
 * its message from the catalogue filled with `values`. Whether it is retried is the gateway's to
 * say (`retryable`: its transient codes are configurable); a retryable one the catalogue calls
 * throttled is a GatewayThrottledError.
 */
export function gatewayError(
  code: string,
  values: ErrorValues,
  details: GatewayErrorDetails,
  options: { retryable: boolean; retryAfterMs?: number | undefined; cause?: unknown },
): GatewayRetryableError | GatewayThrottledError | GatewayPermanentError {
  const described = describeError(code, values);
  const message = bilingualLine(described.message);
  const cause = options.cause === undefined ? {} : { cause: options.cause };
  if (!options.retryable) return new GatewayPermanentError(code, message, details, cause);
  const retry = {
    ...cause,
    ...(options.retryAfterMs === undefined ? {} : { retryAfterMs: options.retryAfterMs }),
  };
  return described.kind === 'throttled'
    ? new GatewayThrottledError(code, message, details, retry)
    : new GatewayRetryableError(code, message, details, retry);
}

/**
 * Gateway codes known to pass. WSO2 API Manager publishes its codes: 900800–900806 are throttling,
 * 101503/101504/101505 are back-end connection failures and timeouts. X-Road's network faults are
 * `*.NetworkError`. Nothing public lists VNPT LGSP's codes, so its list is empty until the city
 * tells us (configure `transientCodes`).
 */
export const DEFAULT_TRANSIENT_CODES: Record<Personality, string[]> = {
  wso2: ['900800', '900801', '900802', '900803', '900804', '900806', '101503', '101504', '101505'],
  'vnpt-lgsp': [],
  xroad: ['Server.ServerProxy.NetworkError', 'Server.ClientProxy.NetworkError', 'Server.NetworkError'],
};

export function isTransientCode(code: string | undefined, transient: readonly string[]): boolean {
  if (code === undefined) return false;
  return transient.some((t) => code === t || code.startsWith(`${t}.`));
}

/**
 * Whether a SOAP fault is worth another try: an entry matches the faultcode with or without its
 * prefix (`soapenv:Server.Busy` and `Server.Busy`), exactly or as a dotted prefix, or appears in
 * the faultstring (case-insensitive).
 */
export function isTransientSoapFault(
  fault: { code: string; string: string },
  transient: readonly string[],
): boolean {
  const local = fault.code.replace(/^[^:]*:/, '');
  const said = fault.string.toLowerCase();
  return transient.some(
    (t) =>
      t !== '' &&
      (isTransientCode(fault.code, [t]) || isTransientCode(local, [t]) || said.includes(t.toLowerCase())),
  );
}

/**
 * Masks what may identify a person before an error body is kept: runs of 9 or more digits (CCCD,
 * CMND, social insurance, phone numbers), e-mail addresses, and bearer tokens echoed back.
 */
export function cleanGatewayText(text: string, max = MAX_KEPT_BODY): string {
  const masked = text
    .replace(/[\w.+-]+@[\w-]+(\.[\w-]+)+/g, '[email]')
    .replace(/\+?\d[\d .-]{7,}\d/g, (m) => (m.replace(/\D/g, '').length >= 9 ? '[number]' : m))
    .replace(/(bearer\s+)[\w.~+/=-]+/gi, '$1[token]');
  return masked.length > max ? `${masked.slice(0, max)}…` : masked;
}
