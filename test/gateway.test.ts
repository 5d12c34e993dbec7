import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import {
  echoHandler,
  type LgspGateway,
  type LgspGatewayOptions,
  startLgspGateway,
} from '../sandbox/lgsp/index.ts';
import {
  buildAgent,
  buildTlsOptions,
  cleanGatewayText,
  createGatewayClient,
  type GatewayClient,
  type GatewayClientOptions,
  GatewayPermanentError,
  GatewayRetryableError,
  GatewayThrottledError,
  lgspAccessToken,
  xroadAuthorization,
  xroadSignature,
} from '../src/gateway/index.ts';
import { PermanentError, RetryableError, ThrottledError } from '../src/sdk/errors.ts';

import { VNPT, WSO2, XROAD } from './support/gateway-credentials.ts';

const ROUTES = { 'csdl-nganh': echoHandler };

const students = [
  { maHocSinh: '7901234567', hoTen: 'Nguyễn Văn An', soDinhDanh: '079213004567' },
  { maHocSinh: '7901234568', hoTen: 'Trần Thị Bình', soDinhDanh: '079213004568' },
];

let gateways: LgspGateway[] = [];
let clients: GatewayClient[] = [];
afterEach(async () => {
  for (const c of clients) c.close();
  await Promise.all(gateways.map((g) => g.close()));
  gateways = [];
  clients = [];
});

type Personality = LgspGatewayOptions['personality'];
type Extra = Partial<Omit<GatewayClientOptions, 'personality' | 'baseUrl'>> & Record<string, unknown>;

async function setup(personality: Personality, gw: Partial<LgspGatewayOptions> = {}, extra: Extra = {}) {
  const credentials = personality === 'wso2' ? WSO2 : personality === 'vnpt-lgsp' ? VNPT : XROAD;
  const gateway = await startLgspGateway({
    personality,
    credentials,
    routes: ROUTES,
    ...gw,
  } as LgspGatewayOptions);
  gateways.push(gateway);
  const settings =
    personality === 'wso2'
      ? { wso2: { ...WSO2, serviceVersions: { 'csdl-nganh': '1.0' } } }
      : personality === 'vnpt-lgsp'
        ? {
            vnpt: {
              ...VNPT,
              senderCode: '000.00.00.H29',
              defaultReceiverCode: '000.00.15.H29',
              tranCodes: { 'csdl-nganh.hoc-sinh': 'HS_CAPNHAT' },
            },
          }
        : { xroad: { ...XROAD, userId: 'canbo.quan1' } };
  const client = createGatewayClient({
    personality,
    target: 'city-edudb',
    baseUrl: gateway.url,
    timeoutMs: 2000,
    ...settings,
    ...extra,
  } as GatewayClientOptions);
  clients.push(client);
  return { gateway, client };
}

const call = (n = 1) => ({
  service: 'csdl-nganh',
  operation: 'hoc-sinh',
  body: students,
  idempotencyKey: `batch-79000701-2025-hs-${n}`,
  correlationId: 'run-2025-09-05T02:00Z',
});

async function failure(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected the call to fail');
}

