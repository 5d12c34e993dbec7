/**
 * The SOAP client: built from the WSDL by the `soap` package, with a timeout and the read's abort
 * signal on every call, retries with backoff (honouring `Retry-After`), the SDK's page policy for
 * an answer that comes back broken, and every failure turned into an SDK error class: a
 * `soap:Server` fault, a 5xx, 429 or a timeout is retryable; a `soap:Client` fault, 401/403 or an
 * unreadable WSDL is permanent; an unreadable answer to a call is a broken page. Messages name the
 * operation and the status, never credentials or the answer's text.
 *
 * The WSDL and every answer are read within the hub's bounds (`SOAP_MAX_WSDL_BYTES`,
 * `SOAP_MAX_RESPONSE_BYTES`): axios, under the soap package, counts the bytes as they arrive
 * (after decompression) and stops reading at the bound, where it would otherwise hold whatever a
 * WSDL address serves (1.3 GB of RSS from one hostile WSDL, issue 14).
 */
import soap from 'soap';
import { errorMessage } from '../../src/model/index.ts';
import { hubError } from '../../src/sdk/errors.ts';
import {
  type AdapterLogger,
  INPUT_LIMIT_SETTINGS,
  InputLimitError,
  type InputLimits,
  inputLimits,
  maskedQuery,
  PageError,
  type PageRef,
  PermanentError,
  pageProblem,
  RetryableError,
  retryAfterMs,
  retryPage,
  sleep,
} from '../../src/sdk/index.ts';
import { formatLimitValue } from '../../src/sdk/limits.ts';
import type { SoapConfig } from './config.ts';

/** What a call for one page adds: which page it is, and how to read it out of the result. */
export interface SoapPage<T> {
  /** Named in the error after the last try. */
  page?: PageRef;
  /**
   * Reads the page out of the result, throwing `pageProblem(…)` for one malformed, short or empty
   * while more follows: the call is then made again under the page policy.
   */
  read?: (result: unknown) => T;
}

export interface SoapCaller {
  /** The service address's path, for messages. */
  readonly endpoint: string;
  call<T = unknown>(operation: string, args: Record<string, unknown>, page?: SoapPage<T>): Promise<T>;
}

/**
 * A call as messages name it, the SOAP counterpart of a path and query:
 * `/soap/TruongHoc LayDanhSachHocSinh?maTruong=79NB0001&trang=2&kichThuocTrang=200`.
 */
export const callUrl = (endpoint: string, operation: string, args: Record<string, unknown>): string => {
  const query = maskedQuery(args);
  return `${endpoint} ${operation}${query ? `?${query}` : ''}`;
};

interface AxiosLikeError {
  message?: string;
  code?: string;
  name?: string;
  response?: { status?: number; headers?: Record<string, unknown> };
  root?: {
    Envelope?: {
      Body?: {
        Fault?: {
          faultcode?: unknown;
          faultstring?: unknown;
          Code?: { Value?: unknown };
          Reason?: { Text?: unknown };
        };
      };
    };
  };
}

const FAULT_TEXT_MAX = 200;

// How axios says it stopped reading at `maxContentLength`.
const OVER_BOUND = /^maxContentLength size of (\d+) exceeded/;

/** The WSDL, or an answer, went over its bound: permanent, the same address gives the same again. */
function tooLarge(where: string, source: string, max: number): InputLimitError {
  if (where === 'WSDL') {
    const limit = 'maxWsdlBytes';
    return new InputLimitError(
      'WSDL_TOO_LARGE',
      errorMessage('WSDL_TOO_LARGE', {
        system: source,
        limit: formatLimitValue(limit, max),
        setting: INPUT_LIMIT_SETTINGS[limit],
      }),
      { limit, max },
    );
  }
  const limit = 'maxSoapResponseBytes';
  return new InputLimitError(
    'SOAP_RESPONSE_TOO_LARGE',
    errorMessage('SOAP_RESPONSE_TOO_LARGE', {
      system: source,
      where,
      limit: formatLimitValue(limit, max),
      setting: INPUT_LIMIT_SETTINGS[limit],
    }),
    { limit, max },
  );
}

