/**
 * Sandbox LGSP/NDXP gateway: the three personalities of domain README §3 (wso2, vnpt-lgsp, xroad),
 * checking credentials exactly as the real gateways are known to (the X-Road signature is
 * recomputed), routing business calls to an in-process handler or an upstream URL per service,
 * misbehaving on demand, and recording what it received. An XML (SOAP) call passes to its back end
 * and back untouched, content type and SOAPAction kept, in every personality (C06 behind NDXP).
 *
 * @example
 * const gw = await startLgspGateway({ personality: 'wso2', credentials: { consumerKey: 'k', consumerSecret: 's' },
 *   routes: { 'csdl-nganh': echoHandler } });
 * gw.faults.set({ rateLimit: { count: 2, retryAfterSeconds: 1 } });
 * gw.expireTokens();
 * await gw.close();
 */
import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import type { TLSSocket } from 'node:tls';
import Fastify, { type FastifyReply, type FastifyRequest } from 'fastify';

export type LgspPersonality = 'wso2' | 'vnpt-lgsp' | 'xroad';

export interface Wso2Credentials {
  consumerKey: string;
  consumerSecret: string;
}
export interface VnptCredentials {
  accessKey: string;
  secretKey: string;
  appName: string;
  partnerCode: string;
  partnerCodeCus: string;
}
export interface XroadCredentials {
  client: string;
  apiKey: string;
  userName: string;
  secretKey: string;
  /** `url_xacthuc`; default the simulator's own URL. */
  authUrl?: string;
  /** How far `Timestamp` may be from the simulator's clock (default 5 minutes). */
  maxSkewMs?: number;
}

export interface GatewayCall {
  service: string;
  operation: string;
  /** JSON body; for vnpt-lgsp the `data` array of the envelope. */
  /** An XML body (SOAP) is the text as it came, in every personality. */
  body: unknown;
  headers: Record<string, string | string[] | undefined>;
  idempotencyKey: string | undefined;
  /** vnpt-lgsp: the envelope's fields other than `data` (an idempotency key, when the client adds one). */
  envelope?: Record<string, unknown>;
}

/**
 * A handler answers a body, or a business error the gateway reports in its own form. A body with a
 * `contentType` (an XML answer, say) goes back as it is, in every personality.
 */
export type GatewayHandlerResult =
  | { status?: number; body: unknown; contentType?: string }
  | { error: { code: string; message: string; status?: number } };
export type GatewayHandler = (call: GatewayCall) => GatewayHandlerResult | Promise<GatewayHandlerResult>;

export interface LgspFaultPlan {
  /** The next `count` business calls answer 429 with `Retry-After`. */
  rateLimit?: { count: number; retryAfterSeconds?: number };
  /** The next `count` business calls answer `status` (default 503). */
  serverErrors?: { count: number; status?: number; retryAfterSeconds?: number };
  /** The next `count` business calls wait `delayMs` before answering. */
  slow?: { count: number; delayMs: number };
  /** The next `count` answers are garbled (vnpt: `message` is not JSON; others: cut-off body). */
  malformed?: { count: number };
  /** The next `count` answers are `bytes` long. */
  oversized?: { count: number; bytes: number };
  /** The next `count` calls get the gateway's own error (vnpt `error_code`, wso2 fault, X-Road type). */
  gatewayErrors?: { count: number; code: string; message: string };
}

type Common = {
  tokenTtlSeconds?: number;
  /**
   * The client's quota: business calls a second beyond it answer 429 with `Retry-After` (the
   * gateways throttle per client application; the simulator has one client, its credentials).
   */
  quota?: { requestsPerSecond: number };
  routes?: Record<string, GatewayHandler | string>;
  faults?: LgspFaultPlan;
  port?: number;
  /** The address to listen on (default 127.0.0.1). */
  host?: string;
  /**
   * Listen on https with this certificate and key. With `requestCert`, mutual TLS as the real
   * gateways require it: a client without a certificate `ca` signed is refused at the handshake.
   */
  tls?: { cert: string | Buffer; key: string | Buffer; ca?: string | Buffer; requestCert?: boolean };
};
export type LgspGatewayOptions =
  | (Common & { personality: 'wso2'; credentials: Wso2Credentials })
  | (Common & { personality: 'vnpt-lgsp'; credentials: VnptCredentials })
  | (Common & { personality: 'xroad'; credentials: XroadCredentials });

