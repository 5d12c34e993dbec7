/**
 * The gateway client against recorded exchanges with the sandbox LGSP (fixtures/gateway/), one
 * recording per scenario and personality: its wire behaviour (paths, headers, bodies, how many
 * requests) and how it reads each answer are pinned, and no simulator runs. Record them again with
 *
 *   RECORD=1 npx vitest run test/gateway.replay.test.ts
 *
 * The recordings hold the requests' method, path and body (nock matches them on replay) but not
 * their headers, so the headers are read off the client's calls to `http.request` instead.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import nock from 'nock';
import { describe, expect, it, vi } from 'vitest';
import {
  echoHandler,
  type LgspFaultPlan,
  type LgspGateway,
  startLgspGateway,
} from '../sandbox/lgsp/index.ts';
import { FIXTURE_ORIGIN, type Fixture, nockFixture } from '../sandbox/vendors/shared/nock-fixture.ts';
import {
  createGatewayClient,
  type GatewayClient,
  type GatewayClientOptions,
  GatewayPermanentError,
  GatewayRetryableError,
  type Personality,
} from '../src/gateway/index.ts';

import { VNPT, WSO2, XROAD } from './support/gateway-credentials.ts';

const WSO2_BASIC = Buffer.from(`${WSO2.consumerKey}:${WSO2.consumerSecret}`).toString('base64');
/** `lgspaccesstoken` written out by hand: the gateway wants exactly these keys, in this order. */
const LGSP_ACCESS_TOKEN = Buffer.from(
  '{"AccessKey":"AK-H29-EDU-0001","SecretKey":"SK-5c8e1f","AppName":"EDUBRIDGE",' +
    '"PartnerCode":"000.00.00.H29","PartnerCodeCus":"000.00.15.H29"}',
).toString('base64');
/** Whatever would let someone call the gateway as the hub; none may reach a recording. */
const SECRETS = [
  WSO2.consumerKey,
  WSO2.consumerSecret,
  WSO2_BASIC,
  VNPT.accessKey,
  VNPT.secretKey,
  LGSP_ACCESS_TOKEN,
  XROAD.apiKey,
  XROAD.secretKey,
];

const PERSONALITIES = ['wso2', 'vnpt-lgsp', 'xroad'] as const;
const WITH_TOKENS = ['wso2', 'vnpt-lgsp'] as const;
const TOKEN_PATH = { wso2: '/token', 'vnpt-lgsp': '/xacthuc' } as const;
const CALL_PATH: Record<Personality, string> = {
  wso2: '/csdl-nganh/1.0/hoc-sinh',
  'vnpt-lgsp': '/csdl-nganh/hoc-sinh',
  xroad: '/r1/csdl-nganh/hoc-sinh',
};
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

const students = [
  { maHocSinh: '7901234567', hoTen: 'Nguyễn Văn An', soDinhDanh: '079213004567' },
  { maHocSinh: '7901234568', hoTen: 'Trần Thị Bình', soDinhDanh: '079213004568' },
];
const call = (n = 1) => ({
  service: 'csdl-nganh',
  operation: 'hoc-sinh',
  body: students,
  idempotencyKey: `batch-79000701-2025-hs-${n}`,
  correlationId: 'run-2025-09-05T02:00Z',
});
/** What the sandbox's echo handler answers to `call(n)`. */
const accepted = (n = 1) => ({
  idempotencyKey: `batch-79000701-2025-hs-${n}`,
  results: [
    { index: 0, status: 'accepted' },
    { index: 1, status: 'accepted' },
  ],
});

type ClientExtra = Partial<Pick<GatewayClientOptions, 'transientCodes' | 'now' | 'tls'>>;

