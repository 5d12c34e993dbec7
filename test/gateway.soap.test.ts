/**
 * `GatewayClient.sendSoap`: a SOAP 1.1 envelope through each gateway personality (the sandbox LGSP
 * passing it to an XML back end untouched), and the classification of what comes back, the odd
 * answers pinned with nock.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import nock from 'nock';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { type LgspGateway, type LgspGatewayOptions, startLgspGateway } from '../sandbox/lgsp/index.ts';
import {
  createGatewayClient,
  type GatewayClient,
  type GatewayClientOptions,
  GatewayPermanentError,
  GatewayRetryableError,
  quoteSoapAction,
  readSoapFault,
} from '../src/gateway/index.ts';
import { PermanentError, RetryableError } from '../src/sdk/errors.ts';

import { VNPT, WSO2, XROAD } from './support/gateway-credentials.ts';

type Personality = LgspGatewayOptions['personality'];
const PERSONALITIES: Personality[] = ['wso2', 'vnpt-lgsp', 'xroad'];

const REQUEST = `<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:dan="http://dancuquocgia.bca">
  <soapenv:Header/>
  <soapenv:Body>
    <dan:TraCuuThongTinCongDan>
      <dan:MaYeuCau>req-1</dan:MaYeuCau>
      <dan:SoDinhDanh>079213004567</dan:SoDinhDanh>
      <dan:HoVaTen>Nguyễn Gia Bảo &amp; co</dan:HoVaTen>
    </dan:TraCuuThongTinCongDan>
  </soapenv:Body>
</soapenv:Envelope>`;
const ANSWER =
  '<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body>' +
  '<ns1:CongdanCollection xmlns:ns1="http://www.mic.gov.vn/dancu/1.0"><ns1:CongDan><ns1:SoDinhDanh>079213004567</ns1:SoDinhDanh>' +
  '<ns1:HoVaTen><ns1:Ho>NGUYỄN</ns1:Ho><ns1:ChuDem>GIA</ns1:ChuDem><ns1:Ten>BẢO</ns1:Ten></ns1:HoVaTen></ns1:CongDan></ns1:CongdanCollection>' +
  '</soapenv:Body></soapenv:Envelope>';
const fault = (code: string, text: string) =>
  '<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body>' +
  `<soapenv:Fault><faultcode>${code}</faultcode><faultstring>${text}</faultstring></soapenv:Fault></soapenv:Body></soapenv:Envelope>`;

const soapCall = (extra: { soapAction?: string } = {}) => ({
  service: 'c06',
  operation: 'TraCuuThongTinCongDan',
  xml: REQUEST,
  correlationId: 'check-2025-09-05-0001',
  ...extra,
});

/** What an XML back end received, and what it answers. */
interface Upstream {
  url: string;
  received: Array<{ path: string; headers: http.IncomingHttpHeaders; body: string }>;
  answer: { status: number; type: string; body: string };
  close(): Promise<void>;
}

async function startUpstream(): Promise<Upstream> {
  const upstream: Omit<Upstream, 'url' | 'close'> = {
    received: [],
    answer: { status: 200, type: 'text/xml; charset=utf-8', body: ANSWER },
  };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      upstream.received.push({
        path: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      });
      res.writeHead(upstream.answer.status, { 'content-type': upstream.answer.type });
      res.end(upstream.answer.body);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return Object.assign(upstream, {
    url: `http://127.0.0.1:${port}/c06`,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  });
}

let cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const c of cleanups.reverse()) await c();
  cleanups = [];
  nock.cleanAll();
  nock.enableNetConnect();
});

function settings(personality: Personality) {
  return personality === 'wso2'
    ? { wso2: WSO2 }
    : personality === 'vnpt-lgsp'
      ? {
          vnpt: {
            ...VNPT,
            senderCode: '000.00.00.H29',
            defaultReceiverCode: '000.00.00.G22',
            tranCodes: { 'c06.TraCuuThongTinCongDan': 'C06_037' },
          },
        }
      : { xroad: XROAD };
}

function client(personality: Personality, baseUrl: string, extra: Partial<GatewayClientOptions> = {}) {
  const c = createGatewayClient({
    personality,
    target: 'c06',
    baseUrl,
    timeoutMs: 2000,
    ...settings(personality),
    ...extra,
  } as GatewayClientOptions);
  cleanups.push(() => c.close());
  return c;
}

async function setup(
  personality: Personality,
  gw: Partial<LgspGatewayOptions> = {},
  extra: Partial<GatewayClientOptions> = {},
): Promise<{ gateway: LgspGateway; upstream: Upstream; client: GatewayClient }> {
  const upstream = await startUpstream();
  cleanups.push(() => upstream.close());
  const credentials = personality === 'wso2' ? WSO2 : personality === 'vnpt-lgsp' ? VNPT : XROAD;
  const gateway = await startLgspGateway({
    personality,
    credentials,
    routes: { c06: upstream.url },
    ...gw,
  } as LgspGatewayOptions);
  cleanups.push(() => gateway.close());
  return { gateway, upstream, client: client(personality, gateway.url, extra) };
}

