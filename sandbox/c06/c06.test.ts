import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createGatewayClient, type GatewayClientOptions } from '../../src/gateway/index.ts';
import {
  buildLookupRequest,
  C06_OPERATION,
  C06_SERVICE,
  C06FaultError,
  type C06LookupInput,
  parseLookupResponse,
} from '../../src/identity/c06/index.ts';
import { compareNames } from '../../src/identity/names.ts';
import type { CanonicalRecord, Student } from '../../src/model/records.ts';
import { readDistrict, sandboxGatewayClientOptions, startSandboxGateway } from '../city-edudb/index.ts';
import { generateDistrict } from '../generator/index.ts';
import {
  type C06Sandbox,
  type C06SandboxOptions,
  type DiscrepancyKind,
  nextDay,
  populationFromRecords,
  type SandboxCitizen,
  startC06Sandbox,
} from './index.ts';

const REQUESTER = { officialId: '079080001234', unitCode: '000.00.15.H29', account: 'edubridge.hcm' };

const AN: SandboxCitizen = {
  personalId: '079213004567',
  fullName: 'NGUYỄN GIA AN',
  birthDate: '2013-04-02',
  gender: 'male',
  ethnicityCode: '01',
  father: { personalId: '001085012345', legacyId: '023456789', fullName: 'NGUYỄN VĂN HÙNG' },
  mother: { personalId: '079187006543', fullName: 'TRẦN THỊ THUỶ' },
};
const HUNG: SandboxCitizen = {
  personalId: '001085012345',
  legacyId: '023456789',
  fullName: 'NGUYỄN VĂN HÙNG',
  birthDate: '1985-11-30',
  gender: 'male',
  ethnicityCode: '01',
};

const lookup = (over: Partial<C06LookupInput> = {}): C06LookupInput => ({
  requestId: 'edubridge-req-0001',
  personalId: AN.personalId,
  fullName: 'Nguyễn Gia An',
  birthDate: AN.birthDate,
  requester: REQUESTER,
  ...over,
});

let sandboxes: C06Sandbox[] = [];
afterEach(async () => {
  await Promise.all(sandboxes.map((s) => s.close()));
  sandboxes = [];
});

async function start(options: Partial<C06SandboxOptions> = {}): Promise<C06Sandbox> {
  const c06 = await startC06Sandbox({ population: [AN, HUNG], ...options });
  sandboxes.push(c06);
  return c06;
}

async function post(c06: C06Sandbox, xml: string, type = 'text/xml; charset=utf-8') {
  const response = await fetch(c06.endpoint, {
    method: 'POST',
    headers: { 'content-type': type, soapaction: '""' },
    body: xml,
  });
  return { status: response.status, type: response.headers.get('content-type'), body: await response.text() };
}

/** The fault a refused request gets: HTTP 500, `soapenv:Client`, a faultstring naming the element. */
async function refusal(c06: C06Sandbox, xml: string, type?: string): Promise<C06FaultError> {
  const answer = await post(c06, xml, type);
  expect(answer.status).toBe(500);
  expect(answer.type).toMatch(/^text\/xml/);
  try {
    parseLookupResponse(answer.body);
  } catch (error) {
    expect(error).toBeInstanceOf(C06FaultError);
    return error as C06FaultError;
  }
  throw new Error('expected a SOAP Fault');
}