function clientOptions(
  personality: Personality,
  baseUrl: string,
  extra: ClientExtra = {},
): GatewayClientOptions {
  const common = { target: 'city-edudb', baseUrl, timeoutMs: 2000, ...extra };
  switch (personality) {
    case 'wso2':
      return { ...common, personality, wso2: { ...WSO2, serviceVersions: { 'csdl-nganh': '1.0' } } };
    case 'vnpt-lgsp':
      return {
        ...common,
        personality,
        vnpt: {
          ...VNPT,
          senderCode: '000.00.00.H29',
          defaultReceiverCode: '000.00.15.H29',
          tranCodes: { 'csdl-nganh.hoc-sinh': 'HS_CAPNHAT' },
        },
      };
    case 'xroad':
      return { ...common, personality, xroad: { ...XROAD, userId: 'canbo.quan1' } };
  }
}

function startGateway(personality: Personality, faults: LgspFaultPlan = {}): Promise<LgspGateway> {
  const common = { routes: { 'csdl-nganh': echoHandler }, faults };
  switch (personality) {
    case 'wso2':
      return startLgspGateway({ ...common, personality, credentials: WSO2 });
    case 'vnpt-lgsp':
      return startLgspGateway({ ...common, personality, credentials: VNPT });
    case 'xroad':
      return startLgspGateway({ ...common, personality, credentials: XROAD });
  }
}

/** One request as the client handed it to node:http(s). */
interface Sent {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: string;
  agent: http.Agent | undefined;
}

/** Notes every request made through `http.request` / `https.request` (nock answers it after). */
function tapWire(): { sent: Sent[]; restore(): void } {
  const sent: Sent[] = [];
  const spies = [http, https].map((lib) => {
    const original = lib.request as (url: URL, options: http.RequestOptions) => http.ClientRequest;
    const tap = (url: URL, options: http.RequestOptions) => {
      const entry: Sent = {
        method: options.method ?? 'GET',
        path: url.pathname,
        headers: { ...(options.headers as Record<string, string>) },
        body: '',
        agent: options.agent instanceof http.Agent ? options.agent : undefined,
      };
      sent.push(entry);
      const request = original.call(lib, url, options);
      const end = request.end.bind(request) as (...args: unknown[]) => http.ClientRequest;
      request.end = ((...args: unknown[]) => {
        if (typeof args[0] === 'string') entry.body = args[0];
        return end(...args);
      }) as typeof request.end;
      return request;
    };
    return vi.spyOn(lib, 'request').mockImplementation(tap as never);
  });
  return {
    sent,
    restore: () => {
      for (const spy of spies) spy.mockRestore();
    },
  };
}

interface Replay {
  client: GatewayClient;
  sent: Sent[];
  fx: Fixture<LgspGateway>;
}

/**
 * Runs `test` against `fixtures/gateway/<personality>-<scenario>.json` (or the live simulator,
 * started with `faults`, when recording).
 */
async function replay(
  personality: Personality,
  scenario: string,
  setup: { faults?: LgspFaultPlan; client?: ClientExtra },
  test: (r: Replay) => Promise<void>,
): Promise<void> {
  const fx = await nockFixture({
    file: new URL(`../fixtures/gateway/${personality}-${scenario}.json`, import.meta.url),
    start: () => startGateway(personality, setup.faults),
    secrets: SECRETS,
  });
  const wire = tapWire();
  const client = createGatewayClient(clientOptions(personality, fx.url, setup.client));
  // The first thing to go wrong is reported: a failed assertion says more than the recorded calls
  // it left unmade.
  let problem: { error: unknown } | undefined;
  try {
    await test({ client, sent: wire.sent, fx });
  } catch (error) {
    problem = { error };
  }
  client.close();
  wire.restore();
  try {
    await fx.done();
  } catch (error) {
    problem ??= { error };
  }
  if (problem) throw problem.error;
}

/** The Bearer the client sends: the scrubbed token on replay, a live one when recording. */
const bearer = (fx: Fixture<LgspGateway>) =>
  fx.recording ? expect.stringMatching(/^Bearer [\w-]+$/) : 'Bearer scrubbed-access-token';

const route = (s: Sent) => `${s.method} ${s.path}`;

async function failure(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected the call to fail');
}

