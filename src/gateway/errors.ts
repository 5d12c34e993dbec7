/**
 * Gateway failures, as the sync engine sees them: the SDK's `RetryableError` / `PermanentError`
 * (so a failed push is handled like a failed pull), plus what the gateway said: its HTTP status, its
 * own error code, and its error body, cut short and with anything that looks like personal data
 * masked, because these objects end up in logs and dead letters.
 */
import { PermanentError, RetryableError } from '../sdk/errors.ts';
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