describe('each personality authenticates and a call succeeds', () => {
  for (const personality of ['wso2', 'vnpt-lgsp', 'xroad'] as const) {
    it(personality, async () => {
      const { gateway, client } = await setup(personality);
      const reply = await client.send(call());
      expect(reply.status).toBe(200);
      expect(reply.body).toEqual({
        idempotencyKey: 'batch-79000701-2025-hs-1',
        results: [
          { index: 0, status: 'accepted' },
          { index: 1, status: 'accepted' },
        ],
      });
      expect(reply.messageId).toMatch(/^[0-9a-f-]{36}$/);
      expect(gateway.record.authFailures).toBe(0);
      expect(gateway.record.received[0]).toMatchObject({
        service: 'csdl-nganh',
        operation: 'hoc-sinh',
        idempotencyKey: 'batch-79000701-2025-hs-1',
        correlationId: 'run-2025-09-05T02:00Z',
      });
    });
  }

  it('vnpt-lgsp sends the routing codes and the {"data":[…]} envelope', async () => {
    const { gateway, client } = await setup('vnpt-lgsp');
    await client.send(call());
    const headers = gateway.record.received[0]!.headers;
    expect(headers.sender_code).toBe('000.00.00.H29');
    expect(headers.receiver_code).toBe('000.00.15.H29');
    expect(headers.tran_code).toBe('HS_CAPNHAT');
    expect(JSON.parse(Buffer.from(String(headers.lgspaccesstoken), 'base64').toString())).toEqual({
      AccessKey: 'AK-H29-EDU-0001',
      SecretKey: 'SK-5c8e1f',
      AppName: 'EDUBRIDGE',
      PartnerCode: '000.00.00.H29',
      PartnerCodeCus: '000.00.15.H29',
    });
  });

  it('vnpt-lgsp puts the idempotency key in the envelope when configured', async () => {
    let envelopeKey: unknown;
    const { client } = await setup(
      'vnpt-lgsp',
      {
        routes: {
          'csdl-nganh': (c) => {
            envelopeKey = c.envelope;
            return echoHandler(c);
          },
        },
      },
      {
        vnpt: {
          ...VNPT,
          senderCode: '000.00.00.H29',
          defaultReceiverCode: '000.00.15.H29',
          idempotencyKeyField: 'idempotency_key',
        },
      },
    );
    await client.send(call());
    expect(envelopeKey).toEqual({ idempotency_key: 'batch-79000701-2025-hs-1' });
  });

  it('xroad sends the client id, API key, user id and a fresh timestamp', async () => {
    const { gateway, client } = await setup('xroad');
    const before = Date.now();
    await client.send(call());
    const h = gateway.record.received[0]!.headers;
    expect(h['x-road-client']).toBe('VN/GOV/000.00.00.H29/EDUBRIDGE');
    expect(h.apikey).toBe('apikey-31f0c2');
    expect(h['x-road-userid']).toBe('canbo.quan1');
    expect(Number(h.timestamp)).toBeGreaterThanOrEqual(before);
    expect(Number(h.timestamp)).toBeLessThanOrEqual(Date.now());
  });

  it('xroad with a wrong secret is refused for good', async () => {
    const { client } = await setup('xroad', {}, { xroad: { ...XROAD, secretKey: 'wrong' } });
    const error = await failure(client.send(call()));
    expect(error).toBeInstanceOf(PermanentError);
    expect((error as GatewayPermanentError).code).toBe('AUTH_REFUSED');
    expect((error as GatewayPermanentError).details.gatewayCode).toBe('Server.ClientProxy.InvalidSignature');
  });
});

describe('the X-Road signature', () => {
  it('matches the published formula on a vector computed outside Node (sha256sum)', () => {
    // printf '%s' 'https://ndxp.example.gov.vn/xacthuc' 'edubridge.hcm' '1767225600000' 's3cr3t-Key' | sha256sum
    const hex = '3fe5cca42e887757006153ef2531090585c44850048a83254e38d835e069c5e8';
    expect(
      xroadSignature('https://ndxp.example.gov.vn/xacthuc', 'edubridge.hcm', '1767225600000', 's3cr3t-Key'),
    ).toBe(hex);
    expect(
      xroadAuthorization(
        'https://ndxp.example.gov.vn/xacthuc',
        'edubridge.hcm',
        '1767225600000',
        's3cr3t-Key',
      ),
    ).toBe(`Basic ${Buffer.from(`edubridge.hcm:${hex}`).toString('base64')}`);
  });
});