describe('first call: authenticates, then sends the call with its headers', () => {
  it('wso2: client credentials (Basic) on /token, then the call with the Bearer token', () =>
    replay('wso2', 'first-call', {}, async ({ client, sent, fx }) => {
      const reply = await client.send(call());
      expect(sent.map(route)).toEqual(['POST /token', 'POST /csdl-nganh/1.0/hoc-sinh']);
      expect(sent[0]).toMatchObject({
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          accept: 'application/json',
          authorization: `Basic ${WSO2_BASIC}`,
          'content-length': '29',
        },
        body: 'grant_type=client_credentials',
      });
      const body = JSON.stringify(students);
      expect(sent[1]!.headers).toEqual({
        accept: 'application/json',
        'content-type': 'application/json; charset=utf-8',
        'idempotency-key': 'batch-79000701-2025-hs-1',
        'x-correlation-id': 'run-2025-09-05T02:00Z',
        authorization: bearer(fx),
        'x-message-id': expect.stringMatching(UUID),
        'content-length': String(Buffer.byteLength(body)),
      });
      expect(sent[1]!.body).toBe(body);
      expect(reply).toEqual({
        status: 200,
        body: accepted(),
        // WSO2's own id for the exchange (`activityid`), not ours.
        messageId: expect.stringMatching(UUID),
        durationMs: expect.any(Number),
      });
      expect(reply.messageId).not.toBe(sent[1]!.headers['x-message-id']);
      expect(client.tokenRequests).toBe(1);
    }));

  it('vnpt-lgsp: lgspaccesstoken on /xacthuc, then the call with the Bearer, routing codes and {"data":[…]}', () =>
    replay('vnpt-lgsp', 'first-call', {}, async ({ client, sent, fx }) => {
      const reply = await client.send(call());
      expect(sent.map(route)).toEqual(['POST /xacthuc', 'POST /csdl-nganh/hoc-sinh']);
      expect(sent[0]).toMatchObject({
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          accept: 'application/json',
          lgspaccesstoken: LGSP_ACCESS_TOKEN,
          'content-length': '29',
        },
        body: 'grant_type=client_credentials',
      });
      expect(sent[0]!.headers.authorization).toBeUndefined();
      const body = JSON.stringify({ data: students });
      expect(sent[1]!.headers).toEqual({
        accept: 'application/json',
        'content-type': 'application/json; charset=utf-8',
        'idempotency-key': 'batch-79000701-2025-hs-1',
        'x-correlation-id': 'run-2025-09-05T02:00Z',
        lgspaccesstoken: LGSP_ACCESS_TOKEN,
        authorization: bearer(fx),
        SENDER_CODE: '000.00.00.H29',
        TRAN_CODE: 'HS_CAPNHAT',
        RECEIVER_CODE: '000.00.15.H29',
        'x-message-id': expect.stringMatching(UUID),
        'content-length': String(Buffer.byteLength(body)),
      });
      expect(sent[1]!.body).toBe(body);
      // The payload is the parsed `message` of {"error_code":"0","message":"…"}; VNPT sends no id
      // of its own, so the message id is ours.
      expect(reply).toEqual({
        status: 200,
        body: accepted(),
        messageId: sent[1]!.headers['x-message-id'],
        durationMs: expect.any(Number),
      });
      expect(client.tokenRequests).toBe(1);
    }));

  it('xroad: no token; client id, API key, timestamp and the signed Basic credentials on the call', () =>
    replay('xroad', 'first-call', {}, async ({ client, sent, fx }) => {
      const before = Date.now();
      const reply = await client.send(call());
      expect(sent.map(route)).toEqual(['POST /r1/csdl-nganh/hoc-sinh']);
      const headers = sent[0]!.headers;
      const timestamp = headers.Timestamp!;
      expect(Number(timestamp)).toBeGreaterThanOrEqual(before);
      expect(Number(timestamp)).toBeLessThanOrEqual(Date.now());
      // url_xacthuc (the base URL) + userName + Timestamp + secretKey, SHA-256 in lower-case hex.
      const signature = createHash('sha256')
        .update(`${fx.url}${XROAD.userName}${timestamp}${XROAD.secretKey}`)
        .digest('hex');
      const body = JSON.stringify(students);
      expect(headers).toEqual({
        accept: 'application/json',
        'content-type': 'application/json; charset=utf-8',
        'idempotency-key': 'batch-79000701-2025-hs-1',
        'x-correlation-id': 'run-2025-09-05T02:00Z',
        'X-Road-Client': 'VN/GOV/000.00.00.H29/EDUBRIDGE',
        ApiKey: XROAD.apiKey,
        Timestamp: timestamp,
        authorization: `Basic ${Buffer.from(`edubridge.hcm:${signature}`).toString('base64')}`,
        'X-Road-Id': expect.stringMatching(UUID),
        'X-Road-UserId': 'canbo.quan1',
        'content-length': String(Buffer.byteLength(body)),
      });
      expect(sent[0]!.body).toBe(body);
      expect(reply).toEqual({
        status: 200,
        body: accepted(),
        // The gateway's `x-road-request-id`, not the X-Road-Id we sent.
        messageId: expect.stringMatching(UUID),
        durationMs: expect.any(Number),
      });
      expect(reply.messageId).not.toBe(headers['X-Road-Id']);
      expect(client.tokenRequests).toBe(0);
    }));
});