async function failure(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected the call to fail');
}

describe('sendSoap through each personality of the sandbox gateway', () => {
  for (const personality of PERSONALITIES) {
    it(`${personality}: the envelope reaches the back end unchanged, and its answer comes back unchanged`, async () => {
      const { gateway, upstream, client } = await setup(personality);
      const reply = await client.sendSoap(soapCall());
      expect(reply.status).toBe(200);
      expect(reply.body).toBe(ANSWER);
      expect(reply.messageId).toMatch(/^[0-9a-f-]{36}$/);

      expect(upstream.received).toHaveLength(1);
      const got = upstream.received[0]!;
      expect(got.path).toBe('/c06/TraCuuThongTinCongDan');
      expect(got.body).toBe(REQUEST);
      expect(got.headers['content-type']).toBe(
        personality === 'xroad' ? 'application/xml' : 'text/xml; charset=utf-8',
      );
      expect(got.headers.soapaction).toBe('""');
      expect(got.headers['x-correlation-id']).toBe('check-2025-09-05-0001');

      expect(gateway.record.authFailures).toBe(0);
      expect(gateway.record.received[0]).toMatchObject({
        service: 'c06',
        operation: 'TraCuuThongTinCongDan',
        correlationId: 'check-2025-09-05-0001',
      });
    });
  }

  it('vnpt-lgsp: the routing codes go with a SOAP call as with a JSON one', async () => {
    const { gateway, client } = await setup('vnpt-lgsp');
    await client.sendSoap(soapCall());
    const h = gateway.record.received[0]!.headers;
    expect(h.tran_code).toBe('C06_037');
    expect(h.receiver_code).toBe('000.00.00.G22');
    expect(h.sender_code).toBe('000.00.00.H29');
    expect(String(h.authorization)).toMatch(/^Bearer /);
  });

  it('xroad: the signed Basic credentials, timestamp, client id and API key go with a SOAP call', async () => {
    const { gateway, client } = await setup('xroad');
    const before = Date.now();
    await client.sendSoap(soapCall());
    const h = gateway.record.received[0]!.headers;
    expect(h['x-road-client']).toBe(XROAD.client);
    expect(h.apikey).toBe(XROAD.apiKey);
    expect(Number(h.timestamp)).toBeGreaterThanOrEqual(before);
    expect(String(h.authorization)).toMatch(/^Basic /);
    expect(h.soapaction).toBe('""');
  });

  it('a SOAPAction is sent quoted, once', async () => {
    const { upstream, client } = await setup('wso2');
    await client.sendSoap(soapCall({ soapAction: 'urn:TraCuuThongTinCongDan' }));
    await client.sendSoap(soapCall({ soapAction: '"urn:TraCuuThongTinCongDan"' }));
    expect(upstream.received.map((r) => r.headers.soapaction)).toEqual([
      '"urn:TraCuuThongTinCongDan"',
      '"urn:TraCuuThongTinCongDan"',
    ]);
    expect(quoteSoapAction('')).toBe('""');
  });

  it('a token the gateway stopped accepting is refreshed once and the SOAP call tried again', async () => {
    const { gateway, upstream, client } = await setup('wso2');
    await client.sendSoap(soapCall());
    gateway.expireTokens();
    const reply = await client.sendSoap(soapCall());
    expect(reply.body).toBe(ANSWER);
    expect(gateway.record.tokenRequests).toBe(2);
    expect(gateway.record.authFailures).toBe(1);
    expect(upstream.received).toHaveLength(2);
  });

  it("a SOAP Fault from the back end is permanent, keeps its faultcode, and the fault's text masked", async () => {
    const { upstream, client } = await setup('xroad');
    upstream.answer = {
      status: 500,
      type: 'text/xml; charset=utf-8',
      body: fault('soapenv:Client', 'dan:SoDinhDanh 079213004567 không hợp lệ'),
    };
    const error = (await failure(client.sendSoap(soapCall()))) as GatewayPermanentError;
    expect(error).toBeInstanceOf(PermanentError);
    expect(error.code).toBe('SOAP_FAULT');
    expect(error.details.status).toBe(500);
    expect(error.details.gatewayCode).toBe('soapenv:Client');
    expect(error.details.gatewayMessage).toBe('dan:SoDinhDanh [number] không hợp lệ');
    expect(error.details.gatewayBody).toMatch(/^<soapenv:Fault>.*<\/soapenv:Fault>$/);
    expect(error.details.gatewayBody).not.toContain('079213004567');
    expect(error.message).not.toContain('079213004567');
  });

  it('a SOAP Fault on the configured transient list is retryable', async () => {
    const { upstream, client } = await setup('wso2', {}, { transientSoapFaults: ['Server.Busy'] });
    upstream.answer = {
      status: 500,
      type: 'text/xml',
      body: fault('soapenv:Server.Busy', 'Hệ thống đang bận'),
    };
    const error = (await failure(client.sendSoap(soapCall()))) as GatewayRetryableError;
    expect(error).toBeInstanceOf(RetryableError);
    expect(error.code).toBe('SOAP_FAULT_TRANSIENT');
    expect(error.details.gatewayCode).toBe('soapenv:Server.Busy');
  });

  it('gateway throttling and outages are retryable for SOAP calls as for JSON ones', async () => {
    const { client } = await setup('xroad', {
      faults: { rateLimit: { count: 1, retryAfterSeconds: 4 }, serverErrors: { count: 1 } },
    });
    const limited = (await failure(client.sendSoap(soapCall()))) as GatewayRetryableError;
    expect(limited).toBeInstanceOf(RetryableError);
    expect(limited.code).toBe('HTTP_429');
    expect(limited.retryAfterMs).toBe(4000);
    const busy = (await failure(client.sendSoap(soapCall()))) as GatewayRetryableError;
    expect(busy.code).toBe('HTTP_503');
    expect((await client.sendSoap(soapCall())).body).toBe(ANSWER);
  });

  it('xroad refusing the signature answers a SOAP client with a fault: AUTH_REFUSED, its code kept', async () => {
    const { client } = await setup('xroad', {}, { xroad: { ...XROAD, secretKey: 'wrong' } });
    const error = (await failure(client.sendSoap(soapCall()))) as GatewayPermanentError;
    expect(error).toBeInstanceOf(PermanentError);
    expect(error.code).toBe('AUTH_REFUSED');
    expect(error.details.gatewayCode).toBe('Server.ClientProxy.InvalidSignature');
  });

  it("vnpt-lgsp: the gateway's own business error (error_code ≠ 0) is the same error as for send", async () => {
    const { client } = await setup('vnpt-lgsp', {
      faults: { gatewayErrors: { count: 1, code: '7', message: 'Đơn vị nhận không đúng' } },
    });
    const error = (await failure(client.sendSoap(soapCall()))) as GatewayPermanentError;
    expect(error.code).toBe('GATEWAY_7');
    expect(error.details.gatewayMessage).toBe('Đơn vị nhận không đúng');
  });

  it('logs carry the correlation id and never the envelope, the ID number or the name', async () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk, _enc, done) {
        lines.push(String(chunk));
        done();
      },
    });
    const { upstream, client } = await setup('wso2', {}, { logger: pino({ level: 'debug' }, sink) });
    await client.sendSoap(soapCall());
    upstream.answer = { status: 500, type: 'text/xml', body: fault('soapenv:Server', 'lỗi 079213004567') };
    await failure(client.sendSoap(soapCall()));
    const entries = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(entries.map((e) => e.msg)).toEqual(
      expect.arrayContaining(['gateway call', 'gateway call failed']),
    );
    expect(entries.filter((e) => e.correlationId === 'check-2025-09-05-0001').length).toBeGreaterThanOrEqual(
      2,
    );
    const text = lines.join('');
    for (const personal of ['079213004567', 'Nguyễn', 'NGUYỄN', 'Bảo']) expect(text).not.toContain(personal);
  });
});