describe('tokens', () => {
  for (const personality of ['wso2', 'vnpt-lgsp'] as const) {
    it(`${personality}: one token request serves many calls`, async () => {
      const { gateway, client } = await setup(personality);
      for (let i = 1; i <= 5; i++) await client.send(call(i));
      expect(gateway.record.tokenRequests).toBe(1);
      expect(gateway.record.calls).toBe(5);
    });

    it(`${personality}: a 401 on an expired token is answered by one refresh and one retry`, async () => {
      const { gateway, client } = await setup(personality);
      await client.send(call(1));
      gateway.expireTokens();
      const reply = await client.send(call(2));
      expect(reply.status).toBe(200);
      expect(gateway.record.tokenRequests).toBe(2);
      expect(gateway.record.authFailures).toBe(1);
    });
  }

  it('concurrent calls share one token request, and one refresh after the token expires', async () => {
    const { gateway, client } = await setup('wso2');
    await Promise.all(Array.from({ length: 10 }, (_, i) => client.send(call(i))));
    expect(gateway.record.tokenRequests).toBe(1);
    gateway.expireTokens();
    await Promise.all(Array.from({ length: 10 }, (_, i) => client.send(call(100 + i))));
    expect(gateway.record.tokenRequests).toBe(2);
    expect(gateway.record.idempotencyKeys.size).toBe(20);
  });

  it('a token refused again after the refresh is a permanent AUTH_REFUSED, with no third token', async () => {
    // Tokens that expire the moment they are issued: every business call answers 401.
    const { gateway, client } = await setup('wso2', { tokenTtlSeconds: 0 });
    const error = await failure(client.send(call()));
    expect(error).toBeInstanceOf(PermanentError);
    expect((error as GatewayPermanentError).code).toBe('AUTH_REFUSED');
    expect(gateway.record.tokenRequests).toBe(2);
  });

  it('wrong consumer credentials are refused for good at the token endpoint', async () => {
    const { client } = await setup('wso2', {}, { wso2: { ...WSO2, consumerSecret: 'stale' } });
    const error = await failure(client.send(call()));
    expect(error).toBeInstanceOf(GatewayPermanentError);
    expect((error as GatewayPermanentError).code).toBe('AUTH_REFUSED');
  });

  it('is refreshed before it expires', async () => {
    let clock = 1_000_000;
    const { gateway, client } = await setup('vnpt-lgsp', { tokenTtlSeconds: 600 }, { now: () => clock });
    await client.send(call(1));
    clock += 530_000; // 60 s margin: due at 540 s
    await client.send(call(2));
    expect(gateway.record.tokenRequests).toBe(1);
    clock += 15_000;
    await client.send(call(3));
    expect(gateway.record.tokenRequests).toBe(2);
    expect(gateway.record.authFailures).toBe(0);
  });
});