describe('a 401 on an expired token', () => {
  for (const personality of WITH_TOKENS) {
    it(`${personality}: one refresh, then the same message once more, and it succeeds`, () =>
      replay(personality, '401-once', {}, async ({ client, sent, fx }) => {
        await client.send(call(1));
        fx.live?.expireTokens();
        const reply = await client.send(call(2));
        const token = `POST ${TOKEN_PATH[personality]}`;
        const business = `POST ${CALL_PATH[personality]}`;
        // call 1 with the first token; call 2 refused (401), a new token, call 2 again.
        expect(sent.map(route)).toEqual([token, business, business, token, business]);
        expect(client.tokenRequests).toBe(2);
        const [refused, retried] = [sent[2]!, sent[4]!];
        expect(retried.headers['idempotency-key']).toBe('batch-79000701-2025-hs-2');
        expect(retried.headers['x-message-id']).toBe(refused.headers['x-message-id']);
        expect(retried.body).toBe(refused.body);
        expect(retried.headers.authorization).toEqual(bearer(fx));
        expect(reply).toMatchObject({ status: 200, body: accepted(2) });
      }));
  }

  it('xroad: there is no token to refresh, so a 401 (stale timestamp) is a permanent AUTH_REFUSED at once', () =>
    // A clock ten minutes slow: the simulator allows five.
    replay('xroad', '401-once', { client: { now: () => Date.now() - 600_000 } }, async ({ client, sent }) => {
      const error = await failure(client.send(call()));
      expect(sent.map(route)).toEqual(['POST /r1/csdl-nganh/hoc-sinh']);
      expect(error).toBeInstanceOf(GatewayPermanentError);
      expect((error as GatewayPermanentError).code).toBe('AUTH_REFUSED');
      expect((error as GatewayPermanentError).details).toMatchObject({
        status: 401,
        gatewayCode: 'Server.ClientProxy.TimestampOutOfRange',
      });
      expect(client.tokenRequests).toBe(0);
    }));
});