describe('the C06 sandbox refuses a malformed request, naming the element', () => {
  const valid = buildLookupRequest(lookup());
  const cases: Array<[string, string, string]> = [
    ['a missing MaYeuCau', valid.replace(/\s*<dan:MaYeuCau>.*<\/dan:MaYeuCau>/, ''), 'dan:MaYeuCau'],
    [
      'an empty MaYeuCau',
      valid.replace(/<dan:MaYeuCau>.*<\/dan:MaYeuCau>/, '<dan:MaYeuCau> </dan:MaYeuCau>'),
      'dan:MaYeuCau',
    ],
    ['an empty MaCanBo', valid.replace(/<dan:MaCanBo>.*<\/dan:MaCanBo>/, '<dan:MaCanBo/>'), 'dan:MaCanBo'],
    ['a missing MaDonVi', valid.replace(/\s*<dan:MaDonVi>.*<\/dan:MaDonVi>/, ''), 'dan:MaDonVi'],
    ['an 11-digit SoDinhDanh', valid.replace('079213004567', '79213004567'), 'dan:SoDinhDanh'],
    ['a SoDinhDanh with letters', valid.replace('079213004567', '07921300456X'), 'dan:SoDinhDanh'],
    ['an impossible date', valid.replace('20130402', '20130230'), 'dan:NgayThangNam'],
    ['a date in the wrong format', valid.replace('20130402', '02/04/2013'), 'dan:NgayThangNam'],
    [
      'a two-digit year',
      valid.replace('<dan:NgayThangNam>20130402</dan:NgayThangNam>', '<dan:Nam>13</dan:Nam>'),
      'dan:Nam',
    ],
    [
      'both a date and a year',
      valid.replace('</dan:NgayThangNam>', '</dan:NgayThangNam><dan:Nam>2013</dan:Nam>'),
      'dan:NgayThangNamSinh',
    ],
    [
      'another integration code',
      valid.replace('<dan:MaTichHop>037<', '<dan:MaTichHop>038<'),
      'dan:MaTichHop',
    ],
    [
      'the operation in another namespace',
      valid.replace('xmlns:dan="http://dancuquocgia.bca"', 'xmlns:dan="http://dancuquocgia.bca/v2"'),
      'dan:TraCuuThongTinCongDan',
    ],
    [
      'an element outside the namespace',
      valid.replace('<dan:TaiKhoan>edubridge.hcm</dan:TaiKhoan>', '<TaiKhoan>edubridge.hcm</TaiKhoan>'),
      'dan:TaiKhoan',
    ],
    [
      'an element the schema does not have',
      valid.replace('<dan:SoDienThoai>', '<dan:SoCMND>1</dan:SoCMND><dan:SoDienThoai>'),
      'SoCMND',
    ],
    [
      'an element twice',
      valid.replace('<dan:MaDVC>VPCP</dan:MaDVC>', '<dan:MaDVC>VPCP</dan:MaDVC><dan:MaDVC>VPCP</dan:MaDVC>'),
      'dan:MaDVC',
    ],
    [
      'elements out of order',
      valid.replace(/(<dan:MaDVC>.*<\/dan:MaDVC>)(\s*)(<dan:MaTichHop>.*<\/dan:MaTichHop>)/, '$3$2$1'),
      'dan:MaDVC',
    ],
    ['no SOAP Body', valid.replace(/<soapenv:Body>[\s\S]*<\/soapenv:Body>/, ''), 'soapenv:Body'],
    ['markup that is not XML', valid.replace('</dan:MaDVC>', '</dan:MaDvc>'), 'XML'],
  ];
  for (const [what, xml, element] of cases) {
    it(`${what}: ${element}`, async () => {
      const c06 = await start();
      const fault = await refusal(c06, xml);
      expect(fault.faultCode).toBe('soapenv:Client');
      expect(fault.faultString).toContain(element);
      expect(fault.faultString).not.toContain(AN.personalId);
      expect(c06.requests).toEqual([]);
    });
  }

  it('a SOAP 1.2 envelope: VersionMismatch', async () => {
    const c06 = await start();
    const fault = await refusal(
      c06,
      valid.replace('http://schemas.xmlsoap.org/soap/envelope/', 'http://www.w3.org/2003/05/soap-envelope'),
    );
    expect(fault.faultCode).toBe('soapenv:VersionMismatch');
    expect(fault.faultString).toContain('soapenv:Envelope');
  });

  it('a DOCTYPE (entity expansion) is refused without being read', async () => {
    const c06 = await start();
    const laughs = `<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>${valid.replace('edubridge-req-0001', '&b;')}`;
    const fault = await refusal(c06, laughs);
    expect(fault.faultString).toContain('DOCTYPE');
  });

  it('a body that is not XML by its content type', async () => {
    const c06 = await start();
    const fault = await refusal(c06, valid, 'application/json');
    expect(fault.faultString).toContain('Content-Type');
  });
});

