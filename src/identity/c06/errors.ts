/**
 * Errors of the C06 codec. Their messages never hold what was asked or answered about a person
 * (ID numbers, names, birth dates): they name elements and fields only, since they reach logs, the
 * audit trail and dead letters.
 */
import { cleanGatewayText } from '../../gateway/errors.ts';

export type C06ErrorCode = 'C06_FAULT' | 'C06_MALFORMED_RESPONSE' | 'C06_INVALID_REQUEST';

export abstract class C06Error extends Error {
  abstract readonly code: C06ErrorCode;
  /** None of these passes by trying again as it is: a transient outage is the gateway's error. */
  readonly retryable = false;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/**
 * C06 (or a proxy in front of it) refused the lookup: a SOAP Fault, or a `{error_code, message}`
 * wrapper whose code is not an accepted one. `faultCode` is the faultcode as written (or the
 * wrapper's `error_code`); `faultString` is the fault's text with anything like an ID number,
 * phone number or e-mail address masked.
 */
export class C06FaultError extends C06Error {
  readonly code = 'C06_FAULT';
  readonly faultCode: string;
  readonly faultString: string;
  /** `soap` for a SOAP Fault, `wrapper` for a proxy's JSON error. */
  readonly source: 'soap' | 'wrapper';

  constructor(faultCode: string, faultString: string, source: 'soap' | 'wrapper') {
    const code = cleanGatewayText(faultCode, 100);
    super(
      source === 'soap'
        ? `CSDLQG về dân cư trả lỗi SOAP [${code}] / the national population DB answered a SOAP Fault [${code}]`
        : `Cổng trung gian báo lỗi ${code} khi tra cứu dân cư / the proxy in front of the population DB reported error ${code}`,
    );
    this.faultCode = faultCode;
    this.faultString = cleanGatewayText(faultString, 500);
    this.source = source;
  }
}

/** The answer is not a lookup answer: not XML, no SOAP envelope or body, or no `CongdanCollection`. */
export class C06ResponseError extends C06Error {
  readonly code = 'C06_MALFORMED_RESPONSE';
  constructor(reasonVi: string, reasonEn: string, options?: { cause?: unknown }) {
    super(
      `Phản hồi tra cứu dân cư không đọc được: ${reasonVi} / unreadable population DB answer: ${reasonEn}`,
      options,
    );
  }
}

/** The lookup cannot be sent as asked: `field` names what is missing or malformed (never its value). */
export class C06RequestError extends C06Error {
  readonly code = 'C06_INVALID_REQUEST';
  readonly field: string;
  constructor(field: string, reasonVi: string, reasonEn: string) {
    super(
      `Yêu cầu tra cứu dân cư không hợp lệ, ${field}: ${reasonVi} / invalid population DB lookup, ${field}: ${reasonEn}`,
    );
    this.field = field;
  }
}