describe('429 with Retry-After', () => {
  const throttleCode = { wso2: '900800', 'vnpt-lgsp': '429', xroad: '429' } as const;
  for (const personality of PERSONALITIES) {
    it(`${personality}: a retryable HTTP_429 carrying the wait, not retried by the client`, () =>
      replay(
        personality,
        '429',
        { faults: { rateLimit: { count: 1, retryAfterSeconds: 7 } } },
        async ({ client, sent }) => {
          const error = await failure(client.send(call()));
          expect(error).toBeInstanceOf(GatewayRetryableError);
          const e = error as GatewayRetryableError;
          expect(e.code).toBe('HTTP_429');
          expect(e.retryAfterMs).toBe(7000);
          expect(e.details).toMatchObject({
            target: 'city-edudb',
            personality,
            status: 429,
            gatewayCode: throttleCode[personality],
            gatewayMessage: 'Message throttled out',
          });
          expect(sent.map(route).filter((r) => r === `POST ${CALL_PATH[personality]}`)).toHaveLength(1);
        },
      ));
  }
});

describe('gateway error bodies', () => {
  /** A refusal naming a person: the copy the client keeps must not. */
  const SAID = 'Số định danh 079213004567 đã có trong hồ sơ khác; hỏi hotro@truong.example.vn';
  const KEPT = 'Số định danh [number] đã có trong hồ sơ khác; hỏi [email]';
  /** The error body as each gateway writes it, after cleaning. */
  const keptBody = (personality: Personality, code: string, message: string) =>
    personality === 'wso2'
      ? { fault: { code: Number(code) || code, message, description: message } }
      : personality === 'vnpt-lgsp'
        ? { error_code: code, message }
        : { type: code, message, detail: expect.any(String) };

  const permanent = {
    wso2: { gatewayCode: '4001', code: 'HTTP_400', status: 400 },
    // VNPT reports business errors inside an HTTP 200.
    'vnpt-lgsp': { gatewayCode: '7', code: 'GATEWAY_7', status: 200 },
    xroad: { gatewayCode: 'Server.ServerProxy.AccessDenied', code: 'HTTP_400', status: 400 },
  } as const;
  for (const personality of PERSONALITIES) {
    const expected = permanent[personality];
    it(`${personality}: a refusal is a permanent ${expected.code}, the gateway's body kept with personal data masked`, () =>
      replay(
        personality,
        'error-permanent',
        { faults: { gatewayErrors: { count: 1, code: expected.gatewayCode, message: SAID } } },
        async ({ client }) => {
          const error = await failure(client.send(call()));
          expect(error).toBeInstanceOf(GatewayPermanentError);
          const e = error as GatewayPermanentError;
          expect(e.code).toBe(expected.code);
          expect(e.details).toEqual({
            target: 'city-edudb',
            personality,
            status: expected.status,
            gatewayCode: expected.gatewayCode,
            gatewayMessage: KEPT,
            gatewayBody: expect.any(String),
          });
          expect(JSON.parse(e.details.gatewayBody!)).toEqual(
            keptBody(personality, expected.gatewayCode, KEPT),
          );
          expect(`${e.message} ${e.details.gatewayBody}`).not.toMatch(/079213004567|hotro@/);
        },
      ));
  }

  const transient = {
    // WSO2: connection to the back end timed out.
    wso2: { gatewayCode: '101504', message: 'Connection timed out', transientCodes: undefined, status: 400 },
    // Nothing public lists VNPT's codes: the city's busy code is configured.
    'vnpt-lgsp': {
      gatewayCode: '99',
      message: 'Hệ thống đích đang bận',
      transientCodes: ['99'],
      status: 200,
    },
    xroad: {
      gatewayCode: 'Server.ServerProxy.NetworkError',
      message: 'Could not connect to the service provider',
      transientCodes: undefined,
      status: 400,
    },
  } as const;
  for (const personality of PERSONALITIES) {
    const expected = transient[personality];
    it(`${personality}: a code on the transient list is a retryable GATEWAY_${expected.gatewayCode}`, () =>
      replay(
        personality,
        'error-transient',
        {
          faults: { gatewayErrors: { count: 1, code: expected.gatewayCode, message: expected.message } },
          client: expected.transientCodes ? { transientCodes: [...expected.transientCodes] } : {},
        },
        async ({ client }) => {
          const error = await failure(client.send(call()));
          expect(error).toBeInstanceOf(GatewayRetryableError);
          const e = error as GatewayRetryableError;
          expect(e.code).toBe(`GATEWAY_${expected.gatewayCode}`);
          expect(e.retryAfterMs).toBeUndefined();
          expect(e.details).toEqual({
            target: 'city-edudb',
            personality,
            status: expected.status,
            gatewayCode: expected.gatewayCode,
            gatewayMessage: expected.message,
            gatewayBody: expect.any(String),
          });
          expect(JSON.parse(e.details.gatewayBody!)).toEqual(
            keptBody(personality, expected.gatewayCode, expected.message),
          );
        },
      ));
  }
});