describe('lookups', () => {
  it('a known ID answers the whole record, relatives included; C06 notes who asked', async () => {
    const c06 = await start();
    const before = Date.now();
    const answer = await post(c06, buildLookupRequest(lookup()));
    expect(answer.status).toBe(200);
    expect(parseLookupResponse(answer.body)).toEqual({ found: true, citizen: AN });
    expect(c06.requests).toEqual([
      {
        at: expect.any(Number),
        requestId: 'edubridge-req-0001',
        officialId: REQUESTER.officialId,
        unitCode: REQUESTER.unitCode,
      },
    ]);
    expect(c06.requests[0]!.at).toBeGreaterThanOrEqual(before);
  });

  it('an unknown ID answers an empty collection', async () => {
    const c06 = await start();
    const answer = await post(c06, buildLookupRequest(lookup({ personalId: '079213009999' })));
    expect(answer.status).toBe(200);
    expect(parseLookupResponse(answer.body)).toEqual({ found: false });
  });

  it('by default, a wrong name or birth date still answers the record: the hub compares', async () => {
    const c06 = await start();
    const xml = buildLookupRequest(lookup({ fullName: 'Lê Văn Khác', birthDate: '2013-04-03' }));
    expect(parseLookupResponse((await post(c06, xml)).body)).toEqual({ found: true, citizen: AN });
  });

  it('with strictMatch, a wrong birth date or name answers the empty collection', async () => {
    const c06 = await start({ strictMatch: true });
    const answer = async (over: Partial<C06LookupInput>) =>
      parseLookupResponse((await post(c06, buildLookupRequest(lookup(over)))).body);
    expect(await answer({ birthDate: '2013-04-03' })).toEqual({ found: false });
    expect(await answer({ fullName: 'Nguyễn Gia Ân' })).toEqual({ found: true, citizen: AN });
    expect(await answer({ fullName: 'Nguyễn Gia Anh' })).toEqual({ found: false });
    expect(await answer({ nameFormat: 'upper-ascii-compact' })).toEqual({ found: true, citizen: AN });
    expect(await answer({ birthDate: undefined, birthYear: 2013 })).toMatchObject({ found: true });
    expect(await answer({ birthDate: undefined, birthYear: 2012 })).toEqual({ found: false });
  });

  it('the whole name in Ten, when asked, reads back the same', async () => {
    const c06 = await start({ nameLayout: 'ten' });
    const body = (await post(c06, buildLookupRequest(lookup()))).body;
    expect(body).toContain('<ns1:Ho/><ns1:ChuDem/><ns1:Ten>NGUYỄN GIA AN</ns1:Ten>');
    expect(parseLookupResponse(body)).toEqual({ found: true, citizen: AN });
  });

  it('serves its WSDL', async () => {
    const c06 = await start();
    const response = await fetch(`${c06.endpoint}?wsdl`);
    expect(response.status).toBe(200);
    expect(await response.text()).toContain('name="TraCuuThongTinCongDan"');
  });
});

describe('faults on demand', () => {
  it('every n-th call is a soapenv:Server fault', async () => {
    const c06 = await start({ faults: { faultEvery: 2 } });
    const xml = buildLookupRequest(lookup());
    expect((await post(c06, xml)).status).toBe(200);
    const second = await post(c06, xml);
    expect(second.status).toBe(500);
    expect(() => parseLookupResponse(second.body)).toThrow(C06FaultError);
    expect((await post(c06, xml)).status).toBe(200);
  });

  it('an error rate of 1 is an outage (503), lifted by setFaults', async () => {
    const c06 = await start({ faults: { errorRate: 1 } });
    const xml = buildLookupRequest(lookup());
    expect((await post(c06, xml)).status).toBe(503);
    c06.setFaults({});
    expect((await post(c06, xml)).status).toBe(200);
  });

  it('latency delays every answer', async () => {
    const c06 = await start({ faults: { latencyMs: 150 } });
    const started = performance.now();
    await post(c06, buildLookupRequest(lookup()));
    expect(performance.now() - started).toBeGreaterThanOrEqual(140);
  });
});

