/**
 * The SOAP adapter reads a school system's WSDL and answers within the hub's bounds (issue 14,
 * finding 5): a WSDL address that serves more than SOAP_MAX_WSDL_BYTES, or an answer larger than
 * SOAP_MAX_RESPONSE_BYTES, stops the read with a permanent InputLimitError naming the system, the
 * bound and the setting, after reading little more than the bound.
 */
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { startSoapSchool } from '../../sandbox/vendors/soap-school/index.ts';
import { readContext } from '../../src/sdk/conformance/index.ts';
import {
  DEFAULT_INPUT_LIMITS,
  type InputLimitError,
  type InputLimits,
  parseAdapterConfig,
} from '../../src/sdk/index.ts';
import { baseContext } from '../rest/testing.ts';
import adapter from './index.ts';

const MiB = 1024 * 1024;
const closers: Array<() => Promise<unknown>> = [];
afterAll(async () => {
  await Promise.all(closers.map((close) => close()));
});

/**
 * A WSDL address that serves `total` bytes of a WSDL-looking document, chunked (no length said
 * beforehand), written as the client reads: `sent` is what left the server when the client stopped.
 */
async function endlessWsdl(total: number) {
  const served = { sent: 0, requests: 0 };
  const server: Server = createServer(async (_request, response) => {
    served.requests++;
    let closed = false;
    let wake = () => {};
    response.on('close', () => {
      closed = true;
      wake();
    });
    response.on('error', () => {});
    response.writeHead(200, { 'content-type': 'text/xml; charset=utf-8' });
    const comment = Buffer.from(`<!--${'x'.repeat(64 * 1024 - 7)}-->`);
    response.write('<?xml version="1.0"?><definitions xmlns="http://schemas.xmlsoap.org/wsdl/">');
    while (served.sent < total && !closed) {
      served.sent += comment.length;
      if (!response.write(comment)) {
        await new Promise<void>((resolve) => {
          wake = resolve;
          response.once('drain', resolve);
        });
      }
    }
    response.end('</definitions>');
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  closers.push(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/TruongHoc.asmx?wsdl`, served };
}

async function readStudents(rawConfig: Record<string, unknown>, limits?: Partial<InputLimits>) {
  const config = parseAdapterConfig(adapter.configSchema, rawConfig, 'soap');
  const ctx = readContext({ ...baseContext(), ...(limits ? { limits } : {}) }, config, undefined);
  let records = 0;
  try {
    for await (const _ of adapter.read('students', ctx)) records++;
  } catch (error) {
    return { records, error: error as InputLimitError };
  }
  return { records, error: undefined };
}

describe('a WSDL larger than the bound', () => {
  it('stops the read at SOAP_MAX_WSDL_BYTES (5 MiB by default), without retrying', async () => {
    const wsdl = await endlessWsdl(64 * MiB);

    const { error } = await readStudents({
      wsdlUrl: wsdl.url,
      profile: 'sandbox-soap',
      retry: { maxAttempts: 3, backoffMs: 5 },
    });

    expect(error).toMatchObject({
      name: 'InputLimitError',
      code: 'WSDL_TOO_LARGE',
      retryable: false,
      limit: 'maxWsdlBytes',
      max: DEFAULT_INPUT_LIMITS.maxWsdlBytes,
      setting: 'SOAP_MAX_WSDL_BYTES',
    });
    expect(error!.message).toBe(
      'Sandbox school service (SOAP): WSDL lớn hơn giới hạn 5.242.880 byte (tăng bằng SOAP_MAX_WSDL_BYTES) / Sandbox school service (SOAP): the WSDL is larger than the limit of 5,242,880 bytes (raised by SOAP_MAX_WSDL_BYTES)',
    );
    // One request, read to a little past the bound (socket buffers), not to its 64 MiB.
    expect(wsdl.served.requests).toBe(1);
    expect(wsdl.served.sent).toBeGreaterThan(5 * MiB);
    expect(wsdl.served.sent).toBeLessThan(16 * MiB);
  });

  it('is a problem of check(), naming the setting', async () => {
    const wsdl = await endlessWsdl(8 * MiB);
    const config = parseAdapterConfig(
      adapter.configSchema,
      { wsdlUrl: wsdl.url, profile: 'sandbox-soap', retry: { maxAttempts: 1 } },
      'soap',
    );

    const result = await adapter.check(config, { ...baseContext(), limits: { maxWsdlBytes: MiB } });

    expect(result).toMatchObject({
      ok: false,
      problems: [{ code: 'WSDL_TOO_LARGE', message: expect.stringContaining('SOAP_MAX_WSDL_BYTES') }],
    });
  });
});

describe('an answer larger than the bound', () => {
  it('stops the read with SOAP_RESPONSE_TOO_LARGE naming the operation, and does not ask again', async () => {
    const school = await startSoapSchool({ seed: 7, schools: 1, classesPerGrade: 1, classSize: 12 });
    closers.push(() => school.close());

    const { records, error } = await readStudents(
      {
        wsdlUrl: school.wsdlUrl,
        profile: 'sandbox-soap',
        pageSize: 10,
        retry: { maxAttempts: 3, backoffMs: 5 },
      },
      { maxSoapResponseBytes: 2_048 },
    );

    expect(records).toBe(0);
    expect(error).toMatchObject({
      code: 'SOAP_RESPONSE_TOO_LARGE',
      retryable: false,
      limit: 'maxSoapResponseBytes',
      max: 2_048,
      setting: 'SOAP_MAX_RESPONSE_BYTES',
    });
    expect(error!.message).toMatch(
      /^Sandbox school service \(SOAP\): câu trả lời của LayDanhSachHocSinh lớn hơn giới hạn 2\.048 byte \(tăng bằng SOAP_MAX_RESPONSE_BYTES\) \/ Sandbox school service \(SOAP\): the answer to LayDanhSachHocSinh is larger than the limit of 2,048 bytes \(raised by SOAP_MAX_RESPONSE_BYTES\)$/,
    );
    // A bound is no hiccup: the page was asked for once.
    expect(school.state.calls.get('LayDanhSachHocSinh')).toBe(1);
  });
});