describe('mutual TLS', () => {
  it('sends the token request and the call through one https agent holding the cert, key, CA and passphrase from the files', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'edubridge-mtls-'));
    const files = {
      certFile: join(dir, 'client.crt'),
      keyFile: join(dir, 'client.key'),
      caFile: join(dir, 'gov-ca.crt'),
      passphrase: 'key-passphrase-1',
    };
    // Placeholders: nock answers before any handshake, so only the bytes matter.
    writeFileSync(files.certFile, '-----BEGIN CERTIFICATE-----\nY2xpZW50\n-----END CERTIFICATE-----\n');
    writeFileSync(
      files.keyFile,
      '-----BEGIN ENCRYPTED PRIVATE KEY-----\na2V5\n-----END ENCRYPTED PRIVATE KEY-----\n',
    );
    writeFileSync(files.caFile, '-----BEGIN CERTIFICATE-----\nZ292LWNh\n-----END CERTIFICATE-----\n');
    const origin = 'https://lgsp.hcm.example.vn';
    if (!nock.isActive()) nock.activate();
    nock.disableNetConnect();
    const scope = nock(origin)
      .post('/token', 'grant_type=client_credentials')
      .reply(200, { access_token: 'mtls-token', expires_in: 3600 })
      .post('/csdl-nganh/1.0/hoc-sinh', students)
      .reply(200, accepted());
    const wire = tapWire();
    const client = createGatewayClient(clientOptions('wso2', origin, { tls: files }));
    try {
      expect((await client.send(call())).body).toEqual(accepted());
      expect(wire.sent.map(route)).toEqual(['POST /token', 'POST /csdl-nganh/1.0/hoc-sinh']);
      const agent = wire.sent[0]!.agent as https.Agent;
      expect(agent).toBeInstanceOf(https.Agent);
      expect(wire.sent[1]!.agent).toBe(agent);
      expect(agent.options).toMatchObject({
        cert: readFileSync(files.certFile),
        key: readFileSync(files.keyFile),
        ca: readFileSync(files.caFile),
        passphrase: 'key-passphrase-1',
        keepAlive: true,
      });
      expect(scope.isDone()).toBe(true);
    } finally {
      client.close();
      wire.restore();
      nock.cleanAll();
      nock.enableNetConnect();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the recordings', () => {
  it('hold no credential, no live token and no live address', () => {
    const dir = new URL('../fixtures/gateway/', import.meta.url);
    const files = readdirSync(dir).filter((f) => f.endsWith('.json'));
    expect(files.sort()).toEqual(
      PERSONALITIES.flatMap((p) =>
        ['401-once', '429', 'error-permanent', 'error-transient', 'first-call'].map((s) => `${p}-${s}.json`),
      ).sort(),
    );
    const tokens = new Set<unknown>();
    for (const file of files) {
      const text = readFileSync(new URL(file, dir), 'utf8');
      for (const secret of SECRETS) expect(text, `${file} holds a credential`).not.toContain(secret);
      const exchanges = JSON.parse(text) as Array<{ scope: string; response?: { access_token?: unknown } }>;
      for (const x of exchanges) {
        expect(x.scope, file).toBe(FIXTURE_ORIGIN);
        if (x.response?.access_token !== undefined) tokens.add(x.response.access_token);
      }
    }
    expect([...tokens]).toEqual(['scrubbed-access-token']);
  });
});