describe('sendSoap answers pinned with nock', () => {
  const BASE = 'https://ndxp.sandbox.invalid';
  const PATH = '/r1/c06/TraCuuThongTinCongDan';
  const xroadClient = (extra: Partial<GatewayClientOptions> = {}) => {
    nock.disableNetConnect();
    return client('xroad', BASE, extra);
  };

  it('sends application/xml, the quoted SOAPAction and the X-Road headers', async () => {
    let seen: Record<string, string | string[] | undefined> = {};
    nock(BASE)
      .post(PATH, (body) => body === REQUEST)
      .reply(function () {
        seen = this.req.headers;
        return [200, ANSWER, { 'content-type': 'text/xml', 'x-road-request-id': 'xr-77' }];
      });
    const reply = await xroadClient().sendSoap(soapCall());
    expect(reply).toMatchObject({ status: 200, body: ANSWER, messageId: 'xr-77' });
    expect(seen['content-type']).toBe('application/xml');
    expect(seen.soapaction).toBe('""');
    expect(seen['x-road-client']).toBe(XROAD.client);
    expect(seen.apikey).toBe(XROAD.apiKey);
  });

  it("X-Road's own network faults are retryable by default", async () => {
    nock(BASE).post(PATH).reply(500, fault('SOAP-ENV:Server.ServerProxy.NetworkError', 'Could not connect'), {
      'content-type': 'text/xml',
    });
    const error = (await failure(xroadClient().sendSoap(soapCall()))) as GatewayRetryableError;
    expect(error).toBeInstanceOf(GatewayRetryableError);
    expect(error.code).toBe('SOAP_FAULT_TRANSIENT');
  });

  it('a fault that arrives with HTTP 200 is still a fault', async () => {
    nock(BASE).post(PATH).reply(200, fault('soapenv:Client', 'Sai cấu trúc'), { 'content-type': 'text/xml' });
    const error = (await failure(xroadClient().sendSoap(soapCall()))) as GatewayPermanentError;
    expect(error).toBeInstanceOf(GatewayPermanentError);
    expect(error.code).toBe('SOAP_FAULT');
    expect(error.details.status).toBe(200);
  });

  it('a faultstring on the transient list makes the fault retryable', async () => {
    nock(BASE)
      .post(PATH)
      .reply(500, fault('soapenv:Server', 'Timeout connecting to CSDLQG'), { 'content-type': 'text/xml' });
    const error = await failure(
      xroadClient({ transientSoapFaults: ['timeout connecting'] }).sendSoap(soapCall()),
    );
    expect(error).toBeInstanceOf(GatewayRetryableError);
  });

  it('HTTP 500 without a fault, a 502 and a 504 are retryable', async () => {
    nock(BASE).post(PATH).reply(500, '<html>Internal Server Error</html>', { 'content-type': 'text/html' });
    nock(BASE).post(PATH).reply(502, fault('soapenv:Client', 'ignored: the status says later'));
    nock(BASE).post(PATH).reply(504, '');
    const c = xroadClient();
    for (const code of ['HTTP_500', 'HTTP_502', 'HTTP_504']) {
      const error = (await failure(c.sendSoap(soapCall()))) as GatewayRetryableError;
      expect(error).toBeInstanceOf(GatewayRetryableError);
      expect(error.code).toBe(code);
    }
  });

  it('an answer slower than the timeout is a retryable TIMEOUT', async () => {
    nock(BASE).post(PATH).delay(400).reply(200, ANSWER);
    const error = (await failure(
      xroadClient({ timeoutMs: 100 }).sendSoap(soapCall()),
    )) as GatewayRetryableError;
    expect(error).toBeInstanceOf(GatewayRetryableError);
    expect(error.code).toBe('TIMEOUT');
  });

  it('an answer beyond the size limit is a permanent RESPONSE_TOO_LARGE', async () => {
    nock(BASE)
      .post(PATH)
      .reply(200, `<x>${'a'.repeat(5000)}</x>`);
    const error = (await failure(
      xroadClient({ maxResponseBytes: 1024 }).sendSoap(soapCall()),
    )) as GatewayPermanentError;
    expect(error).toBeInstanceOf(GatewayPermanentError);
    expect(error.code).toBe('RESPONSE_TOO_LARGE');
  });

  it('a proxy\'s {error_code, message} wrapper: "0" passes through for the codec, another code is an error', async () => {
    const wrapped = JSON.stringify({ error_code: '0', message: ANSWER });
    nock(BASE).post(PATH).reply(200, wrapped, { 'content-type': 'application/json' });
    nock(BASE).post(PATH).reply(200, { error_code: '3', message: 'Sai mã tích hợp' });
    const c = xroadClient();
    expect((await c.sendSoap(soapCall())).body).toBe(wrapped);
    const error = (await failure(c.sendSoap(soapCall()))) as GatewayPermanentError;
    expect(error.code).toBe('GATEWAY_3');
  });
});

describe('readSoapFault', () => {
  it('reads SOAP 1.1 and 1.2 faults whatever the prefixes, and nothing from other bodies', () => {
    expect(readSoapFault(fault('soapenv:Server', 'a &amp; b'))).toMatchObject({
      code: 'soapenv:Server',
      string: 'a & b',
    });
    const soap12 =
      '<env:Envelope xmlns:env="http://www.w3.org/2003/05/soap-envelope"><env:Body><env:Fault>' +
      '<env:Code><env:Value>env:Receiver</env:Value></env:Code><env:Reason><env:Text xml:lang="vi">Bận</env:Text></env:Reason>' +
      '</env:Fault></env:Body></env:Envelope>';
    expect(readSoapFault(soap12)).toMatchObject({ code: 'env:Receiver', string: 'Bận' });
    expect(readSoapFault(ANSWER)).toBeUndefined();
    expect(readSoapFault('{"fault":{"code":900901}}')).toBeUndefined();
    expect(readSoapFault('<Fault>not in an envelope</Fault>')).toBeUndefined();
  });
});