export interface LgspGatewayRecord {
  tokenRequests: number;
  /** Business calls that passed authentication (faulted or not). */
  calls: number;
  authFailures: number;
  /** Every idempotency key seen, with how many times. */
  idempotencyKeys: Map<string, number>;
  received: Array<{
    service: string;
    operation: string;
    idempotencyKey: string | undefined;
    correlationId: string | undefined;
    headers: Record<string, string | string[] | undefined>;
    /** The subject CN of the client certificate the call came with (mutual TLS only). */
    clientCertificateCN?: string;
  }>;
  faultsInjected: Record<keyof LgspFaultPlan, number>;
  /** Calls refused for exceeding the quota. */
  quotaRefusals: number;
}

export interface LgspGateway {
  url: string;
  personality: LgspPersonality;
  record: LgspGatewayRecord;
  faults: { set(plan: LgspFaultPlan): void; current(): LgspFaultPlan };
  /** Every token issued so far now answers 401. */
  expireTokens(): void;
  /** Sets (or lifts, with undefined) the client's quota. */
  setQuota(quota: { requestsPerSecond: number } | undefined): void;
  close(): Promise<void>;
}

/** Answers each record of the body as accepted, with its index: the stand-in for a city system. */
export const echoHandler: GatewayHandler = (call) => {
  const records = Array.isArray(call.body) ? call.body : [call.body];
  return {
    body: {
      idempotencyKey: call.idempotencyKey,
      results: records.map((_, index) => ({ index, status: 'accepted' })),
    },
  };
};

const equal = (a: string, b: string) => {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
};

const one = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);

/** XML media types: the body passes through unread (SOAP services such as C06 behind NDXP). */
const XML_TYPES = ['text/xml', 'application/xml', 'application/soap+xml'];
const isXml = (contentType: string | string[] | undefined) => {
  const type = one(contentType)?.split(';')[0]?.trim().toLowerCase();
  return type !== undefined && XML_TYPES.includes(type);
};

/** The SOAP 1.1 fault X-Road answers a SOAP client with, instead of its JSON error. */
function soapFault(code: string, message: string): string {
  const esc = (t: string) => t.replace(/[&<>]/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : '&gt;'));
  return (
    '<?xml version="1.0" encoding="UTF-8"?><SOAP-ENV:Envelope xmlns:SOAP-ENV="http://schemas.xmlsoap.org/soap/envelope/">' +
    `<SOAP-ENV:Body><SOAP-ENV:Fault><faultcode>${esc(code)}</faultcode><faultstring>${esc(message)}</faultstring>` +
    '</SOAP-ENV:Fault></SOAP-ENV:Body></SOAP-ENV:Envelope>'
  );
}

