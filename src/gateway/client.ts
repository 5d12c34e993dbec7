/**
 * The gateway client: every call the hub makes to the city side leaves through here. One client per
 * target; its personality (wso2, vnpt-lgsp, xroad) decides how it authenticates and how it reads
 * the answer. It does not retry by itself (the sync engine's queue does, with backoff), except for
 * one thing only it can fix: a token the gateway stopped accepting is refreshed once and the call
 * tried once more.
 */
import { randomUUID } from 'node:crypto';
import type { Bilingual } from '../model/error-catalogue.ts';
import { retryAfterMs } from '../sdk/http.ts';
import {
  cleanGatewayText,
  DEFAULT_TRANSIENT_CODES,
  type GatewayErrorDetails,
  type GatewayPermanentError,
  type GatewayRetryableError,
  gatewayError,
  isTransientCode,
  isTransientSoapFault,
} from './errors.ts';
import { publishGatewayCall } from './events.ts';
import { readSoapFault, type SoapFault } from './soap.ts';
import { buildAgent } from './tls.ts';
import { type RawResponse, TransportFailure, transmit } from './transport.ts';
import type {
  GatewayClient,
  GatewayClientOptions,
  GatewayResponse,
  GatewaySendRequest,
  GatewaySoapRequest,
  GatewaySoapResponse,
  Personality,
} from './types.ts';
import { xroadAuthorization } from './xroad.ts';

const MIB = 1024 * 1024;

/** Where a call goes when `pathFor` is not given. */
export function defaultPath(
  personality: Personality,
  service: string,
  operation: string,
  versions: Record<string, string> = {},
): string {
  const s = encodeURIComponent(service);
  const op = encodeURIComponent(operation);
  switch (personality) {
    case 'wso2':
      return `/${s}/${encodeURIComponent(versions[service] ?? '1.0')}/${op}`;
    case 'vnpt-lgsp':
      return `/${s}/${op}`;
    case 'xroad':
      return `/r1/${s}/${op}`;
  }
}

/** `lgspaccesstoken`: base64 of the JSON the VNPT gateway expects, in its own key order. */
export function lgspAccessToken(v: {
  accessKey: string;
  secretKey: string;
  appName: string;
  partnerCode: string;
  partnerCodeCus: string;
}): string {
  const json = JSON.stringify({
    AccessKey: v.accessKey,
    SecretKey: v.secretKey,
    AppName: v.appName,
    PartnerCode: v.partnerCode,
    PartnerCodeCus: v.partnerCodeCus,
  });
  return Buffer.from(json, 'utf8').toString('base64');
}

interface Route {
  service: string;
  operation: string;
}

/** One exchange as `send` and `sendSoap` describe it to the shared loop. */
interface Exchange<B> extends Route {
  correlationId: string;
  /** Added to the log lines; never personal data. */
  logFields?: Record<string, unknown>;
  body: string;
  /** Content headers; the personality's credentials are added to them. */
  headers: Record<string, string>;
  read(response: RawResponse, where: string): B;
}

/** SOAP 1.1 wants the action quoted (`SOAPAction: ""`); a value already quoted is kept. */
export function quoteSoapAction(action: string): string {
  return /^".*"$/.test(action) ? action : `"${action.replace(/"/g, '')}"`;
}

const MESSAGE_ID_HEADERS = ['x-road-id', 'x-road-request-id', 'activityid', 'x-message-id'];