describe('error classification', () => {
  it('429 with Retry-After is retryable and carries the wait', async () => {
    const { client } = await setup('wso2', { faults: { rateLimit: { count: 1, retryAfterSeconds: 7 } } });
    const error = await failure(client.send(call()));
    expect(error).toBeInstanceOf(RetryableError);
    expect((error as GatewayRetryableError).code).toBe('HTTP_429');
    expect((error as GatewayRetryableError).retryAfterMs).toBe(7000);
    expect((error as GatewayRetryableError).details.gatewayCode).toBe('900800');
    expect((await client.send(call())).status).toBe(200);
  });

  it('429 is a throttled error, still one of the gateway retryable errors, its message from the catalogue', async () => {
    const { client } = await setup('wso2', { faults: { rateLimit: { count: 1, retryAfterSeconds: 7 } } });
    const error = (await failure(client.send(call()))) as GatewayThrottledError;
    expect(error).toBeInstanceOf(ThrottledError);
    expect(error).toBeInstanceOf(GatewayThrottledError);
    expect(error).toBeInstanceOf(GatewayRetryableError);
    expect(error.message).toBe(
      'Cổng city-edudb trả lời HTTP 429 [900800] ở csdl-nganh/hoc-sinh / gateway city-edudb answered HTTP 429 [900800] at csdl-nganh/hoc-sinh',
    );
  });

  it('a WSO2 throttling code on a 2xx envelope or a 4xx is throttled too; a busy back end is not', async () => {
    const { client } = await setup(
      'wso2',
      { faults: { gatewayErrors: { count: 1, code: '900802', message: 'Message throttled out' } } },
      { transientCodes: ['900802', '101503'] },
    );
    const throttled = await failure(client.send(call()));
    expect(throttled).toBeInstanceOf(GatewayThrottledError);
    expect((throttled as GatewayThrottledError).code).toBe('GATEWAY_900802');
    const busy = await setup(
      'wso2',
      { faults: { gatewayErrors: { count: 1, code: '101503', message: 'Connection refused' } } },
      { transientCodes: ['900802', '101503'] },
    );
    const unavailable = await failure(busy.client.send(call()));
    expect(unavailable).toBeInstanceOf(GatewayRetryableError);
    expect(unavailable).not.toBeInstanceOf(ThrottledError);
  });

  it('a plain retryable gateway error is no GatewayThrottledError', () => {
    const error = new GatewayRetryableError('HTTP_503', 'busy', { target: 't', personality: 'wso2' });
    expect(error).not.toBeInstanceOf(GatewayThrottledError);
    expect(error).not.toBeInstanceOf(ThrottledError);
  });

  it('503 is retryable', async () => {
    const { client } = await setup('vnpt-lgsp', { faults: { serverErrors: { count: 2 } } });
    for (let i = 0; i < 2; i++) {
      const error = await failure(client.send(call()));
      expect(error).toBeInstanceOf(RetryableError);
      expect((error as GatewayRetryableError).code).toBe('HTTP_503');
    }
    expect((await client.send(call())).status).toBe(200);
  });

  it('vnpt error_code ≠ "0" is permanent and keeps the gateway message, personal numbers masked', async () => {
    const { client } = await setup('vnpt-lgsp', {
      faults: {
        gatewayErrors: {
          count: 1,
          code: '7',
          message: 'Mã trường 79000701 không thuộc đơn vị nhận; số định danh 079213004567 sai',
        },
      },
    });
    const error = (await failure(client.send(call()))) as GatewayPermanentError;
    expect(error).toBeInstanceOf(PermanentError);
    expect(error.code).toBe('GATEWAY_7');
    expect(error.details.gatewayCode).toBe('7');
    expect(error.details.gatewayMessage).toBe(
      'Mã trường 79000701 không thuộc đơn vị nhận; số định danh [number] sai',
    );
    expect(error.details.gatewayBody).not.toContain('079213004567');
    expect(error.message).not.toContain('079213004567');
  });

  it('a vnpt code on the configured transient list is retryable', async () => {
    const { client } = await setup(
      'vnpt-lgsp',
      { faults: { gatewayErrors: { count: 1, code: '99', message: 'Hệ thống đích đang bận' } } },
      { transientCodes: ['99'] },
    );
    const error = (await failure(client.send(call()))) as GatewayRetryableError;
    expect(error).toBeInstanceOf(RetryableError);
    expect(error.code).toBe('GATEWAY_99');
    expect(error.details.gatewayMessage).toBe('Hệ thống đích đang bận');
  });

  it('an answer slower than the timeout is a retryable TIMEOUT', async () => {
    const { client } = await setup(
      'xroad',
      { faults: { slow: { count: 1, delayMs: 1500 } } },
      { timeoutMs: 300 },
    );
    const started = Date.now();
    const error = (await failure(client.send(call()))) as GatewayRetryableError;
    expect(error).toBeInstanceOf(RetryableError);
    expect(error.code).toBe('TIMEOUT');
    expect(Date.now() - started).toBeLessThan(1200);
  });

  it('an answer beyond the size limit is a permanent RESPONSE_TOO_LARGE', async () => {
    const { client } = await setup(
      'wso2',
      { faults: { oversized: { count: 1, bytes: 200_000 } } },
      { maxResponseBytes: 64 * 1024 },
    );
    const error = (await failure(client.send(call()))) as GatewayPermanentError;
    expect(error).toBeInstanceOf(PermanentError);
    expect(error.code).toBe('RESPONSE_TOO_LARGE');
  });

  it('a vnpt message that is not JSON is a retryable MESSAGE_MALFORMED', async () => {
    const { client } = await setup('vnpt-lgsp', { faults: { malformed: { count: 1 } } });
    const error = (await failure(client.send(call()))) as GatewayRetryableError;
    expect(error).toBeInstanceOf(RetryableError);
    expect(error.code).toBe('MESSAGE_MALFORMED');
  });

  it('a gateway nobody listens on is a retryable UNREACHABLE', async () => {
    const { gateway, client } = await setup('xroad');
    await gateway.close();
    gateways = [];
    const error = (await failure(client.send(call()))) as GatewayRetryableError;
    expect(error).toBeInstanceOf(RetryableError);
    expect(error.code).toBe('UNREACHABLE');
  });

  it('other 4xx are permanent', async () => {
    const { client } = await setup('wso2');
    const error = (await failure(client.send({ ...call(), service: 'khong-co' }))) as GatewayPermanentError;
    expect(error).toBeInstanceOf(PermanentError);
    expect(error.code).toBe('HTTP_404');
  });
});