export async function startLgspGateway(options: LgspGatewayOptions): Promise<LgspGateway> {
  const tls = options.tls;
  const app = Fastify({
    logger: false,
    bodyLimit: 16 * 1024 * 1024,
    forceCloseConnections: true,
    https: tls
      ? {
          cert: tls.cert,
          key: tls.key,
          ...(tls.ca ? { ca: tls.ca } : {}),
          requestCert: tls.requestCert ?? false,
          rejectUnauthorized: tls.requestCert ?? false,
        }
      : null,
  });
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) =>
    done(null, Object.fromEntries(new URLSearchParams(body as string))),
  );
  app.addContentTypeParser(XML_TYPES, { parseAs: 'string' }, (_req, body, done) => done(null, body));
  const ttlMs = (options.tokenTtlSeconds ?? 3600) * 1000;
  const tokens = new Map<string, number>();
  let plan: LgspFaultPlan = structuredClone(options.faults ?? {});
  let quota = options.quota;
  const window: number[] = [];
  const record: LgspGatewayRecord = {
    tokenRequests: 0,
    calls: 0,
    authFailures: 0,
    idempotencyKeys: new Map(),
    received: [],
    faultsInjected: { rateLimit: 0, serverErrors: 0, slow: 0, malformed: 0, oversized: 0, gatewayErrors: 0 },
    quotaRefusals: 0,
  };
  let selfUrl = '';

  const take = <K extends keyof LgspFaultPlan>(kind: K): LgspFaultPlan[K] | undefined => {
    const f = plan[kind] as { count: number } | undefined;
    if (!f || f.count <= 0) return undefined;
    f.count--;
    record.faultsInjected[kind]++;
    return plan[kind];
  };

  const issueToken = (reply: FastifyReply) => {
    const value = randomBytes(24).toString('base64url');
    tokens.set(value, Date.now() + ttlMs);
    return reply.send({
      access_token: value,
      token_type: 'Bearer',
      expires_in: Math.round(ttlMs / 1000),
      scope: 'default',
    });
  };

  const bearerValid = (request: FastifyRequest) => {
    const auth = one(request.headers.authorization) ?? '';
    const m = /^Bearer (.+)$/.exec(auth);
    const expiry = m ? tokens.get(m[1]!) : undefined;
    return expiry !== undefined && expiry > Date.now();
  };

  /** The gateway's own error shape, per personality. */
  const gatewayError = (reply: FastifyReply, status: number, code: string, message: string) => {
    switch (options.personality) {
      case 'wso2':
        return reply
          .code(status)
          .send({ fault: { code: Number(code) || code, message, description: message } });
      case 'vnpt-lgsp':
        // VNPT answers business errors with HTTP 200 and error_code ≠ "0"; auth, quota and outages
        // with their status.
        return reply.code(status === 400 ? 200 : status).send({ error_code: code, message });
      case 'xroad':
        // A SOAP client gets X-Road's SOAP fault (faultcode = the error type), status kept.
        if (isXml(reply.request.headers['content-type'])) {
          return reply.code(status).type('text/xml; charset=utf-8').send(soapFault(code, message));
        }
        return reply.code(status).send({ type: code, message, detail: randomUUID() });
    }
  };

  // Token endpoints
  if (options.personality === 'wso2') {
    const c = options.credentials;
    app.post('/token', async (request, reply) => {
      record.tokenRequests++;
      const expected = `Basic ${Buffer.from(`${c.consumerKey}:${c.consumerSecret}`).toString('base64')}`;
      const form = (request.body ?? {}) as Record<string, string>;
      if (!equal(one(request.headers.authorization) ?? '', expected)) {
        return reply
          .code(401)
          .send({ error: 'invalid_client', error_description: 'Client Authentication failed.' });
      }
      if (form.grant_type !== 'client_credentials') {
        return reply.code(400).send({ error: 'unsupported_grant_type' });
      }
      return issueToken(reply);
    });
  }
  /** Compares the decoded JSON, not the base64, so key order or spacing does not matter. */
  const lgspHeaderValid = (request: FastifyRequest) => {
    if (options.personality !== 'vnpt-lgsp') return false;
    try {
      const got = JSON.parse(
        Buffer.from(one(request.headers.lgspaccesstoken) ?? '', 'base64').toString('utf8'),
      );
      const c = options.credentials;
      return (
        got.AccessKey === c.accessKey &&
        got.SecretKey === c.secretKey &&
        got.AppName === c.appName &&
        got.PartnerCode === c.partnerCode &&
        got.PartnerCodeCus === c.partnerCodeCus
      );
    } catch {
      return false;
    }
  };
  if (options.personality === 'vnpt-lgsp') {
    app.post('/xacthuc', async (request, reply) => {
      record.tokenRequests++;
      const form = (request.body ?? {}) as Record<string, string>;
      if (!lgspHeaderValid(request)) {
        return reply.code(401).send({ error_code: '401', message: 'lgspaccesstoken không hợp lệ' });
      }
      if (form.grant_type !== 'client_credentials') {
        return reply.code(400).send({ error_code: '400', message: 'grant_type phải là client_credentials' });
      }
      return issueToken(reply);
    });
  }

  /** Why the call is refused, or undefined when its credentials are good. */
  const authProblem = (request: FastifyRequest): string | undefined => {
    switch (options.personality) {
      case 'wso2':
        return bearerValid(request) ? undefined : '900901';
      case 'vnpt-lgsp':
        if (!lgspHeaderValid(request)) return '401';
        if (!bearerValid(request)) return '401';
        for (const h of ['sender_code', 'tran_code', 'receiver_code'])
          if (!one(request.headers[h])) return '400';
        return undefined;
      case 'xroad': {
        const c = options.credentials;
        const h = request.headers;
        if (one(h['x-road-client']) !== c.client) return 'Server.ClientProxy.UnknownMember';
        if (!equal(one(h.apikey) ?? '', c.apiKey)) return 'Server.ClientProxy.InvalidApiKey';
        const timestamp = one(h.timestamp) ?? '';
        if (!/^\d+$/.test(timestamp) || Math.abs(Date.now() - Number(timestamp)) > (c.maxSkewMs ?? 300_000)) {
          return 'Server.ClientProxy.TimestampOutOfRange';
        }
        const signature = createHash('sha256')
          .update((c.authUrl ?? selfUrl) + c.userName + timestamp + c.secretKey, 'utf8')
          .digest('hex');
        const expected = `Basic ${Buffer.from(`${c.userName}:${signature}`).toString('base64')}`;
        return equal(one(h.authorization) ?? '', expected)
          ? undefined
          : 'Server.ClientProxy.InvalidSignature';
      }
    }
  };

  const parsePath = (path: string): { service: string; operation: string } | undefined => {
    const parts = path.split('?')[0]!.split('/').filter(Boolean).map(decodeURIComponent);
    if (options.personality === 'wso2' && parts.length === 3)
      return { service: parts[0]!, operation: parts[2]! };
    if (options.personality === 'vnpt-lgsp' && parts.length === 2)
      return { service: parts[0]!, operation: parts[1]! };
    if (options.personality === 'xroad' && parts.length === 3 && parts[0] === 'r1') {
      return { service: parts[1]!, operation: parts[2]! };
    }
    return undefined;
  };

  app.get('/_sandbox/state', async () => ({
    personality: options.personality,
    tokenRequests: record.tokenRequests,
    calls: record.calls,
    authFailures: record.authFailures,
    idempotencyKeys: Object.fromEntries(record.idempotencyKeys),
    faults: plan,
    faultsInjected: record.faultsInjected,
    quota: quota ?? null,
    quotaRefusals: record.quotaRefusals,
  }));
  app.post('/_sandbox/faults', async (request) => {
    plan = structuredClone((request.body ?? {}) as LgspFaultPlan);
    return plan;
  });
  /** `{"requestsPerSecond": n}` sets the client's quota, `{}` lifts it. */
  app.post('/_sandbox/quota', async (request) => {
    const n = (request.body as { requestsPerSecond?: unknown } | undefined)?.requestsPerSecond;
    quota = typeof n === 'number' && n > 0 ? { requestsPerSecond: n } : undefined;
    window.length = 0;
    return { quota: quota ?? null };
  });

  app.post('/*', async (request, reply) => {
    const route = parsePath(request.url);
    if (!route) return reply.code(404).send({ error: 'no such service path' });
    const problem = authProblem(request);
    if (problem) {
      record.authFailures++;
      const status = problem === '400' ? 400 : 401;
      return gatewayError(reply, status, problem, 'Unauthorized / không được phép');
    }
    record.calls++;
    const idempotencyKey = one(request.headers['idempotency-key']);
    // XML (SOAP) is not wrapped in vnpt's {"data":[…]}: it passes as it came.
    const xml = isXml(request.headers['content-type']);
    const envelope = xml ? undefined : (request.body as { data?: unknown } | undefined);
    const body = options.personality === 'vnpt-lgsp' && !xml ? envelope?.data : request.body;
    const { data: _data, ...envelopeRest } =
      (options.personality === 'vnpt-lgsp' ? envelope : undefined) ?? {};
    if (options.personality === 'vnpt-lgsp' && !xml && !Array.isArray(body)) {
      return gatewayError(reply, 400, '2', 'Thiếu trường data / the envelope has no data array');
    }
    record.received.push({
      ...route,
      idempotencyKey,
      correlationId: one(request.headers['x-correlation-id']),
      headers: { ...request.headers },
      ...clientCertificateOf(request),
    });
    if (idempotencyKey)
      record.idempotencyKeys.set(idempotencyKey, (record.idempotencyKeys.get(idempotencyKey) ?? 0) + 1);

    const slow = take('slow');
    if (slow) await new Promise((r) => setTimeout(r, slow.delayMs));
    if (quota) {
      // A sliding window of one second over the calls this client made.
      const now = Date.now();
      while (window.length > 0 && window[0]! <= now - 1_000) window.shift();
      if (window.length >= quota.requestsPerSecond) {
        record.quotaRefusals++;
        reply.header('retry-after', String(Math.max(1, Math.ceil((window[0]! + 1_000 - now) / 1_000))));
        return gatewayError(
          reply,
          429,
          options.personality === 'wso2' ? '900800' : '429',
          'Vượt hạn mức / quota exceeded',
        );
      }
      window.push(now);
    }
    const limited = take('rateLimit');
    if (limited) {
      reply.header('retry-after', String(limited.retryAfterSeconds ?? 1));
      return gatewayError(
        reply,
        429,
        options.personality === 'wso2' ? '900800' : '429',
        'Message throttled out',
      );
    }
    const busy = take('serverErrors');
    if (busy) {
      if (busy.retryAfterSeconds !== undefined) reply.header('retry-after', String(busy.retryAfterSeconds));
      return gatewayError(
        reply,
        busy.status ?? 503,
        options.personality === 'wso2' ? '101503' : '503',
        'Back end busy',
      );
    }
    const refused = take('gatewayErrors');
    if (refused) return gatewayError(reply, 400, refused.code, refused.message);

    const handler = options.routes?.[route.service];
    if (!handler)
      return gatewayError(reply, 404, '404', `Không có dịch vụ ${route.service} / no such service`);
    const result =
      typeof handler === 'string'
        ? await forward(handler, route.operation, body, request.headers)
        : await handler({ ...route, body, headers: request.headers, idempotencyKey, envelope: envelopeRest });
    if ('error' in result)
      return gatewayError(reply, result.error.status ?? 400, result.error.code, result.error.message);

    const big = take('oversized');
    if (big) {
      reply.header('content-type', 'application/json');
      return reply.code(200).send(`{"padding":"${'x'.repeat(big.bytes)}"}`);
    }
    const garbled = take('malformed');
    const messageId = randomUUID();
    if (options.personality === 'wso2') reply.header('activityid', messageId);
    if (options.personality === 'xroad') reply.header('x-road-request-id', messageId);
    if (result.contentType !== undefined && typeof result.body === 'string') {
      // An XML answer goes back as the service wrote it (garbled: cut in half).
      const text = garbled ? result.body.slice(0, Math.floor(result.body.length / 2)) : result.body;
      return reply
        .code(result.status ?? 200)
        .type(result.contentType)
        .send(text);
    }
    if (options.personality === 'vnpt-lgsp') {
      const message = garbled ? '{"results":[{"index":0,' : JSON.stringify(result.body);
      return reply.code(200).send({ error_code: '0', message });
    }
    if (garbled)
      return reply
        .code(result.status ?? 200)
        .type('application/json')
        .send('{"results":[{"index":0,');
    return reply.code(result.status ?? 200).send(result.body);
  });

  selfUrl = await app.listen({ host: options.host ?? '127.0.0.1', port: options.port ?? 0 });
  return {
    url: selfUrl,
    personality: options.personality,
    record,
    faults: {
      set: (p) => {
        plan = structuredClone(p);
      },
      current: () => structuredClone(plan),
    },
    expireTokens: () => {
      for (const key of tokens.keys()) tokens.set(key, 0);
    },
    setQuota: (next) => {
      quota = next;
      window.length = 0;
    },
    close: () => app.close(),
  };
}