/**
 * An SDK error for whatever the soap package or axios threw. What is none of a fault, a status, a
 * timeout or a network error is an answer the package could not read: for the WSDL a broken
 * contract, for a call a broken page (a body cut off, a proxy's HTML).
 */
export function soapError(error: unknown, where: string, source: string): Error {
  const e = (error ?? {}) as AxiosLikeError;
  const fault = e.root?.Envelope?.Body?.Fault;
  // The soap package reports a WSDL fetch that failed by status as a plain Error whose message
  // holds the status and the response body: take the status, never the body.
  const wsdlStatus = /^Invalid WSDL URL[\s\S]*?Code: (\d{3})/.exec(e.message ?? '')?.[1];
  const status = e.response?.status ?? (wsdlStatus ? Number(wsdlStatus) : undefined);
  const over = e.code === 'ERR_BAD_RESPONSE' ? OVER_BOUND.exec(e.message ?? '') : null;
  if (over) return tooLarge(where, source, Number(over[1]));
  if (fault) {
    // SOAP 1.1 faultcode / faultstring, or SOAP 1.2 Code/Value and Reason/Text.
    const code = String(fault.faultcode ?? fault.Code?.Value ?? '');
    const text = String(fault.faultstring ?? fault.Reason?.Text ?? '').slice(0, FAULT_TEXT_MAX);
    const server = /(^|:)(Server|Receiver)$/i.test(code);
    const message = `${source}: ${where} trả lỗi SOAP ${code} / answered a SOAP fault ${code}: ${text}`;
    return server
      ? new RetryableError('SOAP_FAULT_SERVER', message)
      : new PermanentError('SOAP_FAULT_CLIENT', message);
  }
  if (status === 401 || status === 403) {
    return new PermanentError(
      'AUTH_REFUSED',
      `${source} từ chối thông tin xác thực (HTTP ${status}) / ${source} refused the credentials (HTTP ${status})`,
    );
  }
  if (status !== undefined && status >= 400) {
    // The catalogue's kind of the status decides: 408, 425 and 5xx are retried, 429 is waited out
    // as a ThrottledError, any other 4xx is permanent.
    const header = e.response?.headers?.['retry-after'];
    const wait = retryAfterMs(typeof header === 'string' ? header : null);
    return hubError(
      `HTTP_${status}`,
      { system: source, status, where },
      wait !== undefined ? { retryAfterMs: wait } : {},
    );
  }
  if (e.code === 'ECONNABORTED' || e.code === 'ETIMEDOUT' || /timeout/i.test(e.message ?? '')) {
    return new RetryableError(
      'TIMEOUT',
      `${source} không trả lời kịp ở ${where} / ${source} did not answer ${where} in time`,
      { cause: error },
    );
  }
  if (e.code && /^E[A-Z]+$/.test(e.code)) {
    return new RetryableError(
      'UNREACHABLE',
      `Không kết nối được ${source} / Cannot reach ${source} (${e.code})`,
      { cause: error },
    );
  }
  if (where === 'WSDL') {
    return new PermanentError(
      'RESPONSE_MALFORMED',
      `${source}: ${where} trả về dữ liệu không đọc được / answered something that is not a readable SOAP message`,
      { cause: error },
    );
  }
  // Without the package's error as cause: it carries the answer's text (`body`), personal data.
  return pageProblem('malformed', {
    vi: 'câu trả lời SOAP không đọc được',
    en: 'not a readable SOAP answer',
  });
}

/** Retries `attempt` as the config says: backoff doubling with jitter, Retry-After honoured. */
export async function withRetries<T>(
  attempt: () => Promise<T>,
  options: { retry: SoapConfig['retry']; signal: AbortSignal; logger: AdapterLogger; where: string },
): Promise<T> {
  for (let n = 1; ; n++) {
    try {
      return await attempt();
    } catch (error) {
      if (options.signal.aborted) throw options.signal.reason;
      // A broken answer is the page policy's (`retryPage` around this), so tries do not multiply.
      if (!(error instanceof RetryableError) || error instanceof PageError) throw error;
      const wait = error.retryAfterMs ?? options.retry.backoffMs * 2 ** (n - 1) * (0.5 + Math.random());
      if (n >= options.retry.maxAttempts || wait > options.retry.maxRetryAfterMs) throw error;
      options.logger.warn('retrying', {
        code: error.code,
        attempt: n,
        waitMs: Math.round(wait),
        operation: options.where,
      });
      await sleep(wait, options.signal);
    }
  }
}