function joinUrl(baseUrl: string, path: string): URL {
  return new URL(path.replace(/^\//, ''), baseUrl.replace(/\/?$/, '/'));
}

function header(headers: RawResponse['headers'], name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function parseJson(buffer: Buffer): { ok: true; value: unknown } | { ok: false } {
  const text = buffer.toString('utf8');
  if (text.trim() === '') return { ok: true, value: undefined };
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false };
  }
}

/** The gateway's own code and message in an error body, whichever personality wrote it. */
function gatewayFault(value: unknown): { code?: string; message?: string } {
  if (!value || typeof value !== 'object') return {};
  const v = value as Record<string, unknown>;
  const fault = v.fault as Record<string, unknown> | undefined;
  const pick = (x: unknown) => (x === undefined || x === null ? undefined : String(x));
  if (fault && typeof fault === 'object') return { code: pick(fault.code), message: pick(fault.message) };
  if ('error_code' in v) return { code: pick(v.error_code), message: pick(v.message) };
  if ('type' in v) return { code: pick(v.type), message: pick(v.message) };
  return { code: pick(v.code ?? v.error), message: pick(v.message ?? v.error_description) };
}

/**
 * The status a failed exchange is counted under: the gateway's HTTP status when it answered (an
 * error body, or a 200 whose envelope said no), else what kept it from answering.
 */
function callStatus(error: unknown): string {
  const status = (error as Partial<GatewayRetryableError>).details?.status;
  if (typeof status === 'number') return String(status);
  const cause = (error as { cause?: unknown }).cause;
  return cause instanceof TransportFailure ? cause.kind : 'error';
}

/**
 * Creates the client of one target.
 *
 * @example
 * const gateway = createGatewayClient({ personality: 'vnpt-lgsp', target: 'city-edudb', baseUrl,
 *   vnpt: { accessKey, secretKey, appName: 'EDUBRIDGE', partnerCode: '000.00.00.H29', partnerCodeCus: '000.00.00.H29',
 *           senderCode: '000.00.00.H29', defaultReceiverCode: '000.00.15.H29' }, logger });
 * const { body } = await gateway.send({ service: 'csdl-nganh', operation: 'hoc-sinh', body: records,
 *   idempotencyKey: batch.key, correlationId: run.id });
 * // SOAP services (C06): the envelope as text both ways, same credentials and error classes.
 * const answer = await gateway.sendSoap({ service: 'c06', operation: 'TraCuuThongTinCongDan', xml, correlationId });
 */
export function createGatewayClient(options: GatewayClientOptions): GatewayClient {
  const { personality, target } = options;
  const timeoutMs = options.timeoutMs ?? 30_000;
  const maxResponseBytes = options.maxResponseBytes ?? 10 * MIB;
  const refreshMarginMs = options.refreshMarginMs ?? 60_000;
  const transient = options.transientCodes ?? DEFAULT_TRANSIENT_CODES[personality];
  const transientSoap = options.transientSoapFaults ?? transient;
  const now = options.now ?? Date.now;
  const log = options.logger;
  const agent = buildAgent(options.baseUrl, options.tls);
  const authUrl =
    options.personality === 'xroad' ? (options.xroad.authUrl ?? options.baseUrl.replace(/\/$/, '')) : '';
  const lgspHeader = options.personality === 'vnpt-lgsp' ? lgspAccessToken(options.vnpt) : '';

  let token: { value: string; expiresAt: number } | undefined;
  let tokenInFlight: Promise<string> | undefined;
  let tokenRequests = 0;

  const details = (extra: Omit<GatewayErrorDetails, 'target' | 'personality'> = {}): GatewayErrorDetails => ({
    target,
    personality,
    ...extra,
  });

  // How the messages name the gateway: at the start of a sentence, and inside one.
  const gateway = { vi: `Cổng ${target}`, en: `gateway ${target}` };
  const theGateway = { vi: `cổng ${target}`, en: `gateway ${target}` };

  function transportError(failure: unknown, what: Bilingual): Error {
    if (!(failure instanceof TransportFailure)) return failure as Error;
    const cause = { cause: failure };
    switch (failure.kind) {
      case 'timeout':
        return gatewayError('TIMEOUT', { system: gateway, where: what, ms: timeoutMs }, details(), {
          retryable: true,
          ...cause,
        });
      case 'too_large':
        return gatewayError('RESPONSE_TOO_LARGE', { target, what, bytes: maxResponseBytes }, details(), {
          retryable: false,
          ...cause,
        });
      case 'tls_refused': {
        // Retrying with the same certificates cannot succeed, and "unreachable" would send a person
        // to look at the network: a certificate needs renewing, installing or trusting.
        const code = (failure.cause as NodeJS.ErrnoException | undefined)?.code ?? '';
        return gatewayError(
          code.startsWith('ERR_SSL_') ? 'TLS_CLIENT_CERT_REFUSED' : 'TLS_SERVER_CERT_UNTRUSTED',
          { target, what, reason: code },
          details(),
          { retryable: false, ...cause },
        );
      }
      case 'network':
        return gatewayError(
          'UNREACHABLE',
          { system: theGateway, where: what, reason: failure.message },
          details(),
          { retryable: true, ...cause },
        );
    }
  }

  const tokenSource = options.personality !== 'xroad';

  async function fetchToken(): Promise<string> {
    const form = new URLSearchParams({ grant_type: 'client_credentials' });
    let url: URL;
    const headers: Record<string, string> = {
      'content-type': 'application/x-www-form-urlencoded',
      accept: 'application/json',
    };
    if (options.personality === 'wso2') {
      const w = options.wso2;
      url = w.tokenUrl ? new URL(w.tokenUrl) : joinUrl(options.baseUrl, '/token');
      headers.authorization = `Basic ${Buffer.from(`${w.consumerKey}:${w.consumerSecret}`).toString('base64')}`;
      if (w.scope) form.set('scope', w.scope);
    } else if (options.personality === 'vnpt-lgsp') {
      url = options.vnpt.tokenUrl ? new URL(options.vnpt.tokenUrl) : joinUrl(options.baseUrl, '/xacthuc');
      headers.lgspaccesstoken = lgspHeader;
    } else {
      throw new Error('xroad has no token');
    }
    tokenRequests++;
    let response: RawResponse;
    try {
      response = await transmit(url, {
        method: 'POST',
        headers,
        body: form.toString(),
        timeoutMs,
        maxResponseBytes: 64 * 1024,
        agent,
      });
    } catch (failure) {
      throw transportError(failure, { vi: 'khi cấp token', en: 'to the token request' });
    }
    const status = response.status;
    if (status === 400 || status === 401 || status === 403) {
      throw gatewayError(
        'AUTH_REFUSED',
        { system: gateway, status },
        details({ status, gatewayBody: cleanGatewayText(response.body.toString('utf8')) }),
        { retryable: false },
      );
    }
    if (status === 408 || status === 429 || status >= 500) {
      const wait = retryAfterMs(header(response.headers, 'retry-after') ?? null, now());
      throw gatewayError('TOKEN_FAILED', { system: gateway, status }, details({ status }), {
        retryable: true,
        retryAfterMs: wait,
      });
    }
    const parsed = parseJson(response.body);
    const json = (parsed.ok ? parsed.value : undefined) as
      | { access_token?: unknown; expires_in?: unknown }
      | undefined;
    if (status >= 300 || typeof json?.access_token !== 'string' || json.access_token === '') {
      throw gatewayError('TOKEN_MALFORMED', { system: gateway }, details({ status }), { retryable: false });
    }
    const lifetimeMs = (Number(json.expires_in) > 0 ? Number(json.expires_in) : 3600) * 1000;
    // Early enough that a token never lapses in the middle of a batch; a short-lived token at half
    // its life, or it would be fetched again before every call.
    token = {
      value: json.access_token,
      expiresAt: now() + Math.max(lifetimeMs / 2, lifetimeMs - refreshMarginMs),
    };
    log?.debug({ target, personality, expiresInMs: lifetimeMs }, 'gateway token obtained');
    return token.value;
  }

  async function currentToken(): Promise<string> {
    if (token && token.expiresAt > now()) return token.value;
    // One refresh at a time, however many calls are waiting for it.
    tokenInFlight ??= fetchToken().finally(() => {
      tokenInFlight = undefined;
    });
    return tokenInFlight;
  }

  /** Drops the token a 401 was answered to, unless another call already replaced it. */
  function invalidate(used: string): void {
    if (token?.value === used) token = undefined;
  }

  /** The personality's credentials and routing headers, the same for JSON and SOAP calls. */
  function authHeaders(route: Route, messageId: string, bearer: string | undefined): Record<string, string> {
    const headers: Record<string, string> = {};
    switch (options.personality) {
      case 'wso2':
        headers.authorization = `Bearer ${bearer}`;
        headers['x-message-id'] = messageId;
        break;
      case 'vnpt-lgsp': {
        const v = options.vnpt;
        headers.lgspaccesstoken = lgspHeader;
        headers.authorization = `Bearer ${bearer}`;
        headers.SENDER_CODE = v.senderCode;
        headers.TRAN_CODE = v.tranCodes?.[`${route.service}.${route.operation}`] ?? route.operation;
        headers.RECEIVER_CODE = v.receiverCodes?.[route.service] ?? v.defaultReceiverCode;
        headers['x-message-id'] = messageId;
        break;
      }
      case 'xroad': {
        const x = options.xroad;
        const timestamp = String(now());
        headers['X-Road-Client'] = x.client;
        headers.ApiKey = x.apiKey;
        headers.Timestamp = timestamp;
        headers.authorization = xroadAuthorization(authUrl, x.userName, timestamp, x.secretKey);
        headers['X-Road-Id'] = messageId;
        if (x.userId) headers['X-Road-UserId'] = x.userId;
        break;
      }
    }
    return headers;
  }

  function requestBody(request: GatewaySendRequest): string {
    if (options.personality !== 'vnpt-lgsp') return JSON.stringify(request.body ?? null);
    const envelope: Record<string, unknown> = {
      data: Array.isArray(request.body) ? request.body : [request.body],
    };
    const field = options.vnpt.idempotencyKeyField;
    if (field) envelope[field] = request.idempotencyKey;
    return JSON.stringify(envelope);
  }

  /** Turns a non-2xx answer, or a 2xx the gateway marked as failed, into the right error. */
  function failure(response: RawResponse, where: string): Error {
    const status = response.status;
    const parsed = parseJson(response.body);
    const fault = parsed.ok ? gatewayFault(parsed.value) : {};
    const kept = details({
      status,
      ...(fault.code !== undefined ? { gatewayCode: fault.code } : {}),
      ...(fault.message !== undefined ? { gatewayMessage: cleanGatewayText(fault.message, 300) } : {}),
      gatewayBody: cleanGatewayText(response.body.toString('utf8')),
    });
    const said = fault.code !== undefined ? ` [${fault.code}]` : '';
    const http = { system: gateway, status: `${status}${said}`, where };
    // The statuses that say "later"; the catalogue calls 429 throttled, so it is waited out.
    if (status === 408 || status === 425 || status === 429 || status >= 500) {
      const wait = retryAfterMs(header(response.headers, 'retry-after') ?? null, now());
      return gatewayError(`HTTP_${status}`, http, kept, { retryable: true, retryAfterMs: wait });
    }
    if (isTransientCode(fault.code, transient)) {
      const code = `GATEWAY_${fault.code}`;
      return gatewayError(code, { system: gateway, code: fault.code ?? '', where }, kept, {
        retryable: true,
      });
    }
    if (status === 401 || status === 403) {
      return gatewayError('AUTH_REFUSED', { system: gateway, status }, kept, { retryable: false });
    }
    return gatewayError(`HTTP_${status}`, http, kept, { retryable: false });
  }

  /** A `{error_code, message}` envelope whose code is not "0": the gateway (or a proxy) refused. */
  function envelopeError(code: string, said: unknown, response: RawResponse, where: string): Error {
    const gatewayMessage = typeof said === 'string' ? said : JSON.stringify(said ?? '');
    const kept = details({
      status: response.status,
      gatewayCode: code,
      gatewayMessage: cleanGatewayText(gatewayMessage, 300),
      gatewayBody: cleanGatewayText(response.body.toString('utf8')),
    });
    return gatewayError(`GATEWAY_${code}`, { system: gateway, code, where }, kept, {
      retryable: isTransientCode(code, transient),
    });
  }

  /** A SOAP Fault: permanent unless `transientSoapFaults` lists it; the fault's text kept, cleaned. */
  function faultError(fault: SoapFault, response: RawResponse, where: string): Error {
    const status = response.status;
    const code = cleanGatewayText(fault.code, 100);
    const kept = details({
      status,
      ...(code !== '' ? { gatewayCode: code } : {}),
      ...(fault.string !== '' ? { gatewayMessage: cleanGatewayText(fault.string, 300) } : {}),
      gatewayBody: cleanGatewayText(fault.text !== '' ? fault.text : response.body.toString('utf8')),
    });
    const values = { target, fault: code !== '' ? ` [${code}]` : '', status, where };
    if (isTransientSoapFault(fault, transientSoap)) {
      const wait = retryAfterMs(header(response.headers, 'retry-after') ?? null, now());
      return gatewayError('SOAP_FAULT_TRANSIENT', values, kept, { retryable: true, retryAfterMs: wait });
    }
    return gatewayError('SOAP_FAULT', values, kept, { retryable: false });
  }

  /**
   * The text of a SOAP answer, or the error it carries. Statuses that say "later" (408, 429, 5xx
   * other than 500) are retryable whatever the body; refused credentials stay AUTH_REFUSED; a Fault
   * under any other status (500, as SOAP 1.1 wants, or a 2xx from a careless proxy) is classified
   * by `faultError`; a proxy's `{error_code, message}` wrapper with a code other than "0" is the
   * same error `send` gives for it. An accepted wrapper comes back as it is: the codec unwraps it.
   */
  function soapAnswer(response: RawResponse, where: string): string {
    const status = response.status;
    if (status === 408 || status === 425 || status === 429 || status > 500) throw failure(response, where);
    const text = response.body.toString('utf8');
    const fault = readSoapFault(text);
    if (status === 401 || status === 403) {
      const error = failure(response, where) as GatewayPermanentError;
      if (fault?.code) error.details.gatewayCode = cleanGatewayText(fault.code, 100);
      throw error;
    }
    if (fault) throw faultError(fault, response, where);
    if (status < 200 || status >= 300) throw failure(response, where);
    if (text.trimStart().startsWith('{')) {
      const parsed = parseJson(response.body);
      const wrapper = (parsed.ok ? parsed.value : undefined) as
        | { error_code?: unknown; message?: unknown }
        | undefined;
      if (wrapper && typeof wrapper === 'object' && wrapper.error_code !== undefined) {
        const code = String(wrapper.error_code);
        if (code !== '0') throw envelopeError(code, wrapper.message, response, where);
      }
    }
    return text;
  }

  /** The business payload of a 2xx answer, or the error it carries. */
  function payload(response: RawResponse, where: string): unknown {
    const parsed = parseJson(response.body);
    const malformed = (what: string) =>
      // Retryable: the call is idempotent, and a garbled answer is what a gateway under strain
      // sends now and then; the queue's attempt limit stops one that is always garbled.
      gatewayError(
        'MESSAGE_MALFORMED',
        { target, what, where },
        details({
          status: response.status,
          gatewayBody: cleanGatewayText(response.body.toString('utf8'), 200),
        }),
        { retryable: true },
      );
    if (!parsed.ok) throw malformed('body');
    if (options.personality !== 'vnpt-lgsp') return parsed.value;
    const envelope = parsed.value as { error_code?: unknown; message?: unknown } | undefined;
    if (!envelope || typeof envelope !== 'object' || envelope.error_code === undefined) {
      throw malformed('envelope');
    }
    const code = String(envelope.error_code);
    if (code !== '0') throw envelopeError(code, envelope.message, response, where);
    if (typeof envelope.message !== 'string') return envelope.message;
    if (envelope.message.trim() === '') return undefined;
    try {
      return JSON.parse(envelope.message);
    } catch {
      throw malformed('message');
    }
  }

  /**
   * One call, JSON or SOAP: the personality's credentials, one token refresh on a 401, transport
   * failures classified, one log line. `read` turns the answer into the result or the error.
   */
  async function exchange<B>(x: Exchange<B>): Promise<GatewayResponse<B>> {
    const started = performance.now();
    const path =
      options.pathFor?.(x.service, x.operation) ??
      defaultPath(
        personality,
        x.service,
        x.operation,
        options.personality === 'wso2' ? options.wso2.serviceVersions : undefined,
      );
    const url = joinUrl(options.baseUrl, path);
    const where = `${x.service}/${x.operation}`;
    const logFields = {
      target,
      personality,
      service: x.service,
      operation: x.operation,
      correlationId: x.correlationId,
      ...x.logFields,
    };
    const ourMessageId = randomUUID();
    let refreshed = false;
    try {
      for (;;) {
        const bearer = tokenSource ? await currentToken() : undefined;
        let response: RawResponse;
        try {
          response = await transmit(url, {
            method: 'POST',
            headers: { ...x.headers, ...authHeaders(x, ourMessageId, bearer) },
            body: x.body,
            timeoutMs,
            maxResponseBytes,
            agent,
          });
        } catch (failure) {
          throw transportError(failure, { vi: `ở ${where}`, en: `at ${where}` });
        }
        if (response.status === 401 && tokenSource && bearer !== undefined && !refreshed) {
          // An expired or revoked token: one refresh, one more try.
          refreshed = true;
          publishGatewayCall({ target, status: '401', durationMs: performance.now() - started });
          invalidate(bearer);
          log?.info({ ...logFields, status: 401 }, 'gateway refused the token; refreshing once');
          continue;
        }
        const value = x.read(response, where);
        const messageId =
          MESSAGE_ID_HEADERS.map((h) => header(response.headers, h)).find((v) => v !== undefined) ??
          ourMessageId;
        const durationMs = Math.round(performance.now() - started);
        publishGatewayCall({ target, status: String(response.status), durationMs });
        log?.info({ ...logFields, status: response.status, messageId, durationMs }, 'gateway call');
        return { status: response.status, body: value, messageId, durationMs };
      }
    } catch (error) {
      const e = error as Partial<GatewayRetryableError>;
      publishGatewayCall({ target, status: callStatus(error), durationMs: performance.now() - started });
      log?.warn(
        {
          ...logFields,
          code: e.code,
          retryable: e.retryable,
          status: e.details?.status,
          gatewayCode: e.details?.gatewayCode,
          retryAfterMs: e.retryAfterMs,
          durationMs: Math.round(performance.now() - started),
        },
        'gateway call failed',
      );
      throw error;
    }
  }

  function send<T>(request: GatewaySendRequest): Promise<GatewayResponse<T>> {
    return exchange<T>({
      service: request.service,
      operation: request.operation,
      correlationId: request.correlationId,
      logFields: { idempotencyKey: request.idempotencyKey },
      body: requestBody(request),
      headers: {
        accept: 'application/json',
        'content-type': 'application/json; charset=utf-8',
        'idempotency-key': request.idempotencyKey,
        'x-correlation-id': request.correlationId,
      },
      read: (response, where) => {
        if (response.status < 200 || response.status >= 300) throw failure(response, where);
        return payload(response, where) as T;
      },
    });
  }

  function sendSoap(request: GatewaySoapRequest): Promise<GatewaySoapResponse> {
    // NDXP's C06 clients send application/xml (domain README §2.1); SOAP 1.1 wants text/xml.
    const xml = options.personality === 'xroad' ? 'application/xml' : 'text/xml; charset=utf-8';
    return exchange<string>({
      service: request.service,
      operation: request.operation,
      correlationId: request.correlationId,
      logFields: { protocol: 'soap' },
      body: request.xml,
      headers: {
        accept: 'text/xml, application/xml',
        'content-type': xml,
        SOAPAction: quoteSoapAction(request.soapAction ?? ''),
        'x-correlation-id': request.correlationId,
      },
      read: soapAnswer,
    });
  }

  return {
    personality,
    target,
    send,
    sendSoap,
    get tokenRequests() {
      return tokenRequests;
    },
    close: () => agent.destroy(),
  };
}