/** The client certificate's subject CN, when the call came over mutual TLS. */
function clientCertificateOf(request: FastifyRequest): { clientCertificateCN?: string } {
  const socket = request.raw.socket as Partial<TLSSocket>;
  const cn = socket.getPeerCertificate?.()?.subject?.CN;
  return typeof cn === 'string' ? { clientCertificateCN: cn } : {};
}

/** Passes a call on to an upstream city system (a simulator now, the real one never from here). */
async function forward(
  upstream: string,
  operation: string,
  body: unknown,
  headers: Record<string, string | string[] | undefined>,
): Promise<GatewayHandlerResult> {
  const xml = typeof body === 'string' && isXml(headers['content-type']);
  const pass: Record<string, string> = { 'content-type': 'application/json' };
  // SOAP passes through untouched: its content type and SOAPAction with it.
  for (const h of xml
    ? ['content-type', 'soapaction', 'x-correlation-id']
    : ['idempotency-key', 'x-correlation-id']) {
    const v = one(headers[h]);
    if (v !== undefined && (v !== '' || h === 'soapaction')) pass[h] = v;
  }
  const response = await fetch(`${upstream.replace(/\/$/, '')}/${encodeURIComponent(operation)}`, {
    method: 'POST',
    headers: pass,
    body: xml ? body : JSON.stringify(body),
  });
  const text = await response.text();
  const answerType = response.headers.get('content-type') ?? undefined;
  // An XML answer (a SOAP Fault included) goes back unchanged, status and all.
  if (isXml(answerType)) return { status: response.status, body: text, contentType: answerType! };
  let parsed: unknown = text;
  try {
    parsed = text === '' ? undefined : JSON.parse(text);
  } catch {}
  if (!response.ok)
    return { error: { code: String(response.status), message: text.slice(0, 500), status: response.status } };
  return { status: response.status, body: parsed };
}