/** Loads the WSDL and returns a caller of its operations. */
export async function connectSoap(
  config: SoapConfig,
  ctx: { signal: AbortSignal; logger: AdapterLogger; limits?: Partial<InputLimits> },
  source: string,
  retry: SoapConfig['retry'] = config.retry,
): Promise<SoapCaller> {
  const { maxWsdlBytes, maxSoapResponseBytes } = inputLimits(ctx);
  const basic =
    config.auth.type === 'basic'
      ? `Basic ${Buffer.from(`${config.auth.username}:${config.auth.password}`).toString('base64')}`
      : undefined;
  const client = await withRetries(
    async () => {
      try {
        return await soap.createClientAsync(config.wsdlUrl, {
          disableCache: true,
          // The soap package hands these to axios for the WSDL and each document it imports.
          wsdl_options: { timeout: config.timeoutMs, signal: ctx.signal, maxContentLength: maxWsdlBytes },
          // Some services guard their WSDL as well.
          ...(basic ? { wsdl_headers: { authorization: basic } } : {}),
          ...(config.endpoint ? { endpoint: config.endpoint } : {}),
        });
      } catch (error) {
        if (ctx.signal.aborted) throw ctx.signal.reason;
        throw soapError(error, 'WSDL', source);
      }
    },
    { retry, signal: ctx.signal, logger: ctx.logger, where: 'WSDL' },
  );
  if (config.auth.type === 'basic')
    client.setSecurity(new soap.BasicAuthSecurity(config.auth.username!, config.auth.password!));
  const endpoint = endpointPath(client, config);
  return {
    endpoint,
    async call<T>(operation: string, args: Record<string, unknown>, page: SoapPage<T> = {}): Promise<T> {
      const method = (client as unknown as Record<string, unknown>)[`${operation}Async`];
      if (typeof method !== 'function') {
        throw new PermanentError(
          'OPERATION_UNKNOWN',
          `WSDL của ${source} không có thao tác ${operation} / ${source}'s WSDL has no operation ${operation}`,
        );
      }
      return retryPage(
        async () => {
          const result = await withRetries(
            async () => {
              try {
                const [answer] = (await method.call(client, args, {
                  timeout: config.timeoutMs,
                  signal: ctx.signal,
                  maxContentLength: maxSoapResponseBytes,
                })) as [unknown];
                return answer;
              } catch (error) {
                if (ctx.signal.aborted) throw ctx.signal.reason;
                throw soapError(error, operation, source);
              }
            },
            { retry, signal: ctx.signal, logger: ctx.logger, where: operation },
          );
          return page.read ? page.read(result) : (result as T);
        },
        {
          url: callUrl(endpoint, operation, args),
          page: page.page,
          source,
          maxAttempts: retry.pageAttempts,
          backoffMs: retry.backoffMs,
          signal: ctx.signal,
          logger: ctx.logger,
        },
      );
    },
  };
}

/** The path of the address calls go to: the config's endpoint, else the WSDL's first port. */
function endpointPath(client: soap.Client, config: SoapConfig): string {
  const services = (
    client as unknown as {
      wsdl?: {
        definitions?: { services?: Record<string, { ports?: Record<string, { location?: string }> }> };
      };
    }
  ).wsdl?.definitions?.services;
  const location =
    config.endpoint ??
    Object.values(services ?? {})
      .flatMap((s) => Object.values(s.ports ?? {}))
      .map((p) => p.location)
      .find((l): l is string => typeof l === 'string') ??
    config.wsdlUrl;
  try {
    return new URL(location).pathname;
  } catch {
    return location;
  }
}
