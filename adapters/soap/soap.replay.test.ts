/**
 * The SOAP adapter against recorded answers of the sandbox SOAP service (fixtures/soap/): the
 * WSDL, the schools, paged students and the teachers' XML-in-a-string. Record them again with
 * `RECORD=1 npx vitest run adapters/soap/soap.replay.test.ts`.
 */
import { describe, expect, it } from 'vitest';
import { nockFixture } from '../../sandbox/vendors/shared/nock-fixture.ts';
import { SOAP_PATH, startSoapSchool } from '../../sandbox/vendors/soap-school/index.ts';
import { checkRecord, type Student } from '../../src/model/index.ts';
import { parseAdapterConfig } from '../../src/sdk/index.ts';
import { baseContext, memoryLogger, readAll, TEST_NOW } from '../rest/testing.ts';
import { soapError } from './client.ts';
import adapter from './index.ts';

const fixture = (name: string) => new URL(`../../fixtures/soap/${name}.json`, import.meta.url);
const TINY = {
  seed: 3,
  schools: 1,
  classesPerGrade: 1,
  classSize: 5,
  now: () => Date.parse('2026-11-01T00:00:00Z'),
};
const AUTH = { type: 'basic', username: 'fixture-user', password: 'fixture-password-1' } as const;
const config = (url: string, extra: Record<string, unknown> = {}) => ({
  wsdlUrl: `${url}${SOAP_PATH}?wsdl`,
  profile: 'sandbox-soap',
  auth: AUTH,
  pageSize: 10,
  retry: { maxAttempts: 3, backoffMs: 5, maxRetryAfterMs: 2_000 },
  ...extra,
});

describe('soap adapter, replayed', () => {
  it('reads students (structured) and teachers (XML text) with IDs kept as text', async () => {
    const fx = await nockFixture({
      file: fixture('students-teachers'),
      start: () => startSoapSchool({ ...TINY, auth: AUTH }),
      secrets: [AUTH.password],
    });
    try {
      const students = await readAll(adapter, 'students', config(fx.url));
      const teachers = await readAll(adapter, 'teachers', config(fx.url));
      expect(students.records.length).toBeGreaterThan(10);
      expect(teachers.records.length).toBeGreaterThan(3);
      const all = [...students.records, ...teachers.records];
      expect(all.flatMap((r) => checkRecord(r, { asOf: TEST_NOW }).problems)).toEqual([]);
      expect(students.records.every((r) => /^0\d{11}$/.test((r as Student).personalId ?? ''))).toBe(true);
      expect(teachers.checkpoint).toMatchObject({ since: expect.stringMatching(/^2026-06-15T/) });
    } finally {
      await fx.done();
    }
  });

  it('retries a recorded SOAP server fault', async () => {
    const fx = await nockFixture({
      file: fixture('classes-fault'),
      start: () => startSoapSchool({ ...TINY, auth: AUTH, faults: { after: 1, vendorErrors: 1 } }),
      secrets: [AUTH.password],
    });
    try {
      const logger = memoryLogger();
      const { records } = await readAll(adapter, 'classes', config(fx.url), { logger });
      expect(records).toHaveLength(4);
      expect(logger.entries.filter((e) => e.msg === 'retrying').map((e) => e.data?.code)).toEqual([
        'SOAP_FAULT_SERVER',
      ]);
    } finally {
      await fx.done();
    }
  });

  it('reports refused credentials from check()', async () => {
    const fx = await nockFixture({
      file: fixture('check-refused'),
      start: () => startSoapSchool({ ...TINY, auth: AUTH }),
      secrets: [AUTH.password],
    });
    try {
      const parsed = parseAdapterConfig(
        adapter.configSchema,
        config(fx.url, { auth: { ...AUTH, password: 'wrong-password-0' } }),
        'soap',
      );
      expect(await adapter.check(parsed, baseContext())).toMatchObject({
        ok: false,
        problems: [{ code: 'AUTH_REFUSED' }],
      });
    } finally {
      await fx.done();
    }
  });
});

describe('soap error mapping', () => {
  it('takes the status of a failed WSDL fetch and leaves its body out', () => {
    const error = soapError(
      new Error(
        'Invalid WSDL URL: http://127.0.0.1:9/x?wsdl\n\n Code: 503\n\n Response Body: <p>Nguyễn Văn A</p>',
      ),
      'WSDL',
      'S',
    );
    expect(error).toMatchObject({ name: 'RetryableError', code: 'HTTP_503' });
    expect(error.message).not.toContain('Nguyễn');
  });

  it('reads SOAP 1.2 faults', () => {
    const fault = {
      root: { Envelope: { Body: { Fault: { Code: { Value: 'soap:Sender' }, Reason: { Text: 'bad' } } } } },
    };
    expect(soapError(fault, 'Op', 'S')).toMatchObject({ name: 'PermanentError', code: 'SOAP_FAULT_CLIENT' });
    const server = {
      root: { Envelope: { Body: { Fault: { Code: { Value: 'soap:Receiver' }, Reason: { Text: 'busy' } } } } },
    };
    expect(soapError(server, 'Op', 'S')).toMatchObject({ name: 'RetryableError', code: 'SOAP_FAULT_SERVER' });
  });
});