describe('a population from a generated district', () => {
  let records: CanonicalRecord[];
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'edubridge-c06-'));
    await generateDistrict({
      outDir: dir,
      schools: 1,
      seed: 7,
      classesPerGrade: 1,
      classSize: 12,
      streams: ['teachers', 'students'],
    });
    records = [...(await readDistrict(dir, ['teachers', 'students'])).values()].flat();
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const students = () => records.filter((r): r is Student => r.type === 'student');
  /** The school's name and birth date for an ID (student, teacher or guardian). */
  const schoolSide = (id: string) => {
    for (const r of records) {
      if ((r.type === 'student' || r.type === 'teacher') && r.personalId === id) return r;
      if (r.type === 'student') for (const g of r.guardians) if (g.personalId === id) return g;
    }
    throw new Error('not in the district');
  };

  it('holds every student, teacher and guardian with an ID, once each', () => {
    const { citizens, discrepancies } = populationFromRecords(records, { seed: 7 });
    const ids = new Set<string>();
    for (const r of records) {
      if (r.type === 'teacher' && r.personalId) ids.add(r.personalId);
      if (r.type === 'student') {
        if (r.personalId) ids.add(r.personalId);
        for (const g of r.guardians) if (g.personalId) ids.add(g.personalId);
      }
    }
    const unknown = discrepancies.filter((d) => d.kind === 'unknown').length;
    expect(citizens).toHaveLength(ids.size - unknown);
    expect(new Set(citizens.map((c) => c.personalId)).size).toBe(citizens.length);
    for (const c of citizens) {
      expect(c.personalId).toMatch(/^\d{12}$/);
      expect(c.birthDate).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      expect(c.fullName).toBe(c.fullName.toUpperCase());
    }
  });

  it('is the same for the same seed, and another for another seed', () => {
    const a = populationFromRecords(records, { seed: 7 });
    expect(populationFromRecords(records, { seed: 7 })).toEqual(a);
    expect(populationFromRecords(records, { seed: 8 }).discrepancies).not.toEqual(a.discrepancies);
  });

  it("lists a student's father and mother as Cha and Me, with their IDs and C06's names", () => {
    const { citizens, discrepancies } = populationFromRecords(records, { seed: 7 });
    const byId = new Map(citizens.map((c) => [c.personalId, c]));
    const unlinked = new Set(
      discrepancies.filter((d) => d.kind === 'not_registered_guardian').map((d) => d.personalId),
    );
    let checked = 0;
    for (const s of students()) {
      const c = byId.get(s.personalId!);
      if (!c || unlinked.has(c.personalId)) continue;
      const father = s.guardians.find((g) => g.relationship === 'father');
      const mother = s.guardians.find((g) => g.relationship === 'mother');
      const representative = s.guardians.find((g) => g.relationship === 'guardian');
      expect(c.father?.personalId).toBe(father?.personalId);
      expect(c.mother?.personalId).toBe(mother?.personalId);
      expect(c.representative?.personalId).toBe(representative?.personalId);
      if (father) expect(compareNames(c.father!.fullName!, father.fullName)).not.toBe('different');
      checked++;
    }
    expect(checked).toBeGreaterThan(20);
  });

  it('has every kind of discrepancy, each as the hub will see it', () => {
    const { citizens, discrepancies } = populationFromRecords(records, { seed: 7 });
    const byId = new Map(citizens.map((c) => [c.personalId, c]));
    const kinds = new Set<DiscrepancyKind>(discrepancies.map((d) => d.kind));
    expect([...kinds].sort()).toEqual([
      'not_registered_guardian',
      'spelling',
      'tone_placement',
      'unknown',
      'wrong_birth_date',
    ]);
    expect(new Set(discrepancies.map((d) => d.personalId)).size).toBe(discrepancies.length);
    for (const d of discrepancies) {
      const held = byId.get(d.personalId);
      const school = schoolSide(d.personalId);
      switch (d.kind) {
        case 'unknown':
          expect(held).toBeUndefined();
          break;
        case 'spelling':
          expect(compareNames(school.fullName, held!.fullName)).toBe('diacritics_only');
          break;
        case 'tone_placement':
          expect(held!.fullName).not.toBe(school.fullName.toUpperCase());
          expect(compareNames(school.fullName, held!.fullName)).toBe('exact');
          break;
        case 'wrong_birth_date':
          expect(held!.birthDate).toBe(nextDay(school.birthDate!));
          break;
        case 'not_registered_guardian': {
          const linked = [held!.father, held!.mother, held!.representative].map((r) => r?.personalId);
          expect(d.guardianPersonalId).toBeDefined();
          expect(linked).not.toContain(d.guardianPersonalId);
          const student = school as Student;
          expect(student.guardians.map((g) => g.personalId)).toContain(d.guardianPersonalId);
          break;
        }
      }
    }
    // Everyone else matches the school exactly (case aside).
    const flagged = new Set(discrepancies.map((d) => d.personalId));
    for (const c of citizens.filter((x) => !flagged.has(x.personalId))) {
      const school = schoolSide(c.personalId);
      expect(c.fullName).toBe(school.fullName.toUpperCase());
      if (school.birthDate) expect(c.birthDate).toBe(school.birthDate);
    }
  });

  it('turns a kind off with 0', () => {
    const { discrepancies } = populationFromRecords(records, {
      seed: 7,
      spellingEvery: 0,
      tonePlacementEvery: 0,
      wrongBirthDateEvery: 0,
      unknownEvery: 0,
      notRegisteredGuardianEvery: 0,
    });
    expect(discrepancies).toEqual([]);
  });

  it('links guardians kept as person records through guardianship records', () => {
    const source = { adapter: 'test', schoolCode: '79000701', pulledAt: '2026-06-15T00:00:00+07:00' };
    const hand = [
      {
        type: 'student',
        key: 'test:hs-1',
        source,
        schoolCode: '79000701',
        studentCode: '7900070101',
        personalId: '079213004567',
        fullName: 'Nguyễn Gia An',
        birthDate: '2013-04-02',
        gender: 'male',
        guardians: [],
      },
      {
        type: 'person',
        key: 'test:ph-1',
        source,
        schoolCode: '79000701',
        personalId: '79160001234',
        fullName: 'Trần Thị Mai',
        birthDate: '1960-05-01',
      },
      {
        type: 'guardianship',
        key: 'test:gh-1',
        source,
        schoolCode: '79000701',
        studentKey: 'test:hs-1',
        guardianKey: 'test:ph-1',
        relationship: 'guardian',
        primaryContact: true,
      },
    ] as CanonicalRecord[];
    const { citizens } = populationFromRecords(hand, {
      spellingEvery: 0,
      tonePlacementEvery: 0,
      wrongBirthDateEvery: 0,
      unknownEvery: 0,
      notRegisteredGuardianEvery: 0,
      nameCase: 'as-is',
    });
    expect(citizens).toHaveLength(2);
    const [student, guardian] = citizens;
    expect(student).toMatchObject({
      personalId: '079213004567',
      fullName: 'Nguyễn Gia An',
      representative: { personalId: '079160001234', fullName: 'Trần Thị Mai' },
    });
    expect(student!.father).toBeUndefined();
    expect(student!.mother).toBeUndefined();
    // The leading zero Excel dropped is back: C06 holds the 12-digit number.
    expect(guardian).toMatchObject({
      personalId: '079160001234',
      fullName: 'Trần Thị Mai',
      birthDate: '1960-05-01',
      gender: 'female',
    });
  });

  it('answers a lookup end to end through the X-Road gateway, with its headers', async () => {
    const { citizens, discrepancies } = populationFromRecords(records, { seed: 7 });
    const flagged = new Set(discrepancies.map((d) => d.personalId));
    const student = students().find(
      (s) => s.personalId && !flagged.has(s.personalId) && s.guardians.length === 2,
    )!;
    const c06 = await start({ population: citizens });
    const gateway = await startSandboxGateway('xroad', { routes: { [C06_SERVICE]: c06.url } });
    const client = createGatewayClient(
      sandboxGatewayClientOptions(gateway.url, 'xroad', 'c06', '') as GatewayClientOptions,
    );
    try {
      const before = Date.now();
      const reply = await client.sendSoap({
        service: C06_SERVICE,
        operation: C06_OPERATION,
        xml: buildLookupRequest({
          requestId: 'edubridge-e2e-1',
          personalId: student.personalId!,
          fullName: student.fullName,
          birthDate: student.birthDate,
          requester: REQUESTER,
          nameFormat: 'upper-ascii-compact',
        }),
        correlationId: 'check-e2e-1',
      });
      const result = parseLookupResponse(reply.body);
      expect(result.found).toBe(true);
      if (!result.found) return;
      expect(result.citizen.personalId).toBe(student.personalId);
      expect(compareNames(result.citizen.fullName, student.fullName)).toBe('exact');
      expect(result.citizen.birthDate).toBe(student.birthDate);
      expect(result.citizen.father?.personalId).toBe(
        student.guardians.find((g) => g.relationship === 'father')?.personalId,
      );
      expect(result.citizen.mother?.personalId).toBe(
        student.guardians.find((g) => g.relationship === 'mother')?.personalId,
      );

      const h = gateway.record.received[0]!.headers;
      expect(gateway.record.received[0]).toMatchObject({
        service: 'c06',
        operation: 'TraCuuThongTinCongDan',
      });
      expect(Number(h.timestamp)).toBeGreaterThanOrEqual(before);
      expect(String(h.authorization)).toMatch(/^Basic [A-Za-z0-9+/=]+$/);
      expect(h['x-road-client']).toBe('VN/GOV/000.00.00.H29/EDUBRIDGE');
      expect(h.apikey).toBe('apikey-sandbox');
      expect(h.soapaction).toBe('""');
      expect(h['content-type']).toBe('application/xml');
      expect(gateway.record.authFailures).toBe(0);
      expect(c06.requests).toEqual([
        expect.objectContaining({ requestId: 'edubridge-e2e-1', officialId: REQUESTER.officialId }),
      ]);
    } finally {
      client.close();
      await gateway.close();
    }
  });
});