describe('logs', () => {
  it('carry the correlation id, and never a token, a credential or the body', async () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk, _enc, done) {
        lines.push(String(chunk));
        done();
      },
    });
    const logger = pino({ level: 'debug' }, sink);
    const { gateway, client } = await setup(
      'vnpt-lgsp',
      { faults: { serverErrors: { count: 1 } } },
      { logger },
    );
    await failure(client.send(call(1)));
    gateway.expireTokens();
    await client.send(call(2));
    const text = lines.join('');
    const entries = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(entries.filter((e) => e.correlationId === 'run-2025-09-05T02:00Z').length).toBeGreaterThanOrEqual(
      3,
    );
    expect(entries.map((e) => e.msg)).toContain('gateway call failed');
    expect(entries.map((e) => e.msg)).toContain('gateway call');
    for (const secret of [
      VNPT.secretKey,
      VNPT.accessKey,
      lgspAccessToken(VNPT),
      'Bearer',
      'Nguyễn',
      '079213004567',
    ]) {
      expect(text).not.toContain(secret);
    }
  });
});

describe('mutual TLS', () => {
  it('reads the client certificate, key and CA from files into the agent', () => {
    const dir = mkdtempSync(join(tmpdir(), 'edubridge-tls-'));
    try {
      writeFileSync(
        join(dir, 'client.crt'),
        '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n',
      );
      writeFileSync(
        join(dir, 'client.key'),
        '-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\n',
      );
      writeFileSync(join(dir, 'ca.crt'), '-----BEGIN CERTIFICATE-----\nMIIC\n-----END CERTIFICATE-----\n');
      const files = {
        certFile: join(dir, 'client.crt'),
        keyFile: join(dir, 'client.key'),
        caFile: join(dir, 'ca.crt'),
      };
      const tls = buildTlsOptions(files);
      expect(String(tls.cert)).toContain('MIIB');
      expect(String(tls.key)).toContain('MIIE');
      expect(String(tls.ca)).toContain('MIIC');
      const agent = buildAgent('https://lgsp.example.gov.vn', files) as https.Agent;
      expect(agent).toBeInstanceOf(https.Agent);
      expect(String(agent.options.cert)).toContain('MIIB');
      agent.destroy();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a missing certificate file stops the client at creation', () => {
    expect(() =>
      createGatewayClient({
        personality: 'xroad',
        target: 'c06',
        baseUrl: 'https://127.0.0.1:9',
        xroad: XROAD,
        tls: {
          certFile: join(tmpdir(), 'edubridge-no-such.crt'),
          keyFile: join(tmpdir(), 'edubridge-no-such.key'),
        },
      }),
    ).toThrow(/ENOENT/);
  });
});

describe('cleanGatewayText', () => {
  it('masks ID and phone numbers, e-mails and echoed tokens, and cuts long bodies', () => {
    expect(cleanGatewayText('CCCD 079213004567, ĐT 0903 123 456, a.b@truong.edu.vn, Bearer abc.def')).toBe(
      'CCCD [number], ĐT [number], [email], Bearer [token]',
    );
    expect(cleanGatewayText('x'.repeat(2000), 100)).toHaveLength(101);
  });
});
