/**
 * The SOAP adapter against the live sandbox SOAP service on loopback.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { districtDir, readStream } from '../../sandbox/vendors/shared/district.ts';
import {
  type SoapSchool,
  type SoapSchoolOptions,
  startSoapSchool,
} from '../../sandbox/vendors/soap-school/index.ts';
import { checkRecord, type Student, type Teacher } from '../../src/model/index.ts';
import { readContext } from '../../src/sdk/conformance/index.ts';
import { PermanentError, parseAdapterConfig, RetryableError } from '../../src/sdk/index.ts';
import { baseContext, memoryLogger, readAll, TEST_NOW } from '../rest/testing.ts';
import adapter from './index.ts';
import { rawXmlParser } from './read.ts';

const DISTRICT = { seed: 7, schools: 2, classesPerGrade: 1, classSize: 12 };
const USER = 'truong-soap';
const PASSWORD = 'mat-khau-soap-1';

const open: SoapSchool[] = [];
async function service(options: SoapSchoolOptions = {}): Promise<SoapSchool> {
  const s = await startSoapSchool({
    ...DISTRICT,
    auth: { type: 'basic', username: USER, password: PASSWORD },
    ...options,
  });
  open.push(s);
  return s;
}
afterAll(async () => {
  await Promise.all(open.map((s) => s.close()));
});

const fastRetry = { maxAttempts: 4, backoffMs: 5, maxRetryAfterMs: 5_000 };
const configFor = (s: SoapSchool, extra: Record<string, unknown> = {}) => ({
  wsdlUrl: s.wsdlUrl,
  profile: 'sandbox-soap',
  auth: { type: 'basic', username: USER, password: PASSWORD },
  retry: fastRetry,
  ...extra,
});

describe('soap adapter: full read', () => {
  it.each(['students', 'teachers', 'classes', 'enrollments'] as const)(
    'maps every %s record of every school to a canonical record without a problem',
    async (stream) => {
      const s = await service();
      const { records, rejected } = await readAll(adapter, stream, configFor(s, { pageSize: 10 }));
      const table =
        stream === 'teachers'
          ? s.state.data.teachers
          : stream === 'classes'
            ? s.state.data.classes
            : s.state.data.students;
      expect(records).toHaveLength(table.size);
      expect(rejected).toEqual([]);
      expect(
        records.flatMap((r) => checkRecord(r, { asOf: TEST_NOW }).problems.map((p) => `${r.key} ${p.code}`)),
      ).toEqual([]);
      expect(new Set(records.map((r) => r.source.schoolCode))).toEqual(
        new Set(s.state.data.schools.map((x) => x.maTruong)),
      );
    },
  );

  it('gives back the generated students and teachers field for field (structured and raw-XML results)', async () => {
    const s = await service();
    const dir = await districtDir(DISTRICT);
    for (const [stream, code] of [
      ['students', 'studentCode'],
      ['teachers', 'teacherCode'],
    ] as const) {
      const { records } = await readAll(adapter, stream, configFor(s));
      const byCode = new Map(records.map((r) => [(r as unknown as Record<string, string>)[code], r]));
      for await (const original of readStream<Student | Teacher>(dir, stream)) {
        const { key: _k, source: _s, ...fields } = original;
        const {
          key: _k2,
          source: _s2,
          ...mapped
        } = byCode.get((original as unknown as Record<string, string>)[code]!)!;
        expect(mapped).toEqual(fields);
      }
    }
  });

  it('gives the same keys on two reads', async () => {
    const s = await service();
    const a = await readAll(adapter, 'teachers', configFor(s));
    const b = await readAll(adapter, 'teachers', configFor(s));
    expect(b.records.map((r) => r.key)).toEqual(a.records.map((r) => r.key));
  });

  it('reads only the schools the config names', async () => {
    const s = await service();
    const school = s.state.data.schools[1]!.maTruong;
    const { records } = await readAll(adapter, 'classes', configFor(s, { schoolCodes: [school] }));
    expect(records.length).toBeGreaterThan(0);
    expect(records.every((r) => r.source.schoolCode === school)).toBe(true);
  });

  it('discovers schools and per-stream totals summed over schools', async () => {
    const s = await service();
    const config = parseAdapterConfig(adapter.configSchema, configFor(s), 'soap');
    const discovery = await adapter.discover(config, baseContext());
    expect(discovery.schools?.map((x) => x.schoolCode)).toEqual(s.state.data.schools.map((x) => x.maTruong));
    expect(discovery.streams).toContainEqual({ name: 'teachers', count: s.state.data.teachers.size });
    expect(discovery.streams).toContainEqual({ name: 'students', count: s.state.data.students.size });
  });
});

describe('soap adapter: incremental reads', () => {
  it('returns only the changed records and the deletions after a mutation', async () => {
    const s = await service();
    for (const [stream, kind, prefix] of [
      ['students', 'students', 'student-'],
      ['teachers', 'teachers', 'teacher-'],
    ] as const) {
      const full = await readAll(adapter, stream, configFor(s));
      const changed = s.state.mutate({ [kind]: { update: 3, delete: 2 } })[kind]!;
      const next = await readAll(adapter, stream, configFor(s), { checkpoint: full.checkpoint! });
      expect(next.records.map((r) => r.key).sort()).toEqual(
        changed.updated.map((id) => `soap-sandbox-soap:${prefix}${id}`).sort(),
      );
      expect(next.deleted.sort()).toEqual(
        changed.deleted.map((id) => `soap-sandbox-soap:${prefix}${id}`).sort(),
      );
      const again = await readAll(adapter, stream, configFor(s), { checkpoint: next.checkpoint! });
      expect([again.records.length, again.deleted.length]).toEqual([0, 0]);
    }
  });
});

describe('soap adapter: failures', () => {
  it('retries SOAP server faults and 5xx, and counts them', async () => {
    const s = await service({
      faults: { after: 2, vendorErrors: 2, serverErrors: { count: 1, status: 503 } },
    });
    const logger = memoryLogger();
    const { records } = await readAll(adapter, 'students', configFor(s, { pageSize: 10 }), { logger });
    expect(records).toHaveLength(s.state.data.students.size);
    expect(s.state.faults.injected).toMatchObject({ vendorErrors: 2, serverErrors: 1 });
    expect(logger.entries.filter((e) => e.msg === 'retrying').map((e) => e.data?.code)).toEqual([
      'HTTP_503',
      'SOAP_FAULT_SERVER',
      'SOAP_FAULT_SERVER',
    ]);
  });

  it('stops on a SOAP client fault with a PermanentError', async () => {
    const s = await service();
    const error = await readAll(adapter, 'students', configFor(s, { schoolCodes: ['79XX9999'] })).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(PermanentError);
    expect(error).toMatchObject({ code: 'SOAP_FAULT_CLIENT' });
  });

  it('gives up with a RetryableError when the faults outlast its tries', async () => {
    const s = await service({ faults: { vendorErrors: 50 } });
    await expect(readAll(adapter, 'classes', configFor(s))).rejects.toBeInstanceOf(RetryableError);
  });

  it('reports refused credentials as a problem from check(), without the password', async () => {
    const s = await service();
    const config = parseAdapterConfig(
      adapter.configSchema,
      configFor(s, { auth: { type: 'basic', username: USER, password: 'sai-mat-khau-9' } }),
      'soap',
    );
    const result = await adapter.check(config, baseContext());
    expect(result).toMatchObject({ ok: false, problems: [{ code: 'AUTH_REFUSED' }] });
    expect(JSON.stringify(result)).not.toContain('sai-mat-khau-9');
    expect(
      await adapter.check(parseAdapterConfig(adapter.configSchema, configFor(s), 'soap'), baseContext()),
    ).toEqual({ ok: true });
  });

  it('reports a WSDL it cannot reach as a problem', async () => {
    const s = await service();
    await s.close();
    open.splice(open.indexOf(s), 1);
    const config = parseAdapterConfig(
      adapter.configSchema,
      configFor(s, { retry: { maxAttempts: 1 } }),
      'soap',
    );
    expect(await adapter.check(config, baseContext())).toMatchObject({
      ok: false,
      problems: [{ code: 'UNREACHABLE' }],
    });
  });

  it('stops promptly when the read is aborted', async () => {
    const s = await service({ faults: { latencyMs: 150 } });
    const controller = new AbortController();
    const config = parseAdapterConfig(adapter.configSchema, configFor(s, { pageSize: 5 }), 'soap');
    let abortedAt = 0;
    let records = 0;
    const reading = (async () => {
      for await (const item of adapter.read(
        'students',
        readContext(baseContext({ signal: controller.signal }), config, undefined),
      )) {
        if (!('kind' in item) && ++records === 7) {
          setTimeout(() => {
            abortedAt = Date.now();
            controller.abort();
          }, 30);
        }
      }
    })();
    await expect(reading).rejects.toThrow();
    expect(Date.now() - abortedAt).toBeLessThan(100);
    expect(records).toBeLessThan(15);
  });

  it('rejects an unmappable record with its operation, school, page and item', async () => {
    const s = await service({ corrupt: [{ kind: 'teachers', index: 1, set: { gioiTinh: 'Khác' } }] });
    const { records, rejected } = await readAll(adapter, 'teachers', configFor(s));
    expect(records).toHaveLength(s.state.data.teachers.size - 1);
    expect(rejected.map((e) => [e.code, e.field, e.location])).toEqual([
      [
        'CODE_UNKNOWN',
        'gender',
        `LayDanhSachGiaoVien school ${s.state.data.schools[0]!.maTruong} page 1 item 2`,
      ],
    ]);
  });
});

describe('soap adapter: broken pages (the SDK page policy)', () => {
  let s: SoapSchool;
  const expected: Record<string, string[]> = {};
  const keysOf = (outcome: { records: Array<{ key: string }> }) => outcome.records.map((r) => r.key);
  const injected = () => ({ ...s.state.faults.injected });
  beforeAll(async () => {
    s = await service();
    for (const stream of ['students', 'teachers'] as const)
      expected[stream] = keysOf(await readAll(adapter, stream, configFor(s, { pageSize: 10 })));
  });
  afterEach(() => s.state.faults.set({}));

  it.each([
    ['students', 'cut off mid-envelope', { brokenPages: 1 }, 'PAGE_MALFORMED'],
    ['teachers', 'cut off mid-envelope (raw XML result)', { brokenPages: 1 }, 'PAGE_MALFORMED'],
    ['students', 'short of records while its total says more', { shortPages: 1 }, 'PAGE_TRUNCATED'],
    [
      'teachers',
      'empty while its total says more (raw XML result)',
      { emptyPages: 1 },
      'PAGE_EMPTY_UNEXPECTED',
    ],
    ['students', 'hollow, without its total', { hollowPages: 1 }, 'PAGE_MALFORMED'],
    ['teachers', 'hollow, without its result text', { hollowPages: 1 }, 'PAGE_MALFORMED'],
  ] as const)(
    '%s: asks again for a page %s, and reads every record exactly once',
    async (stream, _name, fault, code) => {
      // The schools call and the first page go through; the second page misbehaves.
      s.state.faults.set({ after: 2, ...fault });
      const logger = memoryLogger();
      const read = await readAll(adapter, stream, configFor(s, { pageSize: 10 }), { logger });
      expect(keysOf(read)).toEqual(expected[stream]);
      expect(logger.entries.filter((e) => e.msg === 'retrying').map((e) => e.data?.code)).toEqual([code]);
    },
  );

  it('fails after three tries in all with a RetryableError naming the call, the page and what was wrong', async () => {
    const before = injected();
    s.state.faults.set({ after: 2, brokenPages: 100 });
    const error = await readAll(adapter, 'students', configFor(s, { pageSize: 10 })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RetryableError);
    expect(error).toMatchObject({ code: 'PAGE_MALFORMED', tries: 3 });
    const call = `/soap/TruongHoc LayDanhSachHocSinh?maTruong=${s.state.data.schools[0]!.maTruong}&trang=2&kichThuocTrang=10`;
    expect((error as Error).message).toBe(
      `Sandbox school service (SOAP): Trang 2 của ${call}: câu trả lời SOAP không đọc được sau 3 lần thử` +
        ` / Page 2 of ${call}: not a readable SOAP answer after 3 tries`,
    );
    expect(injected().brokenPages - before.brokenPages).toBe(3);
  });

  it('names the missing result of a hollow answer when it comes every time', async () => {
    s.state.faults.set({ after: 2, hollowPages: 100 });
    const error = await readAll(adapter, 'teachers', configFor(s, { pageSize: 10 })).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'PAGE_MALFORMED', retryable: true, tries: 3 });
    expect((error as Error).message).toContain('Page 2 of /soap/TruongHoc LayDanhSachGiaoVien?');
    expect((error as Error).message).toContain(
      'the answer has no "/LayDanhSachGiaoVienResult" after 3 tries',
    );
  });

  it('takes its number of tries from retry.pageAttempts', async () => {
    const before = injected();
    s.state.faults.set({ after: 2, shortPages: 100 });
    const config = configFor(s, { pageSize: 10, retry: { ...fastRetry, pageAttempts: 5 } });
    await expect(readAll(adapter, 'students', config)).rejects.toMatchObject({
      code: 'PAGE_TRUNCATED',
      tries: 5,
    });
    expect(injected().shortPages - before.shortPages).toBe(5);
  });

  it('stops promptly when the read is aborted while it waits to ask again', async () => {
    const before = injected();
    s.state.faults.set({ after: 2, brokenPages: 100 });
    const controller = new AbortController();
    const config = configFor(s, { pageSize: 10, retry: { ...fastRetry, backoffMs: 60_000 } });
    const reading = readAll(adapter, 'students', config, { signal: controller.signal });
    while (injected().brokenPages === before.brokenPages) await new Promise((r) => setTimeout(r, 5));
    const abortedAt = performance.now();
    controller.abort();
    await expect(reading).rejects.toMatchObject({ name: 'AbortError' });
    expect(performance.now() - abortedAt).toBeLessThan(200);
    expect(injected().brokenPages - before.brokenPages).toBe(1);
  });
});

describe('raw XML parsing', () => {
  const parser = rawXmlParser(['GiaoVien']);

  it('keeps 12-digit IDs as text with their leading zeros', () => {
    const doc = parser.parse(
      '<D><GiaoVien><soDinhDanh>001177521170</soDinhDanh><khoi>06</khoi></GiaoVien></D>',
    ) as {
      D: { GiaoVien: Array<Record<string, string>> };
    };
    expect(doc.D.GiaoVien[0]).toEqual({ soDinhDanh: '001177521170', khoi: '06' });
  });

  it('decodes the predefined entities but never expands a DTD entity', () => {
    const xml =
      '<?xml version="1.0"?><!DOCTYPE D [<!ENTITY boom "BOOM BOOM BOOM">]><D><GiaoVien><hoTen>A &amp; B &#7843;</hoTen><ghiChu>&boom;</ghiChu></GiaoVien></D>';
    const doc = parser.parse(xml) as { D: { GiaoVien: Array<Record<string, string>> } };
    expect(doc.D.GiaoVien[0]).toEqual({ hoTen: 'A & B ả', ghiChu: '&boom;' });
  });
});
